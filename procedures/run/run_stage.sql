-- attrib.run_stage: one stage. With p_run_id NULL it is a run of its own:
-- CALL attrib.run_stage('sessionize') begins a run (attrib.run_begin),
-- runs the stage and ends the run (attrib.run_end), returning its id. With
-- a run id it continues a run this session began (the CLI begins a run,
-- then calls its stages one by one, with retries, then ends it); the run
-- stays begun when the stage fails, for the caller to retry the stage or
-- end the run. 'reset' is a stage too (it empties everything derived).
-- It COMMITs, so it cannot pin search_path and runs as its caller: only
-- schema-qualified calls, pg_catalog-qualified types, no operator.
CREATE OR REPLACE PROCEDURE attrib.run_stage(p_stage pg_catalog.text, INOUT p_run_id pg_catalog.int8 DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_alone pg_catalog.bool := p_run_id IS NULL;
    v_error pg_catalog.text[];
    v_stages pg_catalog.text[];
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    IF v_alone THEN
        CALL attrib.run_begin(false, p_stage, NULL, p_run_id, v_stages);
    END IF;
    CALL attrib._run_one_stage(p_run_id, p_stage, v_error);
    IF v_alone THEN
        PERFORM attrib.run_end(p_run_id);
        COMMIT;
    END IF;
    IF v_error IS NOT NULL THEN
        PERFORM attrib._raise(v_error[1], v_error[2], v_error[3], v_error[4]);
    END IF;
END
$$;
COMMENT ON PROCEDURE attrib.run_stage(text, bigint) IS
  'One stage (ingest, alias, sessionize, signup, attribute, maintain, or reset): p_run_id continues a run this '
  'session began (attrib.run_begin); NULL makes it a run of its own; returns the run id. CALL it outside a transaction block.';
