-- attrib._run_notify: tells listeners that a run ended: NOTIFY attrib_run
-- with a JSON payload (database, run_id, status ok or failed, stage, sqlstate,
-- message, finished_at). With pg_cron there is no Python process to page
-- anyone when the nightly run fails; a monitor that LISTENs attrib_run (or
-- polls `attrib status --check`) sees it. Sent when the caller commits:
-- after the last stage succeeded, or after a stage failed (the failure is
-- committed before it is raised), or when a run was refused.
CREATE OR REPLACE FUNCTION attrib._run_notify(
    p_run_id   bigint,
    p_status   text,
    p_stage    text,
    p_sqlstate text DEFAULT NULL,
    p_message  text DEFAULT NULL)
RETURNS void
LANGUAGE sql
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT pg_notify('attrib_run', json_build_object(
               'database', current_database(), 'run_id', p_run_id, 'status', p_status, 'stage', p_stage,
               'sqlstate', p_sqlstate, 'message', left(p_message, 4000),
               'finished_at', clock_timestamp())::text)
$$;
COMMENT ON FUNCTION attrib._run_notify(bigint, text, text, text, text) IS
  'Private: NOTIFY attrib_run with a JSON payload when a run ends (ok, failed or refused)';
