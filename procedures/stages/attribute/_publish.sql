-- attrib._publish: replaces the published rows of every sessionized dirty
-- alias with the stage tables' rows, in the caller's transaction, and empties
-- the stage tables. The caller (attrib.attribute) deletes those dirty aliases
-- after the optional sources that recompute the same aliases have read them.
-- Returns the number of output rows it deleted and inserted (0: the outputs
-- are as they were).
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
    -- The aliases to publish are read where they are, sessions_stages.dirty_aliases
    -- (sessionized), joined on alias_id: on Citus every table here is co-located
    -- with it, so each DELETE and INSERT ... SELECT runs on the shards.

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

    DELETE FROM sessions.all_sessions o USING sessions_stages.dirty_aliases d WHERE o.alias_id = d.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_changed = ROW_COUNT;
    v_rows := v_rows + v_changed;
    DELETE FROM sessions.useful_sessions o USING sessions_stages.dirty_aliases d WHERE o.alias_id = d.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.attribution o USING sessions_stages.dirty_aliases d WHERE o.alias_id = d.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.attribution_credit o USING sessions_stages.dirty_aliases d WHERE o.alias_id = d.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    DELETE FROM sessions.user_session_counts o USING sessions_stages.dirty_aliases d WHERE o.alias_id = d.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;

    INSERT INTO sessions.all_sessions SELECT s.* FROM sessions_stages.all_sessions s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.useful_sessions SELECT s.* FROM sessions_stages.useful_sessions s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.attribution SELECT s.* FROM sessions_stages.attribution s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.attribution_credit SELECT s.* FROM sessions_stages.attribution_credit s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    INSERT INTO sessions.user_session_counts SELECT s.* FROM sessions_stages.user_session_counts s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_rows := v_rows + v_count;
    IF v_indexes IS NOT NULL THEN
        PERFORM attrib._build_indexes(v_indexes);
    END IF;

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
