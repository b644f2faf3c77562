-- attrib._trusted_relation: checks a relation a setting names (a Segment
-- source table, a revenue relation) before attrib reads it. Reading a view
-- runs the expressions its owner wrote, and reading a table with
-- row-level security runs its policies' expressions, both as the reader:
-- inside the stages, attrib's owner. So a view, or a table with policies,
-- is read only when its owner is trusted: a superuser or attrib's owner
-- role. Not the runner: its expressions would run as the owner, which the
-- runner must never act as (it could rewrite a function that a superuser
-- later executes). Anything else stops the run with an error that names
-- the relation, its owner and how to allow it.
-- It checks the relation by oid: what the stages read is what
-- attrib._bind_relation locked and bound, so the check holds for the read
-- (a name can be made to mean another relation in between).
CREATE OR REPLACE FUNCTION attrib._trusted_relation(p_rel regclass, p_setting text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_schema name;
    v_name   name;
    v_kind   "char";
    v_owner  name;
    v_policy boolean;
BEGIN
    SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner),
           c.relrowsecurity AND EXISTS (SELECT FROM pg_policy p WHERE p.polrelid = c.oid)
      INTO v_schema, v_name, v_kind, v_owner, v_policy
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.oid = p_rel;
    IF (v_kind = 'v' OR v_policy)
       AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.rolname = v_owner AND r.rolsuper)
       AND v_owner NOT IN (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner') THEN
        RAISE EXCEPTION '% %.% (setting %) is owned by %, a role attrib does not trust',
                        CASE WHEN v_kind = 'v' THEN 'view' ELSE 'table with row-level security policies' END,
                        v_schema, v_name, p_setting, v_owner
            USING ERRCODE = '42501',
                  DETAIL = 'Reading it would run expressions that role wrote with the rights of attrib''s owner.',
                  HINT = format('After reviewing it, give it to a trusted role: ALTER %s %I.%I OWNER TO %I; '
                                '(or read a plain table instead).',
                                CASE WHEN v_kind = 'v' THEN 'VIEW' ELSE 'TABLE' END, v_schema, v_name,
                                coalesce((SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner'), 'attrib_owner'));
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._trusted_relation(regclass, text) IS
  'Private: error when a relation a setting names is a view or RLS table of an owner attrib does not trust';
