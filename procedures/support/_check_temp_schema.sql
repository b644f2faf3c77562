-- attrib._check_temp_schema: the first statement of every stage function
-- (the SECURITY DEFINER entry points that do the work as attrib's owner).
-- A session's temporary schema is on every search path, and pg_partman 4.7
-- puts it *before* pg_catalog (`partman, pg_temp, ...`): a temporary type
-- or domain named `name`, `text`, `int4`, ... or a temporary table or view
-- named like a catalog shadows the built-in one inside pg_partman's code,
-- and a domain's CHECK, a view's expressions or a type's functions then run
-- with the owner's rights. The schema is the caller's (the runner, a
-- pg_cron session, a psql session), so this stops the stage, naming what
-- it found, when the schema holds any object that neither attrib's owner
-- (current_user: the stages run as it) nor a superuser owns: the runner's,
-- or another role's made under SET ROLE. The owner's own temporary tables
-- of an earlier stage of the session are fine, and so are a superuser's
-- (pgTAP's, a DBA's psql), as a superuser's views are (attrib._trusted_relation):
-- a superuser can run anything as the owner anyway. Objects of every kind
-- that has an owner count, functions and operators too, though name lookup
-- never takes them from pg_temp unless it is written out: one rule, no
-- exception to review.
CREATE OR REPLACE FUNCTION attrib._check_temp_schema()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_temp    oid := pg_catalog.pg_my_temp_schema();
    v_objects text[];
    v_count   bigint;
BEGIN
    IF v_temp = 0 THEN  -- this session has never created a temporary object
        RETURN;
    END IF;
    SELECT (array_agg(format('%s %s (owner %s)', i.type, i.identity, pg_get_userbyid(o.owner))
                      ORDER BY o.classid, o.objid))[1:10],
           count(*)
      INTO v_objects, v_count
      FROM (SELECT 'pg_class'::regclass::oid AS classid, c.oid AS objid, c.relowner AS owner
              FROM pg_class c WHERE c.relnamespace = v_temp
            UNION ALL  -- a table's row type and an array type have their table's, their element's owner
            SELECT 'pg_type'::regclass, t.oid, t.typowner FROM pg_type t
             WHERE t.typnamespace = v_temp AND t.typrelid = 0
               AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)
            UNION ALL
            SELECT 'pg_proc'::regclass, p.oid, p.proowner FROM pg_proc p WHERE p.pronamespace = v_temp
            UNION ALL
            SELECT 'pg_operator'::regclass, o.oid, o.oprowner FROM pg_operator o WHERE o.oprnamespace = v_temp
            UNION ALL
            SELECT 'pg_collation'::regclass, c.oid, c.collowner FROM pg_collation c WHERE c.collnamespace = v_temp
            UNION ALL
            SELECT 'pg_conversion'::regclass, c.oid, c.conowner FROM pg_conversion c WHERE c.connamespace = v_temp
            UNION ALL
            SELECT 'pg_ts_config'::regclass, c.oid, c.cfgowner FROM pg_ts_config c WHERE c.cfgnamespace = v_temp
            UNION ALL
            SELECT 'pg_ts_dict'::regclass, d.oid, d.dictowner FROM pg_ts_dict d WHERE d.dictnamespace = v_temp
            UNION ALL
            SELECT 'pg_opfamily'::regclass, f.oid, f.opfowner FROM pg_opfamily f WHERE f.opfnamespace = v_temp
            UNION ALL
            SELECT 'pg_opclass'::regclass, c.oid, c.opcowner FROM pg_opclass c WHERE c.opcnamespace = v_temp
            UNION ALL
            SELECT 'pg_statistic_ext'::regclass, s.oid, s.stxowner FROM pg_statistic_ext s
             WHERE s.stxnamespace = v_temp) o
     CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, 0) i
     WHERE pg_get_userbyid(o.owner) <> current_user
       AND NOT EXISTS (SELECT FROM pg_roles r WHERE r.oid = o.owner AND r.rolsuper);
    IF v_count > 0 THEN
        RAISE EXCEPTION 'this session''s temporary schema % holds % object(s) of roles attrib does not trust: %',
                        v_temp::regnamespace, v_count,
                        array_to_string(v_objects, ', ') || CASE WHEN v_count > 10 THEN ', ...' ELSE '' END
            USING ERRCODE = '42501',
                  DETAIL = 'The stages run as attrib''s owner role, and pg_partman looks up type and table names in '
                           'pg_temp before pg_catalog: a temporary object of another role would run its code with '
                           'the owner''s rights.',
                  HINT = 'Run attrib from a new session, or drop your temporary objects first: DISCARD TEMP;';
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._check_temp_schema() IS
  'Private: stops a stage when the session''s temporary schema holds an object of a role that is neither attrib''s '
  'owner nor a superuser';
