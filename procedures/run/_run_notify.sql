-- attrib._run_notify: tells listeners that a run ended: NOTIFY attrib_run
-- with a JSON payload of the run id and its status (ok or failed). With
-- pg_cron there is no Python process to page anyone when the nightly run
-- fails; a monitor that LISTENs attrib_run (or polls `attrib status
-- --check`) sees it. Channels have no ACL (any login may LISTEN), so the
-- payload carries nothing else: the details are in attrib.run_log. Sent
-- when the caller commits: by attrib.run_end, or by a refused or failed start.
CREATE OR REPLACE FUNCTION attrib._run_notify(p_run_id bigint, p_status text)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_notify('attrib_run', json_build_object('run_id', p_run_id, 'status', p_status)::text)
$$;
COMMENT ON FUNCTION attrib._run_notify(bigint, text) IS
  'Private: NOTIFY attrib_run with {run_id, status} when a run ends (ok, failed or refused)';
