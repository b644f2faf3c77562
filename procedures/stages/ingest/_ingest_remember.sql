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
    INSERT INTO attrib.overlap_rows (source_table, row_hash, load_time, copies)
    SELECT b.source_table, b.row_hash, b.load_time, b.copies
      FROM pg_temp._ingest_batch b
      JOIN attrib.ingest_state st ON st.source_table = b.source_table
     WHERE b.load_time IS NULL OR b.load_time > st.watermark - p_overlap
    ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = greatest(attrib.overlap_rows.copies, EXCLUDED.copies);
END
$$;
COMMENT ON FUNCTION attrib._ingest_remember(interval) IS
  'Private: ingest step 7, the overlap window remembered in attrib.overlap_rows';
