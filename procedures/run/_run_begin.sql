-- attrib._run_begin: the work of attrib.run_begin, as attrib's owner. For a
-- new run (p_resume NULL): checks the stage asked for (a typo is a usage
-- error, 42704, and nothing is logged), takes the run lease, marks the
-- stages of runs whose backend died failed, draws the run id and checks
-- every setting once. For p_resume: takes the lease again for that run (the
-- CLI after a lost connection), nothing else.
--
-- It never raises for a refused or failed start: a run that another run's
-- lease refuses (busy, AT055) or whose settings fail is logged as the run's
-- 'start' row, failed, with the error, and announced on attrib_run; the
-- error comes back in the OUT columns so that the caller (run_begin)
-- commits the record before it raises. Monitoring then sees every refused
-- or failed run in attrib.run_log and attrib status --check.
CREATE OR REPLACE FUNCTION attrib._run_begin(
    p_full       boolean,
    p_stage      text,
    p_resume     bigint,
    OUT run_id      bigint,
    OUT stages      text[],
    OUT err_state   text,
    OUT err_message text,
    OUT err_detail  text,
    OUT err_hint    text)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_run_id bigint;
    v_state  text;
    v_message text;
    v_detail text;
    v_hint   text;
BEGIN
    IF p_stage IS NOT NULL AND NOT EXISTS (SELECT FROM attrib.stages s WHERE s.name = p_stage) THEN
        RAISE EXCEPTION 'unknown stage "%"', p_stage
            USING ERRCODE = '42704',  -- undefined_object: a usage error, nothing logged
                  HINT = format('Stages, in run order: %s; or reset (empties everything derived, for a '
                                'rebuild from the source).', array_to_string(attrib._run_stages(), ', '));
    END IF;
    IF p_resume IS NOT NULL THEN
        PERFORM attrib._run_lock(p_resume);  -- AT055 while the lost backend still holds it: the caller waits
        run_id := p_resume;
        RETURN;
    END IF;
    stages := CASE WHEN p_stage IS NOT NULL THEN ARRAY[p_stage]
                   WHEN p_full THEN ARRAY['reset']::text[] || attrib._run_stages()
                   ELSE attrib._run_stages() END;
    v_run_id := nextval('attrib.run_id_seq');
    run_id := v_run_id;
    BEGIN
        PERFORM attrib._run_lock(v_run_id);
        PERFORM attrib._run_mark_abandoned();
        PERFORM attrib._check_settings();
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS v_state = RETURNED_SQLSTATE, v_message = MESSAGE_TEXT,
                                v_detail = PG_EXCEPTION_DETAIL, v_hint = PG_EXCEPTION_HINT;
    END;
    IF v_state IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO attrib.run_log AS l (run_id, stage, started_at, finished_at, status, sqlstate, message, started_by)
    VALUES (v_run_id, 'start', clock_timestamp(), clock_timestamp(), 'failed', v_state,
            CASE WHEN v_state = 'AT055' THEN 'refused: ' ELSE '' END || v_message, attrib._started_by());
    PERFORM attrib._run_notify(v_run_id, 'failed');
    err_state := v_state;
    err_message := v_message;
    err_detail := v_detail;
    err_hint := v_hint;
END
$$;
COMMENT ON FUNCTION attrib._run_begin(boolean, text, bigint) IS
  'Private: begins (or resumes) a run: lease, abandoned runs, run id, settings; a refused or failed start is '
  'logged and returned, not raised';
