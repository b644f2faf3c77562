-- attrib._run_one_stage: one stage of a run, as its own transaction, shared
-- by run_attribution and run_stage (which hold the run lease). Logs the
-- stage running and COMMITs; runs it; on success logs it ok and COMMITs. On
-- any error it logs the SQLSTATE and message, releases the caller's level
-- of the run lease, COMMITs both (so the failure is on record although the
-- stage's work is rolled back) and raises the error again with its
-- SQLSTATE, DETAIL and HINT.
-- It COMMITs, so it cannot pin search_path and runs as its caller: only
-- schema-qualified calls, pg_catalog-qualified types, no operator.
CREATE OR REPLACE PROCEDURE attrib._run_one_stage(p_run_id bigint, p_stage text)
LANGUAGE plpgsql
AS $$
DECLARE
    v_fault_sqlstate pg_catalog.text;
    v_fault_message  pg_catalog.text;
    v_fault_sleep    pg_catalog.float8;
    v_sqlstate       pg_catalog.text;
    v_message        pg_catalog.text;
    v_detail         pg_catalog.text;
    v_hint           pg_catalog.text;
BEGIN
    BEGIN
        SELECT b.fault_sqlstate, b.fault_message, b.fault_sleep
          INTO v_fault_sqlstate, v_fault_message, v_fault_sleep
          FROM attrib._run_stage_begin(p_run_id, p_stage) b;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_sqlstate = RETURNED_SQLSTATE,
                                v_message  = MESSAGE_TEXT,
                                v_detail   = PG_EXCEPTION_DETAIL,
                                v_hint     = PG_EXCEPTION_HINT;
    END;
    IF v_sqlstate IS NOT NULL THEN
        PERFORM attrib._run_unlock();
        COMMIT;
        PERFORM attrib._raise(v_sqlstate, v_message, v_detail, v_hint);
    END IF;
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
    PERFORM attrib._run_unlock();
    COMMIT;
    PERFORM attrib._raise(v_sqlstate, v_message, v_detail, v_hint);
END
$$;
COMMENT ON PROCEDURE attrib._run_one_stage(bigint, text) IS
  'Private: one stage as its own committed transaction, logged in run_log; on error logs, unlocks, commits, re-raises';
