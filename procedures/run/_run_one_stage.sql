-- attrib._run_one_stage: one stage of a begun run, as its own transaction,
-- shared by run_attribution and run_stage. Logs the stage running and
-- COMMITs; runs it; on success logs it ok and COMMITs. On any error it logs
-- the SQLSTATE and message and COMMITs that (so the failure is on record
-- although the stage's work is rolled back), and hands the error back in
-- p_error (sqlstate, message, detail, hint) for the caller to end the run
-- or not, then raise it: a procedure cannot COMMIT inside an exception
-- block, so the caller could not catch it and still commit.
-- It COMMITs, so it cannot pin search_path and runs as its caller: only
-- schema-qualified calls, pg_catalog-qualified types, no operator.
CREATE OR REPLACE PROCEDURE attrib._run_one_stage(
    p_run_id      pg_catalog.int8,
    p_stage       pg_catalog.text,
    INOUT p_error pg_catalog.text[] DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_sqlstate pg_catalog.text;
    v_message  pg_catalog.text;
    v_detail   pg_catalog.text;
    v_hint     pg_catalog.text;
BEGIN
    p_error := NULL;
    BEGIN
        PERFORM attrib._run_stage_begin(p_run_id, p_stage);
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_sqlstate = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    END;
    IF v_sqlstate IS NOT NULL THEN
        p_error := ARRAY[v_sqlstate, v_message, v_detail, v_hint];
        RETURN;
    END IF;
    COMMIT;
    BEGIN
        PERFORM attrib._run_stage_exec(p_run_id, p_stage);
    EXCEPTION WHEN query_canceled OR assert_failure OR OTHERS THEN
        -- not swallowed: kept here, committed below, then raised by the caller
        GET STACKED DIAGNOSTICS v_sqlstate = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    END;
    IF v_sqlstate IS NULL THEN
        COMMIT;
        RETURN;
    END IF;
    PERFORM attrib._run_stage_failed(p_run_id, p_stage, v_sqlstate, v_message);
    COMMIT;
    p_error := ARRAY[v_sqlstate, v_message, v_detail, v_hint];
END
$$;
COMMENT ON PROCEDURE attrib._run_one_stage(bigint, text, text[]) IS
  'Private: one stage of a begun run as its own committed transaction, logged in run_log; an error is logged, '
  'committed and handed back';
