-- attrib._run_stage_exec: the work of one stage, in the caller's
-- transaction: calls the stage function named in attrib.stages (reset
-- included: every stage function has the same counts), fires the test
-- fault armed by _run_stage_begin (sleep inside the stage's transaction,
-- then raise its SQLSTATE), and logs the stage ok with its counts. Anything
-- it raises rolls all of that back. Only the session that began the run
-- may (attrib._run_guard).
CREATE OR REPLACE FUNCTION attrib._run_stage_exec(p_run_id bigint, p_stage text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- UTC and ISO whatever the caller or server uses (definitions §9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_stage      text;
    v_read       bigint;
    v_written    bigint;
    v_rejected   bigint;
    v_duplicated bigint;
    v_fault      attrib.test_faults;
BEGIN
    PERFORM attrib._run_guard(p_run_id);
    -- the name comes from attrib.stages, never from the caller's text
    SELECT s.name INTO STRICT v_stage FROM attrib.stages s WHERE s.name = p_stage;
    EXECUTE format('SELECT s.rows_read, s.rows_written, s.rows_rejected, s.rows_duplicated '
                   'FROM attrib.%I($1) s', v_stage)
       INTO v_read, v_written, v_rejected, v_duplicated
      USING p_run_id;

    -- a stage that called pg_partman handed the session its own search_path
    -- back (attrib._partman_done); the rest of this function keeps the pinned one
    PERFORM pg_catalog.set_config('search_path', 'pg_catalog, pg_temp', true);

    UPDATE attrib.test_faults f SET armed = false WHERE f.stage = v_stage AND f.armed
    RETURNING f.* INTO v_fault;
    IF v_fault.sleep_seconds > 0 THEN
        PERFORM pg_catalog.pg_sleep(least(v_fault.sleep_seconds, 120));  -- bounded, whatever the table says
    END IF;
    IF v_fault.sqlstate IS NOT NULL THEN
        RAISE EXCEPTION '%', v_fault.message
            USING ERRCODE = v_fault.sqlstate,
                  HINT = 'Injected by the test-only table attrib.test_faults.';
    END IF;

    UPDATE attrib.run_log l
       SET status = 'ok', finished_at = pg_catalog.clock_timestamp(),
           rows_read = v_read, rows_written = v_written,
           rows_rejected = v_rejected, rows_duplicated = v_duplicated
     WHERE l.run_id = p_run_id AND l.stage = v_stage;
END
$$;
COMMENT ON FUNCTION attrib._run_stage_exec(bigint, text) IS
  'Private: runs one stage function in the caller''s transaction and logs it ok with its counts';
