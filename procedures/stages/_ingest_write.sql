-- attrib._ingest_write: ingest's sixth step: the winners become events, under
-- their alias (SPEC 3), in their monthly partitions (made first, so the
-- default partition stays empty), with the lookups by person kept in step.
-- Returns the events written.
CREATE OR REPLACE FUNCTION attrib._ingest_write()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
DECLARE
    v_months  timestamptz[];
    v_written bigint;
BEGIN
    -- Every month the new events fall in gets its partition first, so the
    -- default partition stays empty (an event from years ago, or next month).
    SELECT array_agg(m.month) INTO v_months
      FROM (SELECT DISTINCT date_trunc('month', r.event_ts) AS month
              FROM pg_temp._ingest_ranked r WHERE r.wins AND NOT r.existing) m
     WHERE NOT EXISTS (SELECT 1 FROM partman.show_partition_name('partitioning.events', m.month::text) sp
                        WHERE sp.table_exists);
    IF v_months IS NOT NULL THEN
        PERFORM partman.create_partition_time('partitioning.events', v_months, p_analyze => false);
    END IF;
    -- rows written per month, for the maintain stage's statistics
    INSERT INTO attrib.months_written AS mw (month, rows)
    SELECT date_trunc('month', r.event_ts), count(*)
      FROM pg_temp._ingest_ranked r WHERE r.wins AND NOT r.existing GROUP BY 1
    ON CONFLICT (month) DO UPDATE SET rows = mw.rows + EXCLUDED.rows;

    DROP TABLE IF EXISTS pg_temp._ingest_new;
    -- A day's anonymous ids look up their owners one by one: hashing all
    -- owners instead grows with history (70 ms of a 0.7 s increment at 10 M).
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM pg_temp._ingest_ranked)));
    CREATE TEMP TABLE _ingest_new ON COMMIT DROP AS
    SELECT coalesce(r.user_id, o.user_id, r.anonymous_id) AS alias_id, r.event_ts, r.message_id, r.kind, r.event,
           r.anonymous_id, r.user_id, r.received_at, r.uuid_ts, r.url, r.referrer, r.utm_source, r.utm_medium,
           r.utm_campaign, r.utm_term, r.utm_content, r.source_table, r.row_hash
      FROM pg_temp._ingest_ranked r
      LEFT JOIN aliasing.owners o ON o.anonymous_id = r.anonymous_id AND r.user_id IS NULL
     WHERE r.wins AND NOT r.existing;
    PERFORM attrib._plan_for_few(false);

    INSERT INTO partitioning.events (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id,
           received_at, uuid_ts, url, url_clean, referrer, utm_source, utm_medium, utm_campaign, utm_term,
           utm_content, source_table, row_hash)
    SELECT n.alias_id, n.event_ts, n.message_id, n.kind, n.event, n.anonymous_id, n.user_id, n.received_at,
           n.uuid_ts, n.url, attrib.url_clean(n.url), n.referrer, n.utm_source, n.utm_medium, n.utm_campaign,
           n.utm_term, n.utm_content, n.source_table, n.row_hash
      FROM pg_temp._ingest_new n
     -- in key order: each partition's primary key is appended to, not
     -- split at random, and an alias's events sit together on disk
     ORDER BY n.alias_id, n.event_ts, n.message_id;
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
  'Private: ingest step 6, the winners into partitioning.events; returns the events written';
