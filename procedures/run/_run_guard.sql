-- attrib._run_guard: the one guard of run state. Every function that writes
-- run state or does a stage's work for a run calls it first: the calling
-- backend must hold the run lease for that run (attrib.run_begin gave it).
-- So nobody runs a stage beside a run, or without the lease, by calling a
-- private function directly.
CREATE OR REPLACE FUNCTION attrib._run_guard(p_run_id bigint)
RETURNS void
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_run_id IS NULL OR NOT EXISTS (
           SELECT FROM attrib.run_lease l
             JOIN pg_stat_activity a ON a.pid = l.pid AND a.backend_start = l.backend_start
            WHERE l.pid = pg_backend_pid() AND l.run_id = p_run_id) THEN
        RAISE EXCEPTION 'run % was not begun by this session', coalesce(p_run_id::text, 'NULL')
            USING ERRCODE = '55000',
                  HINT = 'Begin a run first (CALL attrib.run_begin(...)), or run it whole: '
                         'CALL attrib.run_attribution(); or one stage: CALL attrib.run_stage(''ingest'');';
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._run_guard(bigint) IS
  'Private: raises 55000 unless this backend holds the run lease for the run';
