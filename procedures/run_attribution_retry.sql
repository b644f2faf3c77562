-- attrib.run_attribution_retry: what the pg_cron retry job calls (attrib
-- schedule --retry-window). It runs attrib.run_attribution() again only when
-- the latest run not started by a retry (the nightly one) began within
-- p_window, no complete run has succeeded since, and no run is in progress;
-- otherwise it does nothing. Its runs are logged with started_by = 'retry'.
CREATE OR REPLACE PROCEDURE attrib.run_attribution_retry(p_window interval DEFAULT '2 hours')
LANGUAGE plpgsql
AS $$
DECLARE
    v_anchor_id    bigint;
    v_anchor_start timestamptz;
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RETURN;
    END IF;
    IF (SELECT h.pid FROM attrib._run_holder() h) IS NOT NULL THEN
        RAISE NOTICE 'attrib: a run is in progress; nothing to retry';
        RETURN;
    END IF;
    SELECT r.run_id, r.started_at INTO v_anchor_id, v_anchor_start
      FROM attrib.runs r
     WHERE r.started_by IS DISTINCT FROM 'retry' AND 'ingest' = ANY (r.stages)
     ORDER BY r.run_id DESC
     LIMIT 1;
    IF v_anchor_id IS NULL OR v_anchor_start < pg_catalog.now() - p_window THEN
        RAISE NOTICE 'attrib: no run started within the last %; nothing to retry', p_window;
        RETURN;
    END IF;
    IF EXISTS (SELECT 1 FROM attrib.runs r WHERE r.run_id >= v_anchor_id AND r.complete) THEN
        RAISE NOTICE 'attrib: run % or a later one succeeded; nothing to retry', v_anchor_id;
        RETURN;
    END IF;
    PERFORM pg_catalog.set_config('attrib.started_by', 'retry', false);
    CALL attrib.run_attribution();
    PERFORM pg_catalog.set_config('attrib.started_by', '', false);
END
$$;
COMMENT ON PROCEDURE attrib.run_attribution_retry(interval) IS
  'For the pg_cron retry job: runs attrib.run_attribution() again if the nightly run (started within p_window) '
  'has not succeeded and none is in progress; else does nothing';
