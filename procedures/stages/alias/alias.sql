-- attrib.alias: stage 2 (definitions §3). Brings known pairs and device owners up to
-- date for the anonymous ids that new identifies and new events touched,
-- moves the events of every anonymous id whose owner changed under the new
-- owner (however old they are), and marks dirty every alias whose sessions
-- can have changed: those with new or removed events, the anonymous alias an
-- identified device leaves and the owner that absorbs it.
CREATE OR REPLACE FUNCTION attrib.alias(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
-- UTC and ISO whatever the caller or server uses (definitions §9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_fingerprint text := attrib._outputs_fingerprint();
    v_few         boolean;  -- few pairs and changed identities: index probes (attrib._plan_for_few)
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    rows_rejected := 0;
    rows_duplicated := 0;
    SELECT count(*) INTO rows_read FROM sessions_stages.changed_identities;

    -- Known pairs to recompute: every pair of an anonymous id with new
    -- identify pairs, and the pair of every event ingested or removed. Each
    -- is recomputed from what is kept now (a removed duplicate gives none).
    -- An event with a user id is under that user's alias, so its pair is read
    -- from the user's months only, never by scanning all history.
    DROP TABLE IF EXISTS pg_temp._alias_pairs;
    CREATE TEMP TABLE _alias_pairs ON COMMIT DROP AS
    SELECT ip.anonymous_id, ip.user_id
      FROM aliasing.identify_pairs ip JOIN sessions_stages.touched_anonymous_ids t USING (anonymous_id)
    UNION
    SELECT c.anonymous_id, c.user_id FROM sessions_stages.changed_identities c
     WHERE c.anonymous_id IS NOT NULL AND c.user_id IS NOT NULL AND c.anonymous_id <> c.user_id;
    ALTER TABLE pg_temp._alias_pairs ADD PRIMARY KEY (anonymous_id, user_id);
    ANALYZE pg_temp._alias_pairs;

    DROP TABLE IF EXISTS pg_temp._alias_touched;
    CREATE TEMP TABLE _alias_touched ON COMMIT DROP AS
    SELECT DISTINCT p.anonymous_id FROM pg_temp._alias_pairs p;
    ALTER TABLE pg_temp._alias_touched ADD PRIMARY KEY (anonymous_id);
    ANALYZE pg_temp._alias_touched;

    -- Few when both the pairs and the identities ingest changed are few: a
    -- first load brings a handful of pairs per thousand events, which is
    -- no reason to probe every one of its events through an index.
    v_few := attrib._is_few(greatest((SELECT count(*) FROM pg_temp._alias_pairs), rows_read));
    PERFORM attrib._plan_for_few(v_few);
    -- (IN, not USING: Citus modifies a reference table with a temp table's
    -- rows as a sub-select, not joined)
    DELETE FROM aliasing.known_pairs kp
     WHERE (kp.anonymous_id, kp.user_id) IN (SELECT p.anonymous_id, p.user_id FROM pg_temp._alias_pairs p);
    INSERT INTO aliasing.known_pairs (anonymous_id, user_id, first_seen)
    SELECT x.anonymous_id, x.user_id, min(x.first_seen)
      FROM (SELECT ip.anonymous_id, ip.user_id, ip.first_seen
              FROM aliasing.identify_pairs ip JOIN pg_temp._alias_pairs p USING (anonymous_id, user_id)
            UNION ALL
            SELECT e.anonymous_id, e.user_id, e.event_ts
              FROM (SELECT DISTINCT p.user_id FROM pg_temp._alias_pairs p) u
              JOIN partitioning.alias_months am ON am.alias_id = u.user_id
              JOIN partitioning.events e
                ON e.alias_id = am.alias_id
               AND e.event_ts >= attrib._month_start(am.month)
               AND e.event_ts < attrib._month_end(am.month)
              JOIN pg_temp._alias_pairs p ON p.anonymous_id = e.anonymous_id AND p.user_id = e.user_id
             WHERE v_few
            UNION ALL
            -- Many (a first load): the events are read as they lie, hashed
            -- against the users. Through the months the planner, without
            -- statistics on the just-written events, probed the months'
            -- index once per event it kept (130 K probes, 0.6 s at 1 M).
            SELECT e.anonymous_id, e.user_id, e.event_ts
              FROM (SELECT DISTINCT p.user_id FROM pg_temp._alias_pairs p) u
              JOIN partitioning.events e ON e.alias_id = u.user_id
              JOIN pg_temp._alias_pairs p ON p.anonymous_id = e.anonymous_id AND p.user_id = e.user_id
             WHERE NOT v_few) x
     GROUP BY 1, 2;

    -- Owner: the user of the earliest pair; ties go to the smallest user id.
    DROP TABLE IF EXISTS pg_temp._alias_owner_changes;
    CREATE TEMP TABLE _alias_owner_changes ON COMMIT DROP AS
    SELECT t.anonymous_id, o.user_id AS old_owner, n.user_id AS new_owner
      FROM pg_temp._alias_touched t
      LEFT JOIN aliasing.owners o ON o.anonymous_id = t.anonymous_id
      LEFT JOIN (SELECT DISTINCT ON (kp.anonymous_id) kp.anonymous_id, kp.user_id
                   FROM aliasing.known_pairs kp JOIN pg_temp._alias_touched t2 USING (anonymous_id)
                  ORDER BY kp.anonymous_id, kp.first_seen, kp.user_id COLLATE "C") n
             ON n.anonymous_id = t.anonymous_id
     WHERE o.user_id IS DISTINCT FROM n.user_id;
    ANALYZE pg_temp._alias_owner_changes;

    DELETE FROM aliasing.owners o
     WHERE o.anonymous_id IN (SELECT c.anonymous_id FROM pg_temp._alias_owner_changes c WHERE c.new_owner IS NULL);
    INSERT INTO aliasing.owners (anonymous_id, user_id)
    SELECT c.anonymous_id, c.new_owner FROM pg_temp._alias_owner_changes c WHERE c.new_owner IS NOT NULL
    ON CONFLICT (anonymous_id) DO UPDATE SET user_id = EXCLUDED.user_id;

    -- Re-alias: events move (DELETE + INSERT, never UPDATE of alias_id) to
    -- the new owner, or back to the anonymous id when it lost its owner.
    -- An anonymous event sits under its device's owner, or the device when
    -- it has none, so only that alias's months are read.
    WITH moved AS (
        DELETE FROM partitioning.events e
         USING pg_temp._alias_owner_changes c, partitioning.alias_months am
         WHERE am.alias_id = coalesce(c.old_owner, c.anonymous_id)
           AND e.alias_id = am.alias_id
           AND e.event_ts >= attrib._month_start(am.month)
           AND e.event_ts < attrib._month_end(am.month)
           AND e.anonymous_id = c.anonymous_id AND e.user_id IS NULL
        RETURNING coalesce(c.new_owner, c.anonymous_id) AS new_alias, e.event_ts, e.message_id, e.kind, e.event,
                  e.anonymous_id, e.user_id, e.received_at, e.uuid_ts, e.url, e.url_clean, e.referrer,
                  e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content, e.source_table, e.row_hash
    ), reindexed AS (
        UPDATE partitioning.message_index mi SET alias_id = m.new_alias
          FROM moved m WHERE mi.message_id = m.message_id
    ), months AS (
        INSERT INTO partitioning.alias_months (alias_id, month)
        SELECT DISTINCT m.new_alias, attrib._month(m.event_ts) FROM moved m
        ON CONFLICT DO NOTHING
    )
    INSERT INTO partitioning.events (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id,
           received_at, uuid_ts, url, url_clean, referrer, utm_source, utm_medium, utm_campaign, utm_term,
           utm_content, source_table, row_hash)
    SELECT * FROM moved;

    PERFORM attrib._plan_for_few(false);

    -- Into an empty table (a first load) nothing can conflict: the union is
    -- distinct already, and a plain insert skips each key's check for a
    -- conflict (0.48 s instead of 0.66 s for 180 K aliases at 1 M).
    EXECUTE format($sql$
        INSERT INTO sessions_stages.dirty_aliases AS d (alias_id)
        SELECT x.alias_id
          FROM (SELECT c.alias_id FROM sessions_stages.changed_identities c
                UNION
                SELECT coalesce(oc.old_owner, oc.anonymous_id) FROM pg_temp._alias_owner_changes oc
                UNION
                SELECT coalesce(oc.new_owner, oc.anonymous_id) FROM pg_temp._alias_owner_changes oc
                UNION
                -- A changed setting or source class changes everyone's outputs.
                SELECT DISTINCT am.alias_id FROM partitioning.alias_months am
                 WHERE $1 IS DISTINCT FROM (SELECT s.outputs_fingerprint FROM attrib.pipeline_state s)) x
         -- in key order: each key lands beside the last one in the B-tree instead
         -- of at a random page (160 K aliases: 0.70 s instead of 0.91 s at 1 M)
         ORDER BY x.alias_id
        %s
        $sql$,
        CASE WHEN EXISTS (SELECT 1 FROM sessions_stages.dirty_aliases) THEN 'ON CONFLICT (alias_id) DO UPDATE SET sessionized = false' END)
        USING v_fingerprint;
    GET DIAGNOSTICS rows_written = ROW_COUNT;

    TRUNCATE sessions_stages.changed_identities, sessions_stages.touched_anonymous_ids;
END
$$;
COMMENT ON FUNCTION attrib.alias(bigint) IS
  'Stage alias (definitions §3): known pairs, owners, re-aliasing of moved devices, dirty aliases';
