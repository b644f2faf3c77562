-- attrib._ingest_reject: ingest's fourth step: the batch's rejected rows into
-- attrib.rejects, each distinct row once with its copies. Returns the copies added.
CREATE OR REPLACE FUNCTION attrib._ingest_reject(p_run_id bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
DECLARE
    v_rejected bigint;
BEGIN
    -- Rejects: each distinct rejected source row once, however often it is
    -- read, with the number of identical copies it stands for; the run
    -- counts the copies it adds.
    -- The rejected rows are picked out by a statement of their own, which
    -- reads the batch with parallel workers (an INSERT reads it in one process).
    DROP TABLE IF EXISTS pg_temp._ingest_rejected;
    CREATE TEMP TABLE _ingest_rejected ON COMMIT DROP AS
    SELECT b.source_table, b.message_id, b.reason, b.row, b.row_hash, b.copies
      FROM sessions_stages.ingest_batch b WHERE b.reason IS NOT NULL;
    WITH incoming AS (
        SELECT b.source_table, b.message_id, b.reason, b.row, b.row_hash, b.copies, r.copies AS old
          FROM pg_temp._ingest_rejected b
          LEFT JOIN attrib.rejects r ON r.source_table = b.source_table AND r.row_hash = b.row_hash
    ), added AS (
        INSERT INTO attrib.rejects (source_table, message_id, reason, row, row_hash, run_id, copies)
        SELECT i.source_table, i.message_id, i.reason, coalesce(i.row, '{}'), i.row_hash, p_run_id, i.copies
          FROM incoming i WHERE i.copies > coalesce(i.old, 0)
        ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = EXCLUDED.copies)
    SELECT coalesce(sum(i.copies - coalesce(i.old, 0)), 0) INTO v_rejected
      FROM incoming i WHERE i.copies > coalesce(i.old, 0);
    RETURN v_rejected;
END
$$;
COMMENT ON FUNCTION attrib._ingest_reject(bigint) IS
  'Private: ingest step 4, rejects with copies; returns the rejected rows added';
