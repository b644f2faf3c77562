-- attrib._run_stages: the stages of a run, in the order they run. The one
-- place that lists them: run_attribution, run_stage and the CLI read it.
CREATE OR REPLACE FUNCTION attrib._run_stages()
RETURNS text[]
LANGUAGE sql IMMUTABLE
BEGIN ATOMIC
    SELECT ARRAY['ingest', 'alias', 'sessionize', 'signup', 'attribute', 'maintain']::text[];
END;
COMMENT ON FUNCTION attrib._run_stages() IS 'Private: the stages of a run, in run order';
