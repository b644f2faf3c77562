-- attrib._trusted_relation: the relation a setting names (a Segment source
-- table, a revenue relation), checked before attrib reads it. Reading a
-- view runs the expressions its owner wrote, and reading a table with
-- row-level security runs its policies' expressions, both as the reader:
-- inside the stages, attrib's owner. So a view, or a table with policies,
-- is read only when its owner is trusted: a superuser, attrib's owner role
-- or its runner role. Anything else stops the run with an error that names
-- the relation, its owner and how to allow it. A missing relation is an
-- error too (42P01), naming the setting.
CREATE OR REPLACE FUNCTION attrib._trusted_relation(p_schema text, p_name text, p_setting text)
RETURNS regclass
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_rel    regclass := to_regclass(format('%I.%I', p_schema, p_name));
    v_kind   "char";
    v_owner  name;
    v_policy boolean;
BEGIN
    IF v_rel IS NULL THEN
        RAISE EXCEPTION 'relation %.% named by setting % does not exist', p_schema, p_name, p_setting
            USING ERRCODE = '42P01',
                  HINT = format('Create it, or change the setting: UPDATE attrib.settings SET value = ... WHERE name = %L;',
                                p_setting);
    END IF;
    SELECT c.relkind, pg_get_userbyid(c.relowner),
           c.relrowsecurity AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid)
      INTO v_kind, v_owner, v_policy
      FROM pg_class c WHERE c.oid = v_rel;
    IF (v_kind = 'v' OR v_policy)
       AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_owner AND r.rolsuper)
       AND v_owner NOT IN (SELECT r.role_name FROM attrib.roles r WHERE r.kind IN ('owner', 'runner')) THEN
        RAISE EXCEPTION '% %.% (setting %) is owned by %, a role attrib does not trust',
                        CASE WHEN v_kind = 'v' THEN 'view' ELSE 'table with row-level security policies' END,
                        p_schema, p_name, p_setting, v_owner
            USING ERRCODE = '42501',
                  DETAIL = 'Reading it would run expressions that role wrote with the rights of attrib''s owner.',
                  HINT = format('After reviewing it, give it to a trusted role: ALTER %s %I.%I OWNER TO %I; '
                                '(or read a plain table instead).',
                                CASE WHEN v_kind = 'v' THEN 'VIEW' ELSE 'TABLE' END, p_schema, p_name,
                                coalesce((SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner'), 'attrib_owner'));
    END IF;
    RETURN v_rel;
END
$$;
COMMENT ON FUNCTION attrib._trusted_relation(text, text, text) IS
  'Private: the regclass of a relation a setting names; error when missing, or a view or RLS table of an untrusted owner';
