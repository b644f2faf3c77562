-- attrib._ingest_dedupe: ingest's fifth step (SPEC 2): among the batch's
-- valid rows and the events already kept for the same message ids, the first
-- by the SPEC's order wins (pg_temp._ingest_ranked); the others are counted in
-- attrib.duplicates with their copies, and a kept event that lost leaves.
-- Returns the duplicate rows added.
CREATE OR REPLACE FUNCTION attrib._ingest_dedupe(p_run_id bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
DECLARE
    v_duplicated bigint;
BEGIN
    -- Dedupe (SPEC 2): among this batch's new rows and the event already kept
    -- for the same message_id, the first by the SPEC's order wins.
    DROP TABLE IF EXISTS pg_temp._ingest_existing;
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM pg_temp._ingest_batch)));
    -- message_index gives each kept event's full key, so each message id
    -- reads one partition instead of probing every month of history.
    CREATE TEMP TABLE _ingest_existing ON COMMIT DROP AS
    SELECT e.*
      FROM (SELECT DISTINCT mi.alias_id, mi.event_ts, mi.message_id
              FROM pg_temp._ingest_batch b
              JOIN partitioning.message_index mi ON mi.message_id = b.message_id
             WHERE b.kind <> 'identify' AND b.reason IS NULL) k
      JOIN partitioning.events e
        ON e.alias_id = k.alias_id AND e.event_ts = k.event_ts AND e.message_id = k.message_id;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._ingest_existing;

    -- Duplicate copies this run adds (applied once ranking is done): more
    -- copies of a row already counted as a duplicate, and copies of a kept
    -- event's own row beyond the event itself.
    DROP TABLE IF EXISTS pg_temp._ingest_dup_changes;
    CREATE TEMP TABLE _ingest_dup_changes ON COMMIT DROP AS
    SELECT b.source_table, b.message_id, b.row_hash, b.copies AS at_least, 0 AS plus
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL
       AND EXISTS (SELECT 1 FROM attrib.duplicates d WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
    UNION ALL
    SELECT b.source_table, b.message_id, b.row_hash, b.copies - 1, 0
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL AND b.copies > 1
       AND EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                    WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash AND e.source_table = b.source_table);

    -- Candidates: this batch's new valid rows and the kept events with the
    -- same message ids. Most message ids have one candidate, which simply
    -- wins; only contested ids are sorted by the SPEC's order (sorting a
    -- whole load twice was a third of ingest's time).
    DROP TABLE IF EXISTS pg_temp._ingest_candidates;
    CREATE TEMP TABLE _ingest_candidates ON COMMIT DROP AS
    SELECT false AS existing, b.source_table, b.row_hash, b.message_id, b.kind, b.event, b.anonymous_id,
           b.user_id, b.event_ts, b.received_at, b.uuid_ts, b.url, b.referrer,
           b.utm_source, b.utm_medium, b.utm_campaign, b.utm_term, b.utm_content, NULL::text AS alias_id,
           b.copies
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL
       AND NOT EXISTS (SELECT 1 FROM attrib.duplicates d
                        WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
       AND NOT EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                        WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash
                          AND e.source_table = b.source_table)
    UNION ALL
    SELECT true, e.source_table, e.row_hash, e.message_id, e.kind, e.event, e.anonymous_id,
           e.user_id, e.event_ts, e.received_at, e.uuid_ts, e.url, e.referrer,
           e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content, e.alias_id,
           1::bigint
      FROM pg_temp._ingest_existing e;
    ANALYZE pg_temp._ingest_candidates;

    DROP TABLE IF EXISTS pg_temp._ingest_contested;
    CREATE TEMP TABLE _ingest_contested ON COMMIT DROP AS
    SELECT c.message_id FROM pg_temp._ingest_candidates c GROUP BY c.message_id HAVING count(*) > 1;
    ANALYZE pg_temp._ingest_contested;

    DROP TABLE IF EXISTS pg_temp._ingest_ranked;
    CREATE TEMP TABLE _ingest_ranked ON COMMIT DROP AS
    SELECT c.*, true AS wins
      FROM pg_temp._ingest_candidates c
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp._ingest_contested x WHERE x.message_id = c.message_id)
    UNION ALL
    SELECT u.*,
           row_number() OVER (PARTITION BY u.message_id
                              ORDER BY u.received_at NULLS LAST, u.kind, u.event_ts, u.uuid_ts NULLS LAST,
                                       u.anonymous_id COLLATE "C" NULLS LAST, u.user_id COLLATE "C" NULLS LAST,
                                       u.url COLLATE "C" NULLS LAST, u.referrer COLLATE "C" NULLS LAST,
                                       u.row_hash COLLATE "C") = 1
      FROM (SELECT DISTINCT ON (c.source_table, c.row_hash) c.*   -- the same row read twice is one row
              FROM pg_temp._ingest_candidates c
              JOIN pg_temp._ingest_contested x ON x.message_id = c.message_id
             ORDER BY c.source_table, c.row_hash, c.existing DESC) u;
    ANALYZE pg_temp._ingest_ranked;

    -- Duplicates (SPEC 2), each distinct row once with its copies: a new row
    -- that lost counts all its copies, a new winner its copies beyond the
    -- event, a kept event that lost now counts itself too (one more copy).
    INSERT INTO pg_temp._ingest_dup_changes (source_table, message_id, row_hash, at_least, plus)
    SELECT r.source_table, r.message_id, r.row_hash,
           CASE WHEN r.existing THEN 0 WHEN r.wins THEN r.copies - 1 ELSE r.copies END,
           CASE WHEN r.existing AND NOT r.wins THEN 1 ELSE 0 END
      FROM pg_temp._ingest_ranked r
     WHERE NOT r.wins OR (NOT r.existing AND r.copies > 1);
    WITH wanted AS (
        SELECT c.source_table, c.row_hash, min(c.message_id) AS message_id, max(c.at_least) AS at_least,
               sum(c.plus) AS plus, d.copies AS old
          FROM pg_temp._ingest_dup_changes c
          LEFT JOIN attrib.duplicates d ON d.source_table = c.source_table AND d.row_hash = c.row_hash
         GROUP BY c.source_table, c.row_hash, d.copies
    ), target AS (
        SELECT w.*, greatest(coalesce(w.old, 0), w.at_least) + w.plus AS copies FROM wanted w
    ), added AS (
        INSERT INTO attrib.duplicates (source_table, message_id, row_hash, run_id, copies)
        SELECT x.source_table, x.message_id, x.row_hash, p_run_id, x.copies
          FROM target x WHERE x.copies > coalesce(x.old, 0)
        ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = EXCLUDED.copies)
    SELECT coalesce(sum(x.copies - coalesce(x.old, 0)), 0) INTO v_duplicated
      FROM target x WHERE x.copies > coalesce(x.old, 0);

    -- A kept event that loses to a row loaded later leaves, and its alias is
    -- recomputed.
    WITH removed AS (
        DELETE FROM partitioning.events e
         USING pg_temp._ingest_ranked r
         WHERE r.existing AND NOT r.wins
           AND e.alias_id = r.alias_id AND e.event_ts = r.event_ts AND e.message_id = r.message_id
        RETURNING e.alias_id, e.anonymous_id, e.user_id, e.message_id
    ), unindexed AS (
        DELETE FROM partitioning.message_index mi USING removed r WHERE mi.message_id = r.message_id)
    INSERT INTO sessions_stages.changed_identities (alias_id, anonymous_id, user_id)
    SELECT DISTINCT alias_id, anonymous_id, user_id FROM removed;
    RETURN v_duplicated;
END
$$;
COMMENT ON FUNCTION attrib._ingest_dedupe(bigint) IS
  'Private: ingest step 5, the winner per message id; duplicates counted; returns the duplicate rows added';
