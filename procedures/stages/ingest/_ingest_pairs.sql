-- attrib._ingest_pairs: ingest's third step: identify pairs (definitions §3) from
-- the batch's identifies, and the anonymous ids they touch for the alias stage.
CREATE OR REPLACE FUNCTION attrib._ingest_pairs()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
AS $$
BEGIN
    -- Identify pairs (definitions §3): both ids present and different, a time known.
    -- Grouped by a statement of its own, which reads the batch with parallel
    -- workers (an INSERT reads it in one process).
    DROP TABLE IF EXISTS pg_temp._ingest_identify_pairs;
    CREATE TEMP TABLE _ingest_identify_pairs ON COMMIT DROP AS
    SELECT b.anonymous_id, b.user_id, min(b.event_ts) AS first_seen
      FROM sessions_stages.ingest_batch b
     WHERE b.kind = 'identify' AND b.pair_ok AND b.anonymous_id IS NOT NULL AND b.user_id IS NOT NULL
       AND b.anonymous_id <> b.user_id AND b.event_ts IS NOT NULL
     GROUP BY 1, 2;
    WITH changed AS (
        INSERT INTO aliasing.identify_pairs AS ip (anonymous_id, user_id, first_seen)
        SELECT p.anonymous_id, p.user_id, p.first_seen FROM pg_temp._ingest_identify_pairs p
        ON CONFLICT (anonymous_id, user_id) DO UPDATE SET first_seen = EXCLUDED.first_seen
           WHERE EXCLUDED.first_seen < ip.first_seen
        RETURNING ip.anonymous_id)
    INSERT INTO sessions_stages.touched_anonymous_ids (anonymous_id)
    SELECT DISTINCT c.anonymous_id FROM changed c
    ON CONFLICT (anonymous_id) DO NOTHING;
END
$$;
COMMENT ON FUNCTION attrib._ingest_pairs() IS
  'Private: ingest step 3, identify pairs';
