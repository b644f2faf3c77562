-- attrib._run_one_stage: one stage of a run, as its own transaction, shared
-- by run_attribution and run_stage (which hold the run lock). Logs the stage
-- running and COMMITs; runs it; on success logs it ok and COMMITs. On any
-- error it logs the SQLSTATE and message, COMMITs that (so the failure is
-- on record although the stage's work is rolled back), releases the caller's
-- run lock and raises the error again with its SQLSTATE, DETAIL and HINT.
-- No SET search_path: it COMMITs. Everything is schema-qualified.
CREATE OR REPLACE PROCEDURE attrib._run_one_stage(p_run_id bigint, p_stage text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_fault_sqlstate text;
    v_fault_message  text;
    v_fault_sleep    double precision;
    v_sqlstate       text;
    v_message        text;
    v_detail         text;
    v_hint           text;
BEGIN
    BEGIN
        SELECT b.fault_sqlstate, b.fault_message, b.fault_sleep
          INTO v_fault_sqlstate, v_fault_message, v_fault_sleep
          FROM attrib._run_stage_begin(p_run_id, p_stage) b;
    EXCEPTION WHEN OTHERS THEN
        PERFORM attrib._run_unlock();
        RAISE;
    END;
    COMMIT;

    BEGIN
        PERFORM attrib._run_stage_exec(p_run_id, p_stage, v_fault_sqlstate, v_fault_message, v_fault_sleep);
    EXCEPTION WHEN query_canceled OR assert_failure OR OTHERS THEN
        -- not swallowed: kept here, committed below, then raised again
        GET STACKED DIAGNOSTICS v_sqlstate = RETURNED_SQLSTATE,
                                v_message  = MESSAGE_TEXT,
                                v_detail   = PG_EXCEPTION_DETAIL,
                                v_hint     = PG_EXCEPTION_HINT;
    END;

    IF v_sqlstate IS NULL THEN
        COMMIT;
        RETURN;
    END IF;

    PERFORM attrib._run_stage_failed(p_run_id, p_stage, v_sqlstate, v_message);
    COMMIT;
    PERFORM attrib._run_unlock();
    PERFORM attrib._raise(v_sqlstate, v_message, v_detail, v_hint);
END
$$;
COMMENT ON PROCEDURE attrib._run_one_stage(bigint, text) IS
  'Private: one stage as its own committed transaction, logged in run_log; on error logs, commits, unlocks, re-raises';
