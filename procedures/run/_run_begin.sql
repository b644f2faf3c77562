-- attrib._run_begin: the start of every run and every single-stage call:
-- take the run lease, mark the rows of dead runs failed, and return the run
-- id (a new one unless p_run_id continues a run). When another run holds
-- the lease it returns NULL instead of raising, after logging the refusal
-- as the run's 'start' row: the caller commits that row (so a refused
-- nightly run is on record and the retry job sees it), then raises with
-- attrib._run_refused(). Before anything else it checks every setting
-- (attrib._check_settings): a bad one stops the run before its first stage,
-- naming the setting, and nothing is logged or locked.
CREATE OR REPLACE FUNCTION attrib._run_begin(p_run_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM attrib._check_settings();
    BEGIN
        PERFORM attrib._run_lock();
    EXCEPTION WHEN lock_not_available THEN
        INSERT INTO attrib.run_log (run_id, stage, started_at, finished_at, status, sqlstate, message, started_by)
        VALUES (coalesce(p_run_id, nextval('attrib.run_id_seq')), 'start', clock_timestamp(), clock_timestamp(),
                'failed', '55P03', 'refused: ' || SQLERRM, attrib._started_by())
        ON CONFLICT (run_id, stage) DO UPDATE
           SET finished_at = EXCLUDED.finished_at, status = 'failed', sqlstate = EXCLUDED.sqlstate,
               message = EXCLUDED.message, pid = EXCLUDED.pid;
        PERFORM attrib._run_notify(coalesce(p_run_id, currval('attrib.run_id_seq')), 'failed', 'start', '55P03',
                                   'refused: ' || SQLERRM);
        RETURN NULL;
    END;
    PERFORM attrib._run_mark_abandoned();
    RETURN coalesce(p_run_id, nextval('attrib.run_id_seq'));
END
$$;
COMMENT ON FUNCTION attrib._run_begin(bigint) IS
  'Private: checks every setting, takes the run lease, marks dead runs failed, returns the run id (new unless given); '
  'NULL when refused (logged as stage start, failed 55P03)';
