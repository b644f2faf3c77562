-- attrib._check_partman_schema: the second statement of the stages that
-- call pg_partman (ingest, maintain), after attrib._check_temp_schema.
-- pg_partman's functions put schema partman before pg_catalog on their
-- search_path, so a function, operator, type, table or view in partman
-- beats the built-in one of the same name inside them, and they run as
-- attrib's owner here. attrib deploy refuses a partman that another role
-- owns or may create objects in (migrations/sql/deploy_preflight.sql);
-- this checks the same at every run, since CREATE on partman may be
-- granted after the deploy (pg_partman's own documentation suggests it
-- for a non-superuser maintenance role). Trusted: superusers and
-- attrib's owner (current_user: the stages run as it).
CREATE OR REPLACE FUNCTION attrib._check_partman_schema()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_partman  oid := to_regnamespace('partman');
    v_problems text[];
    v_fixes    text[];
BEGIN
    WITH untrusted AS (
        SELECT r.oid FROM pg_roles r WHERE NOT r.rolsuper AND r.rolname <> current_user
    )
    SELECT array_agg(x.problem ORDER BY x.problem), array_agg(x.fix ORDER BY x.problem)
      INTO v_problems, v_fixes
      FROM (SELECT format('schema partman is owned by %s', pg_get_userbyid(n.nspowner)) AS problem,
                   'Review what it holds, then give it to a superuser: ALTER SCHEMA partman OWNER TO ...;' AS fix
              FROM pg_namespace n WHERE n.oid = v_partman AND n.nspowner IN (SELECT u.oid FROM untrusted u)
            UNION ALL
            SELECT format('%s has CREATE on schema partman', CASE a.grantee WHEN 0 THEN 'PUBLIC'
                                                              ELSE 'role ' || pg_get_userbyid(a.grantee) END),
                   format('REVOKE CREATE ON SCHEMA partman FROM %s;', CASE a.grantee WHEN 0 THEN 'PUBLIC'
                                                                     ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
              FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
             WHERE n.oid = v_partman AND a.privilege_type = 'CREATE'
               AND (a.grantee = 0 OR a.grantee IN (SELECT u.oid FROM untrusted u))
            UNION ALL
            SELECT format('%s %s is owned by %s', i.type, i.identity, pg_get_userbyid(o.owner)),
                   format('Review it, then DROP %s %s;', upper(i.type), i.identity)
              FROM (SELECT 'pg_class'::regclass::oid AS classid, c.oid AS objid, c.relowner AS owner
                      FROM pg_class c WHERE c.relnamespace = v_partman
                    UNION ALL
                    SELECT 'pg_proc'::regclass, p.oid, p.proowner FROM pg_proc p WHERE p.pronamespace = v_partman
                    UNION ALL
                    SELECT 'pg_operator'::regclass, o.oid, o.oprowner FROM pg_operator o
                     WHERE o.oprnamespace = v_partman
                    UNION ALL  -- row types and array types have their relation's, their element's owner
                    SELECT 'pg_type'::regclass, t.oid, t.typowner FROM pg_type t
                     WHERE t.typnamespace = v_partman AND t.typrelid = 0
                       AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)) o
             CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, 0) i
             WHERE o.owner IN (SELECT u.oid FROM untrusted u)) x;
    IF v_problems IS NOT NULL THEN
        RAISE EXCEPTION 'pg_partman''s schema partman is open to roles attrib does not trust: %',
                        array_to_string(v_problems, '; ')
            USING ERRCODE = '42501',
                  DETAIL = 'pg_partman looks names up in partman before pg_catalog, and the stages call it as '
                           'attrib''s owner: what those roles put there would run with the owner''s rights.',
                  HINT = array_to_string(v_fixes, E'\n');
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._check_partman_schema() IS
  'Private: stops ingest and maintain when schema partman is owned or writable by a role that is neither attrib''s '
  'owner nor a superuser, or holds such a role''s objects';
