-- attrib._run_refused: raises the 55P03 that attrib._run_begin recorded for
-- this backend's latest refused run, after its caller committed the record.
CREATE OR REPLACE FUNCTION attrib._run_refused()
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_message text;
BEGIN
    SELECT l.message INTO v_message
      FROM attrib.run_log l
     WHERE l.pid = pg_backend_pid() AND l.stage = 'start' AND l.sqlstate = '55P03'
     ORDER BY l.run_id DESC
     LIMIT 1;
    RAISE EXCEPTION '%', substr(coalesce(v_message, 'refused: another attrib run is in progress'), 10)
        USING ERRCODE = '55P03',
              HINT = 'Wait for it to finish (`attrib status` shows its progress). If it hangs, '
                     'end its backend with pg_terminate_backend; the next run marks its stages failed.';
END
$$;
COMMENT ON FUNCTION attrib._run_refused() IS
  'Private: raises 55P03 for the run this backend was refused (recorded by attrib._run_begin)';
