-- 0022: source rows are hashed with SHA-256 from now on.
--
-- The row hash keys attrib.overlap_rows, attrib.rejects and
-- attrib.duplicates, and is kept on every event: a re-read source row is
-- known by it. Segment's write key is public, so visitors choose the rows,
-- and md5 lets anyone build two rows with one hash: the second would be
-- taken for the first and dropped. SHA-256 keeps 128-bit collision
-- resistance (and costs less per row than md5 here).
--
-- A stored hash cannot be computed again (events and erased rejects keep no
-- image of their row), so rows loaded up to each table's watermark at this
-- upgrade keep md5: attrib._ingest_read hashes a row with md5 when its load
-- time is at most md5_until. A new install and a reset (which forgets every
-- stored hash) have no md5_until.
ALTER TABLE attrib.ingest_state ADD COLUMN md5_until timestamptz;
UPDATE attrib.ingest_state SET md5_until = watermark;
COMMENT ON COLUMN attrib.ingest_state.md5_until IS
  'Rows with a load time up to this (or none) keep the md5 row hash they were taken in with; NULL: all SHA-256';
