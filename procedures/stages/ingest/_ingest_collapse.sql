-- attrib._ingest_collapse: ingest's second step, on pg_temp._ingest_batch.
-- Identical copies become one row counting them; rows an earlier run took in
-- whole (attrib.overlap_rows, no new copy) are dropped; a row taken in before
-- keeps what it became.
CREATE OR REPLACE FUNCTION attrib._ingest_collapse()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
BEGIN
    -- Identical copies of a source row (same table, same row as read) are
    -- one row here that counts them: definitions §2 counts every copy, as an event
    -- plus duplicate copies, or in a reject's copies. All copies share their
    -- load time (it is part of the row), so they are read together.
    DROP TABLE IF EXISTS pg_temp._ingest_copies;
    CREATE TEMP TABLE _ingest_copies ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash, count(*) AS copies
      FROM pg_temp._ingest_batch b GROUP BY 1, 2 HAVING count(*) > 1;
    IF EXISTS (SELECT FROM pg_temp._ingest_copies) THEN
        DELETE FROM pg_temp._ingest_batch b
         USING (SELECT x.ctid AS extra
                  FROM (SELECT b2.ctid, row_number() OVER (PARTITION BY b2.source_table, b2.row_hash) AS n
                          FROM pg_temp._ingest_batch b2
                          JOIN pg_temp._ingest_copies c USING (source_table, row_hash)) x
                 WHERE x.n > 1) d
         WHERE b.ctid = d.extra;
        UPDATE pg_temp._ingest_batch b SET copies = c.copies
          FROM pg_temp._ingest_copies c WHERE c.source_table = b.source_table AND c.row_hash = b.row_hash;
    END IF;

    -- Rows re-read from the overlap that an earlier run took in whole, with
    -- no copy more than it saw: deciding them again would change nothing and
    -- cost a lookup in all history each.
    DELETE FROM pg_temp._ingest_batch b USING attrib.overlap_rows o
     WHERE o.source_table = b.source_table AND o.row_hash = b.row_hash AND o.copies >= b.copies;
    ANALYZE pg_temp._ingest_batch;

    -- A row taken in earlier and read again with more copies stays what it
    -- became (the run's start, the settings may have moved since): a reject
    -- stays a reject, an event or a duplicate stays valid.
    UPDATE pg_temp._ingest_batch b SET reason = r.reason
      FROM attrib.rejects r
     WHERE r.source_table = b.source_table AND r.row_hash = b.row_hash AND b.kind <> 'identify'
       AND b.reason IS DISTINCT FROM r.reason;
    UPDATE pg_temp._ingest_batch b SET reason = NULL
     WHERE b.reason IS NOT NULL AND b.kind <> 'identify' AND b.message_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM attrib.rejects r WHERE r.source_table = b.source_table AND r.row_hash = b.row_hash)
       AND (EXISTS (SELECT FROM attrib.duplicates d WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
            OR EXISTS (SELECT FROM partitioning.message_index mi
                         JOIN partitioning.events e
                           ON e.alias_id = mi.alias_id AND e.event_ts = mi.event_ts AND e.message_id = mi.message_id
                        WHERE mi.message_id = b.message_id
                          AND e.source_table = b.source_table AND e.row_hash = b.row_hash));
END
$$;
COMMENT ON FUNCTION attrib._ingest_collapse() IS
  'Private: ingest step 2, copies counted, re-read overlap rows skipped';
