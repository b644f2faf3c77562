-- attrib._ingest_dedupe: ingest's fifth step (definitions §2): among the batch's
-- valid rows and the events already kept for the same message ids, the first
-- by the order of definitions §2 wins (sessions_stages.ingest_ranked); the others are counted in
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
    v_known      boolean;  -- whether any row of the batch was decided before
BEGIN
    -- Dedupe (definitions §2): among this batch's new rows and the event already kept
    -- for the same message_id, the first by the order of definitions §2 wins.
    -- (the views over this step's tables, left by an earlier ingest in the same transaction)
    DROP VIEW IF EXISTS pg_temp._ingest_winners, pg_temp._ingest_fresh;
    DROP TABLE IF EXISTS pg_temp._ingest_existing;
    PERFORM attrib._plan_for_few(attrib._is_few(attrib._row_estimate('sessions_stages.ingest_batch')::bigint));
    -- message_index gives each kept event's full key, so each message id
    -- reads one partition instead of probing every month of history.
    CREATE TEMP TABLE _ingest_existing ON COMMIT DROP AS
    SELECT e.*
      FROM (SELECT DISTINCT mi.alias_id, mi.event_ts, mi.message_id
              FROM sessions_stages.ingest_batch b
              JOIN partitioning.message_index mi ON mi.message_id = b.message_id
             WHERE b.kind <> 'identify' AND b.reason IS NULL) k
      JOIN partitioning.events e
        ON e.alias_id = k.alias_id AND e.event_ts = k.event_ts AND e.message_id = k.message_id;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._ingest_existing;

    -- Rows of the batch already decided: counted as a duplicate before, or
    -- a kept event's own row read again. They are not candidates again.
    -- (The duplicates are looked up by a join first: on Citus a distributed
    -- table cannot be read correlated to a temp table.)
    DROP TABLE IF EXISTS pg_temp._ingest_counted, pg_temp._ingest_known;
    CREATE TEMP TABLE _ingest_counted ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash
      FROM sessions_stages.ingest_batch b
      JOIN attrib.duplicates d ON d.source_table = b.source_table AND d.row_hash = b.row_hash
     WHERE b.kind <> 'identify' AND b.reason IS NULL;
    -- Nothing is known when neither has a row (a first load): then no pass
    -- over the batch looks for it.
    v_known := EXISTS (SELECT 1 FROM pg_temp._ingest_existing) OR EXISTS (SELECT 1 FROM pg_temp._ingest_counted);
    CREATE TEMP TABLE _ingest_known ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash, b.message_id, b.copies,
           EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                    WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash
                      AND e.source_table = b.source_table) AS kept
      FROM sessions_stages.ingest_batch b
     WHERE v_known AND b.kind <> 'identify' AND b.reason IS NULL
       AND (EXISTS (SELECT 1 FROM pg_temp._ingest_counted d
                     WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
            OR EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                        WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash
                          AND e.source_table = b.source_table));
    ANALYZE pg_temp._ingest_known;

    -- Duplicate copies this run adds (applied once ranking is done): more
    -- copies of a row already counted as a duplicate, and copies of a kept
    -- event's own row beyond the event itself.
    DROP TABLE IF EXISTS pg_temp._ingest_dup_changes;
    CREATE TEMP TABLE _ingest_dup_changes ON COMMIT DROP AS
    SELECT k.source_table, k.message_id, k.row_hash, CASE WHEN k.kept THEN k.copies - 1 ELSE k.copies END AS at_least,
           0 AS plus
      FROM pg_temp._ingest_known k
     WHERE NOT k.kept OR k.copies > 1;

    -- Candidates: this batch's new valid rows (pg_temp._ingest_fresh, a
    -- view) and the kept events with the same message ids. Most message ids
    -- have one candidate, which simply wins and is never copied; only
    -- contested ids are copied and sorted by the order of definitions §2 (copying and
    -- sorting a whole load was a third of ingest's time).
    -- With nothing known the view has no anti join: the planner, rightly
    -- sure the table is empty, read it once per batch row in a nested loop
    -- (a second at 1 M, in each of the four statements that read the view).
    IF v_known THEN
        CREATE TEMP VIEW _ingest_fresh AS
        SELECT b.*
          FROM sessions_stages.ingest_batch b
         WHERE b.kind <> 'identify' AND b.reason IS NULL
           AND NOT EXISTS (SELECT 1 FROM pg_temp._ingest_known k
                            WHERE k.source_table = b.source_table AND k.row_hash = b.row_hash);
    ELSE
        CREATE TEMP VIEW _ingest_fresh AS
        SELECT b.* FROM sessions_stages.ingest_batch b WHERE b.kind <> 'identify' AND b.reason IS NULL;
    END IF;

    -- (A regular unlogged table, as the batch is: the passes over the batch
    -- that look ids up in it then run on parallel workers.)
    DROP TABLE IF EXISTS sessions_stages.ingest_contested;
    -- A contested id has two fresh rows (then the batch read it more than
    -- once: sessions_stages.ingest_multi, from _ingest_collapse) or a kept event:
    -- only those ids' fresh rows are grouped, not the whole batch again.
    CREATE UNLOGGED TABLE sessions_stages.ingest_contested AS
    SELECT c.message_id
      FROM (SELECT f.message_id FROM pg_temp._ingest_fresh f
             WHERE f.message_id IN (SELECT m.message_id FROM sessions_stages.ingest_multi m)
                OR f.message_id IN (SELECT e.message_id FROM pg_temp._ingest_existing e)
            UNION ALL
            SELECT e.message_id FROM pg_temp._ingest_existing e) c
     GROUP BY c.message_id HAVING count(*) > 1;
    ALTER TABLE sessions_stages.ingest_contested ADD PRIMARY KEY (message_id);
    ANALYZE sessions_stages.ingest_contested;

    -- The contested candidates ranked: wins marks the first by the order of definitions §2.
    DROP TABLE IF EXISTS sessions_stages.ingest_ranked;
    CREATE UNLOGGED TABLE sessions_stages.ingest_ranked AS
    SELECT u.*,
           row_number() OVER (PARTITION BY u.message_id
                              ORDER BY u.received_at NULLS LAST, u.kind, u.event_ts, u.uuid_ts NULLS LAST,
                                       u.anonymous_id COLLATE "C" NULLS LAST, u.user_id COLLATE "C" NULLS LAST,
                                       u.url COLLATE "C" NULLS LAST, u.referrer COLLATE "C" NULLS LAST,
                                       u.row_hash COLLATE "C") = 1 AS wins
      FROM (SELECT DISTINCT ON (c.source_table, c.row_hash) c.*   -- the same row read twice is one row
              FROM (SELECT false AS existing, f.source_table, f.row_hash, f.message_id, f.kind, f.event,
                           f.anonymous_id, f.user_id, f.event_ts, f.received_at, f.uuid_ts, f.url, f.url_clean, f.referrer,
                           f.utm_source, f.utm_medium, f.utm_campaign, f.utm_term, f.utm_content,
                           NULL::text AS alias_id, f.copies
                      FROM pg_temp._ingest_fresh f JOIN sessions_stages.ingest_contested x USING (message_id)
                    UNION ALL
                    SELECT true, e.source_table, e.row_hash, e.message_id, e.kind, e.event, e.anonymous_id,
                           e.user_id, e.event_ts, e.received_at, e.uuid_ts, e.url, e.url_clean, e.referrer,
                           e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content, e.alias_id,
                           1::bigint
                      FROM pg_temp._ingest_existing e JOIN sessions_stages.ingest_contested x USING (message_id)) c
             ORDER BY c.source_table, c.row_hash, c.existing DESC) u;
    ANALYZE sessions_stages.ingest_ranked;

    -- The new rows that become events: every fresh row of an uncontested
    -- message id, and each contested id's winner when it is new.
    CREATE TEMP VIEW _ingest_winners AS
    SELECT f.source_table, f.row_hash, f.message_id, f.kind, f.event, f.anonymous_id, f.user_id, f.event_ts,
           f.received_at, f.uuid_ts, f.url, f.url_clean, f.referrer, f.utm_source, f.utm_medium, f.utm_campaign, f.utm_term,
           f.utm_content, f.copies
      FROM pg_temp._ingest_fresh f
     WHERE NOT EXISTS (SELECT 1 FROM sessions_stages.ingest_contested x WHERE x.message_id = f.message_id)
    UNION ALL
    SELECT r.source_table, r.row_hash, r.message_id, r.kind, r.event, r.anonymous_id, r.user_id, r.event_ts,
           r.received_at, r.uuid_ts, r.url, r.url_clean, r.referrer, r.utm_source, r.utm_medium, r.utm_campaign, r.utm_term,
           r.utm_content, r.copies
      FROM sessions_stages.ingest_ranked r
     WHERE r.wins AND NOT r.existing;

    -- Duplicates (definitions §2), each distinct row once with its copies: a new row
    -- that lost counts all its copies, a new winner its copies beyond the
    -- event, a kept event that lost now counts itself too (one more copy).
    INSERT INTO pg_temp._ingest_dup_changes (source_table, message_id, row_hash, at_least, plus)
    SELECT r.source_table, r.message_id, r.row_hash,
           CASE WHEN r.existing THEN 0 WHEN r.wins THEN r.copies - 1 ELSE r.copies END,
           CASE WHEN r.existing AND NOT r.wins THEN 1 ELSE 0 END
      FROM sessions_stages.ingest_ranked r
     WHERE NOT r.wins OR (NOT r.existing AND r.copies > 1)
    UNION ALL
    SELECT w.source_table, w.message_id, w.row_hash, w.copies - 1, 0
      FROM pg_temp._ingest_winners w
     WHERE w.copies > 1
       AND NOT EXISTS (SELECT 1 FROM sessions_stages.ingest_contested x WHERE x.message_id = w.message_id);
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
         USING sessions_stages.ingest_ranked r
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
