-- attrib._run_check_stage: raises 22023 unless p_stage is a stage of a run
-- or 'reset' (run_stage cannot compare it itself: it runs under its
-- caller's search_path, where an operator is not to be trusted).
CREATE OR REPLACE FUNCTION attrib._run_check_stage(p_stage text)
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF p_stage IS NULL OR NOT (p_stage = ANY (attrib._run_stages() || 'reset'::text)) THEN
        RAISE EXCEPTION 'unknown stage "%"', coalesce(p_stage, 'NULL')
            USING ERRCODE = '22023',
                  HINT = format('Stages, in run order: %s; or reset (empties everything derived, for a '
                                'rebuild from the source).', array_to_string(attrib._run_stages(), ', '));
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._run_check_stage(text) IS 'Private: raises 22023 unless the name is a stage or reset';
