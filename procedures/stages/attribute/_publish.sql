-- attrib._publish: replaces the published rows of every sessionized dirty
-- alias with the stage tables' rows, in the caller's transaction, and empties
-- the stage tables. The caller (attrib.attribute) deletes those dirty aliases
-- after the optional sources that recompute the same aliases have read them.
-- A row already published as it stands is neither deleted nor inserted
-- again: a recomputation of every alias (after a settings or rules change)
-- that changes a few touches writes those few rows, not every row and index
-- entry, and readers keep the rest as they were. Returns the number of
-- output rows it deleted and inserted (0: the outputs are as they were).
CREATE OR REPLACE FUNCTION attrib._publish()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_outputs  text[] := ARRAY['all_sessions', 'useful_sessions', 'attribution', 'attribution_credit',
                               'user_session_counts'];
    v_table    text;
    v_count    bigint;
    v_rows     bigint := 0;  -- every output row deleted or inserted
    v_sessions bigint := 0;  -- the session rows among them (maintain's statistics)
    v_indexes  text[];
    v_same     text;    -- an output row and a stage row are the same row: same key, every column equal
    v_bulk     boolean;  -- into empty outputs, their indexes dropped
    v_staged   bigint;   -- session rows to publish
    v_statement text;
BEGIN
    -- The aliases to publish are read where they are, sessions_stages.dirty_aliases
    -- (sessionized), joined on alias_id: on Citus every table here is co-located
    -- with it, so each DELETE and INSERT ... SELECT runs on the shards.

    -- Into empty outputs (a first load) the indexes are built again after
    -- the rows are in rather than maintained row by row (attrib._drop_indexes).
    -- Only into empty ones: dropping an index locks its table, and readers
    -- of outputs that exist must go on reading them while a run publishes.
    v_staged := (SELECT count(*) FROM sessions_stages.all_sessions);
    IF attrib._is_bulk(v_staged)
       AND NOT EXISTS (SELECT 1 FROM sessions.all_sessions) AND NOT EXISTS (SELECT 1 FROM sessions.user_session_counts) THEN
        FOREACH v_table IN ARRAY v_outputs LOOP
            v_indexes := v_indexes || attrib._drop_indexes(format('sessions.%I', v_table)::regclass);
        END LOOP;
    END IF;
    v_bulk := v_indexes IS NOT NULL;
    -- a day's few aliases: their rows compared by index probes, not by hashing every published row
    PERFORM attrib._plan_for_few(NOT v_bulk AND attrib._is_few(v_staged));

    -- each output and its stage table share a name, a layout and a primary key
    FOREACH v_table IN ARRAY v_outputs LOOP
        -- matched by the stage table's primary key, then compared whole (IS NOT DISTINCT FROM: a
        -- NULL equals a NULL). Not into empty outputs: there is nothing to compare with, and
        -- without their indexes each probe would scan the heap the INSERT is growing.
        v_same := CASE WHEN v_bulk THEN 'false' ELSE coalesce((SELECT string_agg(format('s.%1$I = o.%1$I', a.attname), ' AND ' ORDER BY k.n)
                     FROM pg_catalog.pg_index i
                    CROSS JOIN LATERAL unnest(i.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                     JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                    WHERE i.indrelid = format('sessions_stages.%I', v_table)::regclass AND i.indisprimary), 'true')
                  || ' AND ROW(s.*) IS NOT DISTINCT FROM ROW(o.*)' END;
        -- the rows that differ go, then the rows not there as they stand come in
        FOREACH v_statement IN ARRAY ARRAY[
            format('DELETE FROM sessions.%1$I o USING sessions_stages.dirty_aliases d '
                   'WHERE o.alias_id = d.alias_id AND d.sessionized '
                   'AND NOT EXISTS (SELECT 1 FROM sessions_stages.%1$I s WHERE %2$s)', v_table, v_same),
            format('INSERT INTO sessions.%1$I SELECT s.* FROM sessions_stages.%1$I s '
                   'JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized '
                   'WHERE NOT EXISTS (SELECT 1 FROM sessions.%1$I o WHERE %2$s)', v_table, v_same)] LOOP
            EXECUTE v_statement;
            GET DIAGNOSTICS v_count = ROW_COUNT;
            v_rows := v_rows + v_count;
            v_sessions := v_sessions + CASE WHEN v_table = 'all_sessions' THEN v_count ELSE 0 END;
        END LOOP;
    END LOOP;
    PERFORM attrib._plan_for_few(false);
    IF v_indexes IS NOT NULL THEN
        PERFORM attrib._build_indexes(v_indexes);
    END IF;

    TRUNCATE sessions_stages.all_sessions, sessions_stages.signups, sessions_stages.useful_sessions, sessions_stages.attribution,
             sessions_stages.attribution_credit, sessions_stages.user_session_counts;
    -- and session rows deleted or inserted since the outputs were last analyzed (maintain)
    UPDATE attrib.pipeline_state
       SET sessionized_at = NULL, signup_for = NULL, outputs_fingerprint = attrib._outputs_fingerprint(),
           outputs_changed = outputs_changed + v_sessions;
    RETURN v_rows;
END
$$;
COMMENT ON FUNCTION attrib._publish() IS
  'Private: atomically replaces the outputs of the sessionized dirty aliases with the stage tables; '
  'returns the output rows deleted and inserted';
