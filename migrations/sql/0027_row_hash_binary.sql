-- 0027: source rows are hashed from their binary image from now on.
--
-- The row hash (SHA-256, unchanged) was taken over the row's text form,
-- and writing that text (three timestamps formatted per row, every value
-- quoted) cost more than the digest itself: two fifths of a first load's
-- parallel read. The row's binary form (record_send: each column's type,
-- length and bytes; a timestamp as its 8 bytes of microseconds) names the
-- same row as exactly, at about half the cost. Same algorithm, same length
-- (base64, 44 characters): 128-bit collision resistance is kept.
--
-- A stored hash cannot be computed again (events and erased rejects keep no
-- image of their row), so rows loaded up to each table's watermark at this
-- upgrade keep the text form's hash: attrib._ingest_read hashes a row that
-- way when its load time is at most text_hash_until (md5_until, revision
-- 0022, still comes first). A new install and a reset (which forgets every
-- stored hash) have neither.
ALTER TABLE attrib.ingest_state ADD COLUMN text_hash_until timestamptz;
UPDATE attrib.ingest_state SET text_hash_until = watermark;
COMMENT ON COLUMN attrib.ingest_state.text_hash_until IS
  'Rows with a load time up to this (or none), and past md5_until, keep the SHA-256 of their text form they were '
  'taken in with; NULL: all hashed from their binary form';
