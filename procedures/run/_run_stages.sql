-- attrib._run_stages: the stages of a run, in the order they run, as
-- attrib.stages lists them (reset, which only --full runs, is not one).
CREATE OR REPLACE FUNCTION attrib._run_stages()
RETURNS text[]
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT array_agg(s.name ORDER BY s.position) FROM attrib.stages s WHERE s.in_run;
END;
COMMENT ON FUNCTION attrib._run_stages() IS 'Private: the stages of a run, in run order (attrib.stages)';
