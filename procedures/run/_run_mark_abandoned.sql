-- attrib._run_mark_abandoned: called with the run lock held, so no other run
-- is alive: every run_log row still 'running' belongs to a backend that died
-- (pg_terminate_backend, crash, lost connection) before its stage finished.
-- Its stage's transaction was rolled back; the row says so.
CREATE OR REPLACE FUNCTION attrib._run_mark_abandoned()
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_count bigint;
BEGIN
    UPDATE attrib.run_log l
       SET status = 'failed',
           finished_at = pg_catalog.clock_timestamp(),
           message = format('abandoned: its backend (pid %s) ended before the stage finished '
                            '(terminated, crashed or disconnected); nothing of the stage was kept', l.pid)
     WHERE l.status = 'running';
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_count;
END
$$;
COMMENT ON FUNCTION attrib._run_mark_abandoned() IS
  'Private: marks failed the run_log rows left running by a backend that died; call with the run lock held';
