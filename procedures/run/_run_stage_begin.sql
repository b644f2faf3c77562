-- attrib._run_stage_begin: records that a stage of a run starts (a retry of
-- the same stage in the same run reuses its row and counts the attempt), and
-- takes one firing of a test fault for the stage, if attrib.test_faults has
-- one and the session set attrib.testing = on. The caller commits both
-- before the stage runs, so they survive it.
CREATE OR REPLACE FUNCTION attrib._run_stage_begin(
    p_run_id           bigint,
    p_stage            text,
    OUT fault_sqlstate text,
    OUT fault_message  text,
    OUT fault_sleep    double precision)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    INSERT INTO attrib.run_log AS l (run_id, stage, started_at, status, pid, started_by)
    VALUES (p_run_id, p_stage, pg_catalog.clock_timestamp(), 'running', pg_catalog.pg_backend_pid(),
            attrib._started_by())
    ON CONFLICT (run_id, stage) DO UPDATE
       SET started_at = EXCLUDED.started_at, finished_at = NULL, status = 'running',
           rows_read = NULL, rows_written = NULL, rows_rejected = NULL, rows_duplicated = NULL,
           sqlstate = NULL, message = NULL, pid = EXCLUDED.pid, attempts = l.attempts + 1;

    -- Test faults fire only where a test harness switched them on: a row left
    -- in attrib.test_faults never breaks a production run.
    UPDATE attrib.test_faults f
       SET remaining = f.remaining - 1
     WHERE f.stage = p_stage AND f.remaining > 0
       AND coalesce(current_setting('attrib.testing', true), '') = 'on'
    RETURNING f.sqlstate, f.message, f.sleep_seconds INTO fault_sqlstate, fault_message, fault_sleep;
END
$$;
COMMENT ON FUNCTION attrib._run_stage_begin(bigint, text) IS
  'Private: logs a stage as running (counting attempts) and takes a test fault for it, if any';
