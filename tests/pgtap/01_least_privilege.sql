-- Least privilege in the catalog: whose code runs inside attrib, and as whom.
BEGIN;
SELECT plan(11);

-- Every function either pins its search_path or has a BEGIN ATOMIC body
-- (names bound when it was created): no caller's search_path reaches it.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace AND p.prokind = 'f'
       AND p.prosqlbody IS NULL
       AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)$$,
    'every attrib function pins search_path = pg_catalog, pg_temp or has a BEGIN ATOMIC body');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace AND p.prosecdef
       AND NOT coalesce('search_path=pg_catalog, pg_temp' = ANY (p.proconfig), false)$$,
    'every SECURITY DEFINER function pins search_path = pg_catalog, pg_temp');

-- Procedures COMMIT, so they cannot pin search_path: they are few, reviewed,
-- and hold only schema-qualified calls (see their header comments).
SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname::text COLLATE "C") FROM pg_proc p
            WHERE p.pronamespace = 'attrib'::regnamespace AND p.prokind = 'p'),
    ARRAY['_run_one_stage', 'run_attribution', 'run_attribution_retry', 'run_begin', 'run_stage']::text[],
    'the procedures are exactly the reviewed five');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace AND p.prokind = 'p' AND (p.prosecdef OR p.proconfig IS NOT NULL)$$,
    'procedures run as their caller, with no SET clause (they COMMIT)');

SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace
       AND (pg_get_userbyid(p.proowner) <> 'attrib_owner' OR has_function_privilege('public', p.oid, 'EXECUTE'))$$,
    'every attrib function is the owner role''s, and none is PUBLIC''s to execute');

SELECT is((SELECT array_agg(p.proname::text ORDER BY p.proname::text COLLATE "C") FROM pg_proc p
            WHERE p.pronamespace = 'attrib'::regnamespace AND p.prosecdef),
    ARRAY['_run_begin', '_run_guard', '_run_holder', '_run_lock', '_run_mark_abandoned', '_run_retry_due',
          '_run_stage_begin', '_run_stage_exec', '_run_stage_failed', '_run_unlock',
          'alias', 'attribute', 'forget', 'ingest', 'maintain', 'reset', 'run_end', 'sessionize', 'signup']::text[],
    'the functions that run with the owner''s rights are the stages and the run bookkeeping');

-- The caller owns the session's temporary schema, and pg_partman searches it
-- before pg_catalog: every stage refuses to start while it holds an object
-- attrib's owner did not create.
SELECT is_empty($$
    SELECT p.oid::regprocedure::text FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace AND p.prosecdef
       AND p.proname IN ('alias', 'attribute', 'forget', 'ingest', 'maintain', 'reset', 'sessionize', 'signup')
       AND p.prosrc !~ '^\s*(DECLARE.*?)?\mBEGIN\s+PERFORM attrib\._check_temp_schema\(\);'$$,
    'every stage function checks the caller''s temporary schema before anything else');

-- pg_partman looks names up in partman before pg_catalog: the stages that
-- call it check that schema is no one else's to write in, every run.
SELECT is_empty($$
    SELECT p.proname FROM pg_proc p
     WHERE p.pronamespace = 'attrib'::regnamespace AND p.proname IN ('ingest', 'maintain')
       AND p.prosrc !~ 'PERFORM attrib\._check_temp_schema\(\);[^\n]*\n\s*PERFORM attrib\._check_partman_schema\(\);'$$,
    'the stages that call pg_partman check its schema right after the temporary one');

-- pg_partman's tables are shared by every application of the database:
-- the owner reads the two attrib's calls read, and can change, truncate or
-- put a trigger on none of them.
SELECT is((SELECT array_agg(r ORDER BY r COLLATE "C") FROM (
    SELECT c.relname || ' ' || a.privilege_type AS r
      FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
     WHERE c.relnamespace = 'partman'::regnamespace AND a.grantee = 'attrib_owner'::regrole
    UNION ALL
    SELECT c.relname || '.' || att.attname || ' ' || a.privilege_type
      FROM pg_class c JOIN pg_attribute att ON att.attrelid = c.oid CROSS JOIN LATERAL aclexplode(att.attacl) a
     WHERE c.relnamespace = 'partman'::regnamespace AND a.grantee = 'attrib_owner'::regrole) g),
    ARRAY['part_config SELECT', 'part_config_sub SELECT', 'table_privs SELECT'],
    'the owner role may only read part_config, part_config_sub and the view table_privs in partman');

-- On Citus the owner logs in (Citus connects to the nodes as the stages'
-- user), with a password only the coordinator's pg_dist_authinfo holds
-- (README, Security; make test-citus checks it there); never elsewhere.
SELECT is((SELECT rolsuper OR (rolcanlogin AND NOT attrib._citus()) FROM pg_roles WHERE rolname = 'attrib_owner'), false,
    'the owner role is neither a superuser nor, but on Citus, a login');

SELECT is(pg_has_role('attrib_runner', 'attrib_owner', 'MEMBER'), false,
    'the runner is not a member of the owner role');

SELECT * FROM finish();
ROLLBACK;
