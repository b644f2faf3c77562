-- attrib.run_stage: one stage, with the same lease and log handling as
-- run_attribution: CALL attrib.run_stage('sessionize'). p_run_id continues a
-- run (the CLI runs a whole run stage by stage this way, with retries); NULL
-- starts a new run. The run id is returned (INOUT). 'reset' is accepted too:
-- it empties everything derived, as run_attribution(true) does first.
-- Like run_attribution it COMMITs, runs as its caller and so holds only
-- schema-qualified calls and no operator.
CREATE OR REPLACE PROCEDURE attrib.run_stage(p_stage text, INOUT p_run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM attrib._run_check_stage(p_stage);  -- before the run begins: nothing logged for a typo
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    p_run_id := attrib._run_begin(p_run_id);
    COMMIT;
    IF p_run_id IS NULL THEN
        PERFORM attrib._run_refused();
    END IF;
    CALL attrib._run_one_stage(p_run_id, p_stage);
    PERFORM attrib._run_unlock();
END
$$;
COMMENT ON PROCEDURE attrib.run_stage(text, bigint) IS
  'One stage (ingest, alias, sessionize, signup, attribute, maintain, or reset) with the run lease and run_log; '
  'p_run_id continues a run, NULL starts one; returns the run id. CALL it outside a transaction block.';
