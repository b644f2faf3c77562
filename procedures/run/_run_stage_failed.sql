-- attrib._run_stage_failed: logs a stage of a run as failed with the error's
-- SQLSTATE and message, and notifies attrib_run (the caller commits both,
-- then re-raises the error).
CREATE OR REPLACE FUNCTION attrib._run_stage_failed(
    p_run_id   bigint,
    p_stage    text,
    p_sqlstate text,
    p_message  text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE attrib.run_log l
       SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
           sqlstate = p_sqlstate, message = p_message
     WHERE l.run_id = p_run_id AND l.stage = p_stage;
    SELECT attrib._run_notify(p_run_id, 'failed', p_stage, p_sqlstate, p_message);
$$;
COMMENT ON FUNCTION attrib._run_stage_failed(bigint, text, text, text) IS
  'Private: logs a stage of a run as failed with SQLSTATE and message';
