-- attrib._run_retry_due: whether the retry job should run again now: the
-- latest run not started by a retry (the nightly one; a run refused at the
-- lease counts, it did not run) began within p_window, no complete run has
-- succeeded since, no run is in progress, and the last failure is one
-- attrib.retry_policy() retries. Says why not in a NOTICE.
CREATE OR REPLACE FUNCTION attrib._run_retry_due(p_window interval)
RETURNS boolean
LANGUAGE plpgsql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_anchor_id    bigint;
    v_anchor_start timestamptz;
    v_sqlstate     text;
    v_message      text;
BEGIN
    IF (SELECT h.pid FROM attrib._run_holder() h) IS NOT NULL THEN
        RAISE NOTICE 'attrib: a run is in progress; nothing to retry';
        RETURN false;
    END IF;
    SELECT r.run_id, r.started_at INTO v_anchor_id, v_anchor_start
      FROM attrib.runs r
     WHERE r.started_by IS DISTINCT FROM 'retry' AND r.stages && ARRAY['ingest', 'start']
     ORDER BY r.run_id DESC
     LIMIT 1;
    IF v_anchor_id IS NULL OR v_anchor_start < now() - p_window THEN
        RAISE NOTICE 'attrib: no run started within the last %; nothing to retry', p_window;
        RETURN false;
    END IF;
    IF EXISTS (SELECT 1 FROM attrib.runs r WHERE r.run_id >= v_anchor_id AND r.complete) THEN
        RAISE NOTICE 'attrib: run % or a later one succeeded; nothing to retry', v_anchor_id;
        RETURN false;
    END IF;
    -- attrib.retry_policy(), as `attrib run` applies it: a passing fault, a
    -- refusal (busy) or a dead backend (no SQLSTATE) is worth a rerun; a
    -- permanent error would only fail again
    SELECT l.sqlstate, l.message INTO v_sqlstate, v_message
      FROM attrib.run_log l
     WHERE l.run_id >= v_anchor_id AND l.status = 'failed'
     ORDER BY l.run_id DESC, l.finished_at DESC NULLS LAST
     LIMIT 1;
    IF v_sqlstate IS NOT NULL AND v_sqlstate <> (SELECT p.busy FROM attrib.retry_policy() p)
       AND NOT attrib._is_transient(v_sqlstate, v_message) THEN
        RAISE NOTICE 'attrib: the last run failed with % (%), which a rerun would not fix; nothing to retry',
                     v_sqlstate, left(v_message, 200);
        RETURN false;
    END IF;
    RETURN true;
END
$$;
COMMENT ON FUNCTION attrib._run_retry_due(interval) IS
  'Private: true when the retry job should rerun the nightly run (not succeeded, within the window, none running)';
