-- attrib.run_stage: one stage, with the same lock and log handling as
-- run_attribution: CALL attrib.run_stage('sessionize'). p_run_id continues a
-- run (the CLI runs a whole run stage by stage this way, with retries); NULL
-- starts a new run. The run id is returned (INOUT). 'reset' is accepted too:
-- it empties everything derived, as run_attribution(true) does first.
CREATE OR REPLACE PROCEDURE attrib.run_stage(p_stage text, INOUT p_run_id bigint DEFAULT NULL)
LANGUAGE plpgsql
AS $$
BEGIN
    IF p_stage IS NULL OR NOT (p_stage = ANY (attrib._run_stages() || 'reset'::text)) THEN
        RAISE EXCEPTION 'unknown stage "%"', coalesce(p_stage, 'NULL')
            USING ERRCODE = '22023',
                  HINT = format('Stages, in run order: %s; or reset (empties everything derived, for a '
                                'rebuild from the source).', array_to_string(attrib._run_stages(), ', '));
    END IF;
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    p_run_id := attrib._run_begin(p_run_id);
    COMMIT;
    CALL attrib._run_one_stage(p_run_id, p_stage);
    PERFORM attrib._run_unlock();
END
$$;
COMMENT ON PROCEDURE attrib.run_stage(text, bigint) IS
  'One stage (ingest, alias, sessionize, signup, attribute, maintain, or reset) with the run lock and run_log; '
  'p_run_id continues a run, NULL starts one; returns the run id. CALL it outside a transaction block.';
