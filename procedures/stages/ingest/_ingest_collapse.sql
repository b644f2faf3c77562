-- attrib._ingest_collapse: ingest's second step, on sessions_stages.ingest_batch.
-- Identical copies become one row counting them; rows an earlier run took in
-- whole (attrib.overlap_rows, no new copy) are dropped; a row taken in before
-- keeps what it became.
CREATE OR REPLACE FUNCTION attrib._ingest_collapse()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
SET default_statistics_target = 30  -- scratch statistics, as attrib._ingest_read's
AS $$
DECLARE
    v_dropped bigint := 0;  -- rows deleted from the batch here
    v_n       bigint;
BEGIN
    -- Identical copies of a source row (same table, same row as read) are
    -- one row here that counts them: definitions §2 counts every copy, as an event
    -- plus duplicate copies, or in a reject's copies. All copies share their
    -- load time (it is part of the row), so they are read together.
    -- One pass over the whole batch finds the message ids read more than
    -- once; copies are looked for among their rows only, and dedupe
    -- (attrib._ingest_dedupe) looks for contested ids among them too: two
    -- passes that grouped every row each became this one. Identical copies
    -- share their message id (it is read from the row); a row hash that is
    -- not SHA-256 (an md5 kept from before 0022, 32 characters: it may
    -- collide) is grouped by hash whatever its id, as are rows without one.
    -- (A regular unlogged table, as the batch is, not a temp one: the passes
    -- over the batch that look ids up in it then run on parallel workers.)
    DROP TABLE IF EXISTS sessions_stages.ingest_multi, pg_temp._ingest_copies;
    CREATE UNLOGGED TABLE sessions_stages.ingest_multi AS
    SELECT b.message_id FROM sessions_stages.ingest_batch b
     WHERE b.message_id IS NOT NULL GROUP BY 1 HAVING count(*) > 1;
    ANALYZE sessions_stages.ingest_multi;
    CREATE TEMP TABLE _ingest_copies ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash, count(*) AS copies
      FROM sessions_stages.ingest_batch b
     WHERE b.message_id IS NULL OR octet_length(b.row_hash) <> 44
        OR b.message_id IN (SELECT m.message_id FROM sessions_stages.ingest_multi m)
     GROUP BY 1, 2 HAVING count(*) > 1;
    IF EXISTS (SELECT FROM pg_temp._ingest_copies) THEN
        DELETE FROM sessions_stages.ingest_batch b
         USING (SELECT x.ctid AS extra
                  FROM (SELECT b2.ctid, row_number() OVER (PARTITION BY b2.source_table, b2.row_hash) AS n
                          FROM sessions_stages.ingest_batch b2
                          JOIN pg_temp._ingest_copies c USING (source_table, row_hash)) x
                 WHERE x.n > 1) d
         WHERE b.ctid = d.extra;
        GET DIAGNOSTICS v_dropped = ROW_COUNT;
        UPDATE sessions_stages.ingest_batch b SET copies = c.copies
          FROM pg_temp._ingest_copies c WHERE c.source_table = b.source_table AND c.row_hash = b.row_hash;
    END IF;

    -- Rows re-read from the overlap that an earlier run took in whole, with
    -- no copy more than it saw: deciding them again would change nothing and
    -- cost a lookup in all history each.
    DELETE FROM sessions_stages.ingest_batch b USING attrib.overlap_rows o
     WHERE o.source_table = b.source_table AND o.row_hash = b.row_hash AND o.copies >= b.copies;
    GET DIAGNOSTICS v_n = ROW_COUNT;
    v_dropped := v_dropped + v_n;
    -- The read analyzed the batch; again only when a tenth of it is gone (a
    -- re-read overlap), not for a first load's few copies (0.4 s at 1 M).
    IF v_dropped * 10 >= attrib._row_estimate('sessions_stages.ingest_batch') THEN
        ANALYZE sessions_stages.ingest_batch;
    END IF;

    -- A row taken in earlier and read again with more copies stays what it
    -- became (the run's start, the settings may have moved since): a reject
    -- stays a reject, an event or a duplicate stays valid. What the batch's
    -- rows became is looked up first, by joins (on Citus the batch goes to
    -- the shards once; a distributed table cannot be read correlated to a
    -- temp table), and the batch is then updated from that.
    DROP TABLE IF EXISTS pg_temp._ingest_seen;
    CREATE TEMP TABLE _ingest_seen ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash, r.reason
      FROM sessions_stages.ingest_batch b
      JOIN attrib.rejects r ON r.source_table = b.source_table AND r.row_hash = b.row_hash
     WHERE b.kind <> 'identify'
    UNION ALL
    SELECT b.source_table, b.row_hash, NULL
      FROM sessions_stages.ingest_batch b
      JOIN attrib.duplicates d ON d.source_table = b.source_table AND d.row_hash = b.row_hash
     WHERE b.reason IS NOT NULL AND b.kind <> 'identify' AND b.message_id IS NOT NULL
    UNION ALL
    SELECT k.source_table, k.row_hash, NULL
      FROM (SELECT DISTINCT b.source_table, b.row_hash, mi.alias_id, mi.event_ts, mi.message_id
              FROM sessions_stages.ingest_batch b
              JOIN partitioning.message_index mi ON mi.message_id = b.message_id
             WHERE b.reason IS NOT NULL AND b.kind <> 'identify' AND b.message_id IS NOT NULL) k
      JOIN partitioning.events e
        ON e.alias_id = k.alias_id AND e.event_ts = k.event_ts AND e.message_id = k.message_id
     WHERE e.source_table = k.source_table AND e.row_hash = k.row_hash;
    IF NOT EXISTS (SELECT FROM pg_temp._ingest_seen) THEN
        RETURN;  -- nothing read was taken in before (a first load): two passes over the batch saved
    END IF;
    UPDATE sessions_stages.ingest_batch b SET reason = s.reason
      FROM pg_temp._ingest_seen s
     WHERE s.reason IS NOT NULL AND s.source_table = b.source_table AND s.row_hash = b.row_hash
       AND b.reason IS DISTINCT FROM s.reason;
    UPDATE sessions_stages.ingest_batch b SET reason = NULL
     WHERE b.reason IS NOT NULL AND b.kind <> 'identify' AND b.message_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM pg_temp._ingest_seen s
                        WHERE s.reason IS NOT NULL AND s.source_table = b.source_table AND s.row_hash = b.row_hash)
       AND EXISTS (SELECT FROM pg_temp._ingest_seen s
                    WHERE s.reason IS NULL AND s.source_table = b.source_table AND s.row_hash = b.row_hash);
END
$$;
COMMENT ON FUNCTION attrib._ingest_collapse() IS
  'Private: ingest step 2, copies counted, re-read overlap rows skipped';
