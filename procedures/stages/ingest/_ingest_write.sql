-- attrib._ingest_write: ingest's sixth step: the winners (pg_temp._ingest_winners)
-- become events, under their alias (definitions §3), in their monthly partitions
-- (made first, so the default partition stays empty), with the lookups by
-- person kept in step. Returns the events written.
--
-- Into empty tables (the first load, `attrib run --full`) it writes in bulk:
-- the indexes of events, message_index and alias_months are dropped and
-- built again after the rows are in (attrib._drop_indexes): building a
-- B-tree from sorted input (in parallel where the server allows) costs a
-- fraction of inserting a million keys one by one.
CREATE OR REPLACE FUNCTION attrib._ingest_write()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
DECLARE
    v_months  timestamptz[];
    v_written bigint;
    v_bulk    boolean;
    v_keys    text[];
    v_batch   bigint;  -- rows read (the batch's statistics: counting them was a pass of its own) decide the way and the plan
    v_few     boolean;  -- a day's few rows: owners looked up one by one (attrib._plan_for_few)
BEGIN
    v_batch := attrib._row_estimate('sessions_stages.ingest_batch')::bigint;
    v_bulk := attrib._is_bulk(v_batch)
              AND NOT EXISTS (SELECT 1 FROM partitioning.events)
              AND NOT EXISTS (SELECT 1 FROM partitioning.message_index)
              AND NOT EXISTS (SELECT 1 FROM partitioning.alias_months);
    -- decided before any partition is made: on Citus the estimate asks the
    -- workers over connections of their own, which would wait for the locks
    -- this transaction takes making partitions
    v_few := NOT v_bulk AND attrib._is_few(v_batch);

    -- One pass over the winners gives what the partitions need (the months
    -- the new events fall in, and how many each) and, on a first load, the
    -- ids of each month: the pairs the owners come from, and the lookups by
    -- person (alias_months, changed_identities), a row per person and month
    -- instead of one per event: grouping the million events written for
    -- those two cost 1.1 s at 1 M, and their rows spilled to disk at 5 M.
    DROP TABLE IF EXISTS pg_temp._ingest_winner_months;
    CREATE TEMP TABLE _ingest_winner_months ON COMMIT DROP AS
    SELECT date_trunc('month', w.event_ts) AS month,
           CASE WHEN v_bulk THEN w.anonymous_id END AS anonymous_id, CASE WHEN v_bulk THEN w.user_id END AS user_id,
           min(w.event_ts) AS first_seen, count(*) AS rows
      FROM pg_temp._ingest_winners w
     GROUP BY 1, 2, 3;

    -- A first load writes each event once, under its owner: the owners the
    -- alias stage would find (definitions §3: the user of the earliest pair, from
    -- identifies and from events carrying both ids; ties to the smallest
    -- user id) are known now, instead of moving every identified device's
    -- events there afterwards. The alias stage then finds them in place.
    -- With no event stored yet, every pair there is is here (identifies
    -- taken in earlier included), so an owner aliasing.owners recorded from
    -- them is the one found here: this table alone says whose a device is.
    DROP TABLE IF EXISTS pg_temp._ingest_owners;
    CREATE TEMP TABLE _ingest_owners ON COMMIT DROP AS
    SELECT DISTINCT ON (p.anonymous_id) p.anonymous_id, p.user_id
      FROM (SELECT ip.anonymous_id, ip.user_id, ip.first_seen FROM aliasing.identify_pairs ip
            UNION ALL
            -- a pair from an event carrying two different ids (NULL <> x is no pair)
            SELECT wm.anonymous_id, wm.user_id, wm.first_seen FROM pg_temp._ingest_winner_months wm
             WHERE wm.anonymous_id <> wm.user_id) p
     WHERE v_bulk
     ORDER BY p.anonymous_id, p.first_seen, p.user_id COLLATE "C";
    -- without statistics the planner sorted the whole batch for a merge join
    -- with these few thousand owners (4 s at 1 M), where a hash join costs one pass
    ANALYZE pg_temp._ingest_owners;

    -- Every month the new events fall in gets its partition first, so the
    -- default partition stays empty (an event from years ago, or next month).
    DROP TABLE IF EXISTS pg_temp._ingest_months;
    CREATE TEMP TABLE _ingest_months ON COMMIT DROP AS
    SELECT wm.month, sum(wm.rows)::bigint AS rows FROM pg_temp._ingest_winner_months wm GROUP BY 1;
    SELECT array_agg(m.month) INTO v_months
      FROM pg_temp._ingest_months m
     WHERE NOT EXISTS (SELECT 1 FROM partman.show_partition_name('partitioning.events', m.month::text) sp
                        WHERE sp.table_exists);
    IF v_months IS NOT NULL THEN
        PERFORM partman.create_partition_time('partitioning.events', v_months, p_analyze => false);
    END IF;
    -- rows written per month, for the maintain stage's statistics
    INSERT INTO attrib.months_written AS mw (month, rows)
    SELECT m.month, m.rows FROM pg_temp._ingest_months m
    ON CONFLICT (month) DO UPDATE SET rows = mw.rows + EXCLUDED.rows;

    IF v_bulk THEN
        v_keys := attrib._drop_indexes('partitioning.events') || attrib._drop_indexes('partitioning.message_index')
                  || attrib._drop_indexes('partitioning.alias_months');

        -- The winners go straight into the events under their owner, and
        -- message_index is derived from the rows as written (RETURNING), in one
        -- statement: copying a first load into a table of its own first and
        -- reading that four times was a tenth of ingest.
        WITH written AS (
            INSERT INTO partitioning.events (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id,
                   received_at, uuid_ts, url, url_clean, referrer, utm_source, utm_medium, utm_campaign, utm_term,
                   utm_content, source_table, row_hash)
            SELECT coalesce(w.user_id, po.user_id, w.anonymous_id), w.event_ts, w.message_id, w.kind,
                   w.event, w.anonymous_id, w.user_id, w.received_at, w.uuid_ts, w.url, w.url_clean, w.referrer,
                   w.utm_source, w.utm_medium, w.utm_campaign, w.utm_term, w.utm_content, w.source_table, w.row_hash
              FROM pg_temp._ingest_winners w
              LEFT JOIN pg_temp._ingest_owners po ON po.anonymous_id = w.anonymous_id AND w.user_id IS NULL
             -- In the order read, not sorted by alias as a day's rows are: a first
             -- load's rows are too wide to sort in memory (a 376 MB sort on disk,
             -- 1.7 s of 1 M events, serial and growing faster than the load), the
             -- keys are sorted again to build the indexes anyway, and a person's
             -- events in one month are a page or two either way.
            RETURNING alias_id, event_ts, message_id
        )
        INSERT INTO partitioning.message_index (message_id, alias_id, event_ts)
        SELECT n.message_id, n.alias_id, n.event_ts FROM written n;
        -- The lookups by person from the ids of each month, under the same
        -- owner as their events (the same expression, of the same ids).
        DROP TABLE IF EXISTS pg_temp._ingest_written_ids;
        CREATE TEMP TABLE _ingest_written_ids ON COMMIT DROP AS
        SELECT coalesce(wm.user_id, po.user_id, wm.anonymous_id) AS alias_id, wm.anonymous_id, wm.user_id, wm.month
          FROM pg_temp._ingest_winner_months wm
          LEFT JOIN pg_temp._ingest_owners po ON po.anonymous_id = wm.anonymous_id AND wm.user_id IS NULL;
        INSERT INTO partitioning.alias_months (alias_id, month)
        SELECT DISTINCT i.alias_id, attrib._month(i.month) FROM pg_temp._ingest_written_ids i;
        INSERT INTO sessions_stages.changed_identities (alias_id, anonymous_id, user_id)
        SELECT DISTINCT i.alias_id, i.anonymous_id, i.user_id FROM pg_temp._ingest_written_ids i;
        -- every winner is written: their count is the months' sum
        v_written := (SELECT coalesce(sum(m.rows), 0) FROM pg_temp._ingest_months m);
        PERFORM attrib._build_indexes(v_keys);
        RETURN v_written;
    END IF;

    DROP TABLE IF EXISTS pg_temp._ingest_new;
    -- A day's anonymous ids look up their owners one by one: hashing all
    -- owners instead grows with history (70 ms of a 0.7 s increment at 10 M).
    PERFORM attrib._plan_for_few(v_few);
    CREATE TEMP TABLE _ingest_new ON COMMIT DROP AS
    SELECT coalesce(w.user_id, o.user_id, w.anonymous_id) AS alias_id, w.event_ts, w.message_id, w.kind,
           w.event, w.anonymous_id, w.user_id, w.received_at, w.uuid_ts, w.url, w.url_clean, w.referrer,
           w.utm_source, w.utm_medium, w.utm_campaign, w.utm_term, w.utm_content, w.source_table, w.row_hash
      FROM pg_temp._ingest_winners w
      LEFT JOIN aliasing.owners o ON o.anonymous_id = w.anonymous_id AND w.user_id IS NULL;
    PERFORM attrib._plan_for_few(false);

    INSERT INTO partitioning.events (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id,
           received_at, uuid_ts, url, url_clean, referrer, utm_source, utm_medium, utm_campaign, utm_term,
           utm_content, source_table, row_hash)
    SELECT n.alias_id, n.event_ts, n.message_id, n.kind, n.event, n.anonymous_id, n.user_id, n.received_at,
           n.uuid_ts, n.url, n.url_clean, n.referrer, n.utm_source, n.utm_medium, n.utm_campaign,
           n.utm_term, n.utm_content, n.source_table, n.row_hash
      FROM pg_temp._ingest_new n
     -- in alias order: an alias's events sit together on disk and each
     -- partition's primary key is mostly appended to, not split at random
     ORDER BY n.alias_id COLLATE "C", n.event_ts, n.message_id COLLATE "C";
    GET DIAGNOSTICS v_written = ROW_COUNT;

    INSERT INTO partitioning.message_index (message_id, alias_id, event_ts)
    SELECT n.message_id, n.alias_id, n.event_ts FROM pg_temp._ingest_new n ORDER BY n.message_id;
    INSERT INTO partitioning.alias_months (alias_id, month)
    SELECT DISTINCT n.alias_id, attrib._month(n.event_ts) FROM pg_temp._ingest_new n
    ON CONFLICT DO NOTHING;

    INSERT INTO sessions_stages.changed_identities (alias_id, anonymous_id, user_id)
    SELECT DISTINCT n.alias_id, n.anonymous_id, n.user_id FROM pg_temp._ingest_new n;
    RETURN v_written;
END
$$;
COMMENT ON FUNCTION attrib._ingest_write() IS
  'Private: ingest step 6, the winners into partitioning.events (in bulk into empty tables); returns the events written';
