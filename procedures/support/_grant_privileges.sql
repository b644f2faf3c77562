-- attrib._grant_privileges: the role model, applied by every `attrib deploy`
-- (after the migrations and procedures, in the same transaction):
--
--   owner  (NOLOGIN) owns every attrib schema, table, view, sequence,
--          partition and function. The stage functions run as it
--          (SECURITY DEFINER), so nobody else needs rights on the data.
--   runner (LOGIN)   runs the pipeline: EXECUTE on the run procedures and
--          the private functions they call (each checks that the caller
--          began the run: attrib._run_guard), SELECT on the run log (and
--          the run's Referral hosts, attrib.run_referrals). It is
--          not a member of owner, so it cannot rewrite the functions that
--          a superuser may later execute.
--   reader (NOLOGIN) SELECT on the sessions.* outputs and reports, on
--          the run log with the run-lease holder (attrib status), and on
--          the source list with its matching rule (attrib report --by source),
--          nothing else (not events, rejects, settings or identities).
--
-- Names default to what attrib.roles holds, else attrib_owner,
-- attrib_runner, attrib_reader; missing roles are created. EXECUTE is
-- revoked from PUBLIC on every attrib function, and default privileges keep
-- new functions private and new sessions.* tables readable by the reader.
-- Runs as the deploying user (it must be allowed to create roles and to
-- grant pg_read_all_stats, which the owner needs to tell a dead run-lease
-- holder from a live one). Idempotent: only what differs is altered.
CREATE OR REPLACE FUNCTION attrib._grant_privileges(
    p_owner  text DEFAULT NULL,
    p_runner text DEFAULT NULL,
    p_reader text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_owner   text := coalesce(p_owner,  (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner'),  'attrib_owner');
    v_runner  text := coalesce(p_runner, (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'runner'), 'attrib_runner');
    v_reader  text := coalesce(p_reader, (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'reader'), 'attrib_reader');
    v_schemas text[] := ARRAY['attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages'];
    v_item    record;
BEGIN
    IF v_owner = v_runner OR v_owner = v_reader OR v_runner = v_reader THEN
        RAISE EXCEPTION 'attrib roles must be three different roles: owner %, runner %, reader %', v_owner, v_runner, v_reader
            USING ERRCODE = '22023', HINT = 'Pass three different names to attrib deploy --owner-role/--runner-role/--reader-role.';
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = v_owner) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_owner);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = v_runner) THEN
        EXECUTE format('CREATE ROLE %I LOGIN', v_runner);
    END IF;
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = v_reader) THEN
        EXECUTE format('CREATE ROLE %I NOLOGIN', v_reader);
    END IF;
    IF EXISTS (SELECT FROM pg_roles WHERE rolname IN (v_owner, v_runner, v_reader) AND rolsuper) THEN
        RAISE EXCEPTION 'an attrib role is a superuser: owner %, runner %, reader % must not be', v_owner, v_runner, v_reader
            USING ERRCODE = '42501', HINT = 'ALTER ROLE ... NOSUPERUSER, or name other roles at attrib deploy.';
    END IF;
    IF pg_has_role(v_runner, v_owner, 'MEMBER') OR pg_has_role(v_reader, v_owner, 'MEMBER') THEN
        RAISE EXCEPTION 'role % or % is a member of the attrib owner role %', v_runner, v_reader, v_owner
            USING ERRCODE = '42501',
                  DETAIL = 'A member of the owner could rewrite functions that a superuser later executes.',
                  HINT = format('REVOKE %I FROM %I, %I;', v_owner, v_runner, v_reader);
    END IF;
    IF NOT pg_has_role(v_owner, 'pg_read_all_stats', 'MEMBER') THEN
        EXECUTE format('GRANT pg_read_all_stats TO %I', v_owner);
    END IF;

    -- Ownership: schemas, relations (partitions included; indexes follow
    -- their tables) and functions, where it differs.
    FOR v_item IN
        SELECT format('ALTER SCHEMA %I OWNER TO %I', n.nspname, v_owner) AS sql
          FROM pg_namespace n
         WHERE n.nspname = ANY (v_schemas) AND n.nspowner <> to_regrole(quote_ident(v_owner))
        UNION ALL
        SELECT format('ALTER %s %I.%I OWNER TO %I',
                      CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                                     WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END,
                      n.nspname, c.relname, v_owner)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = ANY (v_schemas) AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
           AND c.relowner <> to_regrole(quote_ident(v_owner))
        UNION ALL
        SELECT format('ALTER ROUTINE %s OWNER TO %I', p.oid::regprocedure, v_owner)
          FROM pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace AND p.proowner <> to_regrole(quote_ident(v_owner))
    LOOP
        EXECUTE v_item.sql;
    END LOOP;

    -- Functions: none for PUBLIC; the runner gets what the run procedures
    -- call. Only what differs is granted or revoked, so a deploy that
    -- changes nothing rewrites no catalog row.
    -- (The revokes come first, in a loop of their own: a loop's query is read
    -- as it runs, and the runner holds EXECUTE through PUBLIC until then.)
    FOR v_item IN
        SELECT format('REVOKE ALL ON ROUTINE %s FROM PUBLIC', p.oid::regprocedure) AS sql
          FROM pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace AND has_function_privilege('public', p.oid, 'EXECUTE')
    LOOP
        EXECUTE v_item.sql;
    END LOOP;
    FOR v_item IN
        SELECT format('GRANT EXECUTE ON ROUTINE %s TO %I', p.oid::regprocedure, v_runner) AS sql
          FROM pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace
           AND p.proname = ANY (ARRAY['run_attribution', 'run_stage', 'run_attribution_retry',
                                      'run_begin', 'run_end', 'retry_policy',
                                      '_run_one_stage', '_run_begin', '_run_stage_begin', '_run_stage_exec',
                                      '_run_stage_failed', '_run_holder', '_run_retry_due', '_raise'])
           AND NOT has_function_privilege(v_runner, p.oid, 'EXECUTE')
        -- schemas: nothing for PUBLIC; the runner uses attrib, the reader sessions
        UNION ALL
        SELECT format('REVOKE ALL ON SCHEMA %I FROM PUBLIC', s)
          FROM unnest(v_schemas) s WHERE has_schema_privilege('public', s, 'USAGE') OR has_schema_privilege('public', s, 'CREATE')
        UNION ALL
        SELECT format('GRANT USAGE ON SCHEMA attrib TO %I', v_runner)
         WHERE NOT has_schema_privilege(v_runner, 'attrib', 'USAGE')
        UNION ALL
        SELECT format('GRANT USAGE ON SCHEMA sessions TO %I', v_reader)
         WHERE NOT has_schema_privilege(v_reader, 'sessions', 'USAGE')
        -- the runner reads the run log (attrib status)
        UNION ALL
        SELECT format('GRANT SELECT ON %s TO %I', r, v_runner)
          FROM unnest(ARRAY['attrib.run_log', 'attrib.runs', 'attrib.run_referrals']) r
         WHERE NOT has_table_privilege(v_runner, r, 'SELECT')
        UNION ALL
        -- (run ids are drawn by attrib.run_begin, as the owner: no longer by the runner)
        SELECT format('REVOKE ALL ON SEQUENCE attrib.run_id_seq FROM %I', v_runner)
         WHERE has_sequence_privilege(v_runner, 'attrib.run_id_seq', 'USAGE')
        -- the reader reads every output and report, and how the runs went (attrib status)
        UNION ALL
        SELECT format('GRANT USAGE ON SCHEMA attrib TO %I', v_reader)
         WHERE NOT has_schema_privilege(v_reader, 'attrib', 'USAGE')
        UNION ALL
        SELECT format('GRANT SELECT ON %s TO %I', r, v_reader)
          FROM unnest(ARRAY['attrib.run_log', 'attrib.runs', 'attrib.source_classes', 'attrib._source_classes']) r
         WHERE NOT has_table_privilege(v_reader, r, 'SELECT')
        UNION ALL
        -- attrib report --by source names sources with attrib.source_match (one name per platform)
        SELECT format('GRANT EXECUTE ON ROUTINE %s TO %I', p.oid::regprocedure, v_reader)
          FROM pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace
           AND p.proname = ANY (ARRAY['_run_holder', 'source_match', 'lower_ascii', '_source_class_rows'])
           AND NOT has_function_privilege(v_reader, p.oid, 'EXECUTE')
        UNION ALL
        SELECT format('GRANT SELECT ON %I.%I TO %I', n.nspname, c.relname, v_reader)
          FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname = 'sessions' AND c.relkind IN ('r', 'p', 'v', 'm')
           AND NOT has_table_privilege(v_reader, c.oid, 'SELECT')
    LOOP
        EXECUTE v_item.sql;
    END LOOP;
    -- what the owner creates later (a function, a rebuilt output table) is right too
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I REVOKE EXECUTE ON ROUTINES FROM PUBLIC', v_owner);
    EXECUTE format('ALTER DEFAULT PRIVILEGES FOR ROLE %I IN SCHEMA sessions GRANT SELECT ON TABLES TO %I',
                   v_owner, v_reader);

    -- pg_partman runs as the owner inside ingest (create_partition_time) and
    -- maintain (run_maintenance, check_default, show_partition_name): for
    -- attrib's one native monthly set, with no sub-partitions, custom
    -- intervals, retention or jobmon, they only read part_config and
    -- part_config_sub, and the view table_privs (a new partition takes its
    -- parent's owner and grants: inherit_privileges, migration 0024). Nothing more: the owner could otherwise rewrite other
    -- applications' partition sets, or put a trigger on pg_partman's tables
    -- that would run as whoever next writes them (a superuser's maintenance).
    -- Rights a deploy of an earlier version gave (ALL on every table of the
    -- schema) are taken back.
    FOR v_item IN
        SELECT format('GRANT USAGE ON SCHEMA partman TO %I', v_owner) AS sql
         WHERE NOT has_schema_privilege(v_owner, 'partman', 'USAGE')
        UNION ALL
        SELECT format('GRANT SELECT ON partman.%I TO %I', t, v_owner)
          FROM unnest(ARRAY['part_config', 'part_config_sub', 'table_privs']) t
         WHERE NOT has_table_privilege(v_owner, format('partman.%I', t), 'SELECT')
        UNION ALL
        SELECT format('REVOKE %s ON partman.%I FROM %I', a.privilege_type, c.relname, v_owner)
          FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
         WHERE c.relnamespace = 'partman'::regnamespace AND a.grantee = to_regrole(quote_ident(v_owner))
           AND NOT (c.relname IN ('part_config', 'part_config_sub', 'table_privs') AND a.privilege_type = 'SELECT')
        UNION ALL
        SELECT format('GRANT EXECUTE ON ALL ROUTINES IN SCHEMA partman TO %I', v_owner)
         WHERE EXISTS (SELECT FROM pg_proc p WHERE p.pronamespace = 'partman'::regnamespace
                          AND NOT has_function_privilege(v_owner, p.oid, 'EXECUTE'))
    LOOP
        EXECUTE v_item.sql;
    END LOOP;

    INSERT INTO attrib.roles (kind, role_name)
    VALUES ('owner', v_owner), ('runner', v_runner), ('reader', v_reader)
    ON CONFLICT (kind) DO UPDATE SET role_name = EXCLUDED.role_name;
END
$$;
COMMENT ON FUNCTION attrib._grant_privileges(text, text, text) IS
  'Private, run by attrib deploy: creates the owner, runner and reader roles if missing, gives the owner every '
  'attrib object and grants each role only what it needs';
