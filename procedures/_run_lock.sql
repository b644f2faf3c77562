-- attrib._run_lock: takes the run lock (a session-level advisory lock, so it
-- survives the COMMITs between stages and vanishes with a dead backend), or
-- fails at once with 55P03 naming the run that holds it. Re-entrant within a
-- session: the CLI holds it across its stage calls, and each run_stage call
-- takes and releases one more level.
CREATE OR REPLACE FUNCTION attrib._run_lock()
RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
    v_holder record;
BEGIN
    FOR v_attempt IN 1..3 LOOP
        IF pg_catalog.pg_try_advisory_lock(attrib._run_lock_key()) THEN
            RETURN;
        END IF;
        SELECT * INTO v_holder FROM attrib._run_holder();
        IF v_holder.pid IS NOT NULL THEN
            RAISE EXCEPTION 'another attrib run is in progress: %',
                CASE WHEN v_holder.run_id IS NOT NULL
                     THEN format('run %s, pid %s, started %s', v_holder.run_id, v_holder.pid,
                                 to_char(v_holder.run_started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'))
                     ELSE format('pid %s holds the run lock (connected %s)', v_holder.pid,
                                 coalesce(to_char(v_holder.backend_start AT TIME ZONE 'UTC',
                                                  'YYYY-MM-DD HH24:MI:SS "UTC"'), 'at an unknown time'))
                END
                USING ERRCODE = '55P03',
                      DETAIL = format('The running run is in stage %s; application %s.',
                                      coalesce(v_holder.stage, '(none yet)'),
                                      coalesce(nullif(v_holder.application_name, ''), '(unknown)')),
                      HINT = format('Wait for it to finish (`attrib status` shows its progress). If it hangs, '
                                    'SELECT pg_terminate_backend(%s); the next run marks its stages failed.',
                                    v_holder.pid);
        END IF;
        -- the holder let go between our try and our look: try again
    END LOOP;
    RAISE EXCEPTION 'another attrib run is in progress: the run lock is taken and released too often to get it'
        USING ERRCODE = '55P03',
              HINT = 'Wait a moment and try again; `attrib status` shows the runs.';
END
$$;
COMMENT ON FUNCTION attrib._run_lock() IS
  'Private: takes the run lock or raises 55P03 naming the running run (pid, start time)';
