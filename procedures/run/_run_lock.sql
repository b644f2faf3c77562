-- attrib._run_lock: takes the run lease (attrib.run_lease) for run p_run_id
-- (NULL: for a forget), or fails at once with SQLSTATE AT055 ("busy")
-- naming the run that holds it. The lease is a row only attrib's own
-- functions can write, so no other login can take or fake it (a public
-- advisory lock could be taken by anyone). It survives the COMMITs between
-- stages; a holder whose backend is gone (terminated, crashed, lost
-- connection) is dead and loses it to the next taker. One level: only
-- attrib.run_begin and attrib.forget take it. The caller commits it.
CREATE OR REPLACE FUNCTION attrib._run_lock(p_run_id bigint DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_holder record;
BEGIN
    -- A concurrent taker waits here for the other's commit, then sees it alive.
    UPDATE attrib.run_lease l
       SET pid = pg_backend_pid(),
           backend_start = (SELECT a.backend_start FROM pg_stat_activity a WHERE a.pid = pg_backend_pid()),
           taken_at = clock_timestamp(),
           run_id = p_run_id
     WHERE l.pid IS NULL
        OR NOT EXISTS (SELECT FROM pg_stat_activity a WHERE a.pid = l.pid AND a.backend_start = l.backend_start);
    IF FOUND THEN
        RETURN;
    END IF;
    SELECT * INTO v_holder FROM attrib._run_holder();
    RAISE EXCEPTION 'another attrib run is in progress: %',
        CASE WHEN v_holder.run_id IS NOT NULL
             THEN format('run %s, pid %s, started %s', v_holder.run_id, v_holder.pid,
                         coalesce(to_char(v_holder.run_started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS "UTC"'),
                                  'just now'))
             ELSE format('pid %s holds the run lease (connected %s)', v_holder.pid,
                         coalesce(to_char(v_holder.backend_start AT TIME ZONE 'UTC',
                                          'YYYY-MM-DD HH24:MI:SS "UTC"'), 'at an unknown time'))
        END
        USING ERRCODE = 'AT055',
              DETAIL = format('The running run is in stage %s; application %s.',
                              coalesce(v_holder.stage, '(none yet)'),
                              coalesce(nullif(v_holder.application_name, ''), '(unknown)')),
              HINT = format('Wait for it to finish (`attrib status` shows its progress). If it hangs, '
                            'SELECT pg_terminate_backend(%s); the next run marks its stages failed.',
                            v_holder.pid);
END
$$;
COMMENT ON FUNCTION attrib._run_lock(bigint) IS
  'Private: takes the run lease for a run (NULL: a forget) or raises AT055 (busy) naming the running run';
