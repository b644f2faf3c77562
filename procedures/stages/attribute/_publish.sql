-- attrib._publish: replaces the published rows of every sessionized dirty
-- alias with the stage tables' rows, in the caller's transaction. Aliases
-- marked dirty after the last sessionize wait for the next run. Returns the
-- number of output rows it deleted and inserted (0: the outputs are as they were).
CREATE OR REPLACE FUNCTION attrib._publish()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_changed bigint;
    v_count   bigint;
    v_rows    bigint := 0;  -- every output row deleted or inserted
    v_indexes text[];
BEGIN
    DROP TABLE IF EXISTS pg_temp._publish_aliases;
    CREATE TEMP TABLE _publish_aliases ON COMMIT DROP AS
    SELECT d.alias_id FROM sessions_stages.dirty_aliases d WHERE d.sessionized;
    ALTER TABLE pg_temp._publish_aliases ADD PRIMARY KEY (alias_id);
    ANALYZE pg_temp._publish_aliases;

    -- Into empty outputs (a first load) the indexes are built again after
    -- the rows are in rather than maintained row by row (attrib._drop_indexes).
    -- Only into empty ones: dropping an index locks its table, and readers
    -- of outputs that exist must go on reading them while a run publishes.
    IF attrib._is_bulk((SELECT count(*) FROM sessions_stages.all_sessions))
       AND NOT EXISTS (SELECT 1 FROM sessions.all_sessions) AND NOT EXISTS (SELECT 1 FROM sessions.user_session_counts) THEN
        v_indexes := attrib._drop_indexes('sessions.all_sessions') || attrib._drop_indexes('sessions.useful_sessions')
                     || attrib._drop_indexes('sessions.attribution') || attrib._drop_indexes('sessions.attribution_credit')
                     || attrib._drop_indexes('sessions.user_session_counts');
    END IF;

    DELETE FROM sessions.all_sessions o USING pg_temp._publish_aliases p WHERE o.alias_id = p.alias_id;
    GET DIAGNOSTICS v_changed = ROW_COUNT;
    v_rows := v_rows + v_changed;
    DELETE FROM sessions.useful_sessions o USING pg_temp._publish_aliases p WHERE o.alias_id = p.alias_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.attribution o USING pg_temp._publish_aliases p WHERE o.alias_id = p.alias_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.attribution_credit o USING pg_temp._publish_aliases p WHERE o.alias_id = p.alias_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.user_session_counts o USING pg_temp._publish_aliases p WHERE o.alias_id = p.alias_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;

    INSERT INTO sessions.all_sessions SELECT s.* FROM sessions_stages.all_sessions s
      JOIN pg_temp._publish_aliases p USING (alias_id);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.useful_sessions SELECT s.* FROM sessions_stages.useful_sessions s
      JOIN pg_temp._publish_aliases p USING (alias_id);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.attribution SELECT s.* FROM sessions_stages.attribution s
      JOIN pg_temp._publish_aliases p USING (alias_id);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.attribution_credit SELECT s.* FROM sessions_stages.attribution_credit s
      JOIN pg_temp._publish_aliases p USING (alias_id);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.user_session_counts SELECT s.* FROM sessions_stages.user_session_counts s
      JOIN pg_temp._publish_aliases p USING (alias_id);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    IF v_indexes IS NOT NULL THEN
        PERFORM attrib._build_indexes(v_indexes);
    END IF;

    DELETE FROM sessions_stages.dirty_aliases d USING pg_temp._publish_aliases p WHERE d.alias_id = p.alias_id;
    TRUNCATE sessions_stages.all_sessions, sessions_stages.signups, sessions_stages.useful_sessions, sessions_stages.attribution,
             sessions_stages.attribution_credit, sessions_stages.user_session_counts;
    -- and session rows deleted or inserted since the outputs were last analyzed (maintain)
    UPDATE attrib.pipeline_state
       SET sessionized_at = NULL, signup_for = NULL, outputs_fingerprint = attrib._outputs_fingerprint(),
           outputs_changed = outputs_changed + v_changed;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION attrib._publish() IS
  'Private: atomically replaces the outputs of the sessionized dirty aliases with the stage tables; '
  'returns the output rows deleted and inserted';
