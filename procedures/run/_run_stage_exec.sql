-- attrib._run_stage_exec: the work of one stage, in the caller's
-- transaction: calls the stage function (or attrib.reset for 'reset'), fires
-- the test fault taken by _run_stage_begin (sleep inside the stage's
-- transaction, then raise its SQLSTATE), and logs the stage ok with its
-- counts. Anything it raises rolls all of that back.
CREATE OR REPLACE FUNCTION attrib._run_stage_exec(
    p_run_id         bigint,
    p_stage          text,
    p_fault_sqlstate text DEFAULT NULL,
    p_fault_message  text DEFAULT NULL,
    p_fault_sleep    double precision DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- UTC and ISO whatever the caller or server uses (SPEC 9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_read       bigint;
    v_written    bigint;
    v_rejected   bigint;
    v_duplicated bigint;
BEGIN
    -- run_stage checked the name (attrib._run_check_stage) before the run began
    IF p_stage = 'reset' THEN
        PERFORM attrib.reset();
    ELSE
        EXECUTE format('SELECT s.rows_read, s.rows_written, s.rows_rejected, s.rows_duplicated '
                       'FROM attrib.%I($1) s', p_stage)
           INTO v_read, v_written, v_rejected, v_duplicated
          USING p_run_id;
    END IF;

    -- a stage that called pg_partman handed the session its own search_path
    -- back (attrib._partman_done); the rest of this function keeps the pinned one
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

    IF p_fault_sleep > 0 THEN
        PERFORM pg_catalog.pg_sleep(least(p_fault_sleep, 120));  -- bounded, whatever the table says
    END IF;
    IF p_fault_sqlstate IS NOT NULL THEN
        RAISE EXCEPTION '%', coalesce(p_fault_message, 'injected fault')
            USING ERRCODE = p_fault_sqlstate,
                  HINT = 'Injected by the test-only table attrib.test_faults.';
    END IF;

    UPDATE attrib.run_log l
       SET status = 'ok', finished_at = pg_catalog.clock_timestamp(),
           rows_read = v_read, rows_written = v_written,
           rows_rejected = v_rejected, rows_duplicated = v_duplicated
     WHERE l.run_id = p_run_id AND l.stage = p_stage;
    IF p_stage = (attrib._run_stages())[array_length(attrib._run_stages(), 1)] THEN
        PERFORM attrib._run_notify(p_run_id, 'ok', p_stage);  -- the last stage: the run is done
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._run_stage_exec(bigint, text, text, text, double precision) IS
  'Private: runs one stage function in the caller''s transaction and logs it ok with its counts';
