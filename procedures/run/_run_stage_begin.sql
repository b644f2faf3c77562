-- attrib._run_stage_begin: records that a stage of a run starts (a retry of
-- the same stage in the same run reuses its row and counts the attempt),
-- and arms one firing of a test fault for the stage, if attrib.test_faults
-- has one left. The caller commits both before the stage runs, so they
-- survive it. Only the session that began the run may (attrib._run_guard).
CREATE OR REPLACE FUNCTION attrib._run_stage_begin(p_run_id bigint, p_stage text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM attrib._run_guard(p_run_id);
    INSERT INTO attrib.run_log AS l (run_id, stage, started_at, status, pid, started_by)
    VALUES (p_run_id, p_stage, pg_catalog.clock_timestamp(), 'running', pg_catalog.pg_backend_pid(),
            attrib._started_by())
    ON CONFLICT (run_id, stage) DO UPDATE
       SET started_at = EXCLUDED.started_at, finished_at = NULL, status = 'running',
           rows_read = NULL, rows_written = NULL, rows_rejected = NULL, rows_duplicated = NULL,
           sqlstate = NULL, message = NULL, pid = EXCLUDED.pid, attempts = l.attempts + 1;
    -- Test faults: only attrib's owner (or a superuser) can write the table,
    -- so a fault is never a caller's argument and never a login's doing.
    UPDATE attrib.test_faults f
       SET armed = f.remaining > 0, remaining = greatest(f.remaining - 1, 0)
     WHERE f.stage = p_stage AND (f.remaining > 0 OR f.armed);
END
$$;
COMMENT ON FUNCTION attrib._run_stage_begin(bigint, text) IS
  'Private: logs a stage as running (counting attempts) and arms a test fault for it, if any';
