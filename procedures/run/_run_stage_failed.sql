-- attrib._run_stage_failed: logs a stage of a run as failed with the error's
-- SQLSTATE and message (the caller commits it, then re-raises the error).
-- Only the session that began the run may (attrib._run_guard).
CREATE OR REPLACE FUNCTION attrib._run_stage_failed(
    p_run_id   bigint,
    p_stage    text,
    p_sqlstate text,
    p_message  text)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    PERFORM attrib._run_guard(p_run_id);
    UPDATE attrib.run_log l
       SET status = 'failed', finished_at = pg_catalog.clock_timestamp(),
           sqlstate = p_sqlstate, message = p_message
     WHERE l.run_id = p_run_id AND l.stage = p_stage;
END
$$;
COMMENT ON FUNCTION attrib._run_stage_failed(bigint, text, text, text) IS
  'Private: logs a stage of a run as failed with SQLSTATE and message';
