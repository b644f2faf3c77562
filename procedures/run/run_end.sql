-- attrib.run_end: the end of every run: releases the run lease and
-- announces the run once, on channel attrib_run, with its id and status
-- (ok, or failed when any stage failed). Only the session that began the
-- run can end it (attrib._run_guard). Returns the status.
CREATE OR REPLACE FUNCTION attrib.run_end(p_run_id bigint)
RETURNS text
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_status text;
BEGIN
    PERFORM attrib._run_guard(p_run_id);
    v_status := CASE WHEN EXISTS (SELECT FROM attrib.run_log l
                                   WHERE l.run_id = p_run_id AND l.status <> 'ok') THEN 'failed' ELSE 'ok' END;
    PERFORM attrib._run_unlock();
    PERFORM attrib._run_notify(p_run_id, v_status);
    RETURN v_status;
END
$$;
COMMENT ON FUNCTION attrib.run_end(bigint) IS
  'Ends a run begun by this session: releases the run lease, NOTIFY attrib_run once (run id, status); returns the status';
