-- attrib.reset: empties every derived table and the ingest watermarks, so
-- the next run rebuilds everything from the source (`attrib run --full`).
-- The published outputs stay readable meanwhile: every published alias is
-- marked dirty instead, so the rebuild's publish replaces (or removes) it in
-- one transaction. Settings, source classes and the run log are kept.
-- Its counts are a stage's (written: the aliases marked dirty), so a run
-- calls it like any stage (attrib.stages).
CREATE OR REPLACE FUNCTION attrib.reset(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
-- UTC and ISO whatever the caller or server uses (definitions §9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    TRUNCATE partitioning.events, partitioning.message_index, partitioning.alias_months, attrib.rejects, attrib.duplicates, attrib.ingest_state, attrib.overlap_rows, attrib.months_written,
             aliasing.identify_pairs, aliasing.known_pairs, aliasing.owners,
             sessions_stages.changed_identities, sessions_stages.touched_anonymous_ids, sessions_stages.dirty_aliases,
             sessions_stages.all_sessions, sessions_stages.signups, sessions_stages.useful_sessions, sessions_stages.attribution,
             sessions_stages.attribution_credit, sessions_stages.user_session_counts;
    UPDATE attrib.pipeline_state
       SET outputs_fingerprint = NULL, sessionized_at = NULL, signup_for = NULL, outputs_changed = 0;
    INSERT INTO sessions_stages.dirty_aliases (alias_id)
    SELECT u.alias_id FROM sessions.user_session_counts u;
    -- the counts every stage reports: the published aliases marked for the rebuild
    GET DIAGNOSTICS rows_written = ROW_COUNT;
    rows_read := 0;
    rows_rejected := 0;
    rows_duplicated := 0;
END
$$;
COMMENT ON FUNCTION attrib.reset(bigint) IS
  'Empties all derived data and watermarks (published outputs stay until the rebuild publishes); the next run rebuilds from the source';
