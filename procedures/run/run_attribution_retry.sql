-- attrib.run_attribution_retry: what the pg_cron retry job calls (attrib
-- schedule --retry-window). It runs attrib.run_attribution() again only when
-- attrib._run_retry_due says so: the latest run not started by a retry (the
-- nightly one, also when it was refused at the run lease) began within
-- p_window, no complete run has succeeded since, and no run is in progress;
-- otherwise it does nothing. Its runs are logged with started_by = 'retry'.
-- It runs as its caller: only schema-qualified calls, no operator.
CREATE OR REPLACE PROCEDURE attrib.run_attribution_retry(p_window interval DEFAULT '2 hours')
LANGUAGE plpgsql
AS $$
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RETURN;
    END IF;
    IF NOT attrib._run_retry_due(p_window) THEN
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
