-- attrib._ingest_remember: ingest's last step: remembers the rows the next
-- run will re-read (the new overlap window), so it can skip them.
CREATE OR REPLACE FUNCTION attrib._ingest_remember(p_overlap interval)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
BEGIN
    -- Remember what the next run will re-read (the new overlap window).
    DELETE FROM attrib.overlap_rows o USING attrib.ingest_state st
     WHERE st.source_table = o.source_table AND o.load_time <= st.watermark - p_overlap;
    -- The window's rows are picked out by a statement of their own, which
    -- reads the batch with parallel workers (an INSERT reads it in one
    -- process). Its bound is a constant, the earliest of the tables' (the
    -- insert applies each table's own), so the planner sees from the
    -- statistics how few rows it keeps: a bound it cannot see, it guesses at
    -- a third of the batch, and then reads it in one process too.
    DROP TABLE IF EXISTS pg_temp._ingest_window;
    EXECUTE format('CREATE TEMP TABLE _ingest_window ON COMMIT DROP AS '
                   'SELECT b.source_table, b.row_hash, b.load_time, b.copies FROM sessions_stages.ingest_batch b '
                   'WHERE b.load_time IS NULL OR b.load_time > %L::timestamptz',
                   (SELECT min(st.watermark) - p_overlap FROM attrib.ingest_state st));
    INSERT INTO attrib.overlap_rows (source_table, row_hash, load_time, copies)
    SELECT w.source_table, w.row_hash, w.load_time, w.copies
      FROM pg_temp._ingest_window w
      JOIN attrib.ingest_state st ON st.source_table = w.source_table
     WHERE w.load_time IS NULL OR w.load_time > st.watermark - p_overlap
    ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = greatest(attrib.overlap_rows.copies, EXCLUDED.copies);
END
$$;
COMMENT ON FUNCTION attrib._ingest_remember(interval) IS
  'Private: ingest step 7, the overlap window remembered in attrib.overlap_rows';
