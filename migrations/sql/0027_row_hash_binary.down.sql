-- 0027 down: back to the text form's SHA-256 for every row. Rows taken in
-- with the binary form's hash are not known again by an older release
-- (re-read, they would count as duplicates of themselves): run
-- `attrib run --full` after the downgrade, which hashes every row again.
ALTER TABLE attrib.ingest_state DROP COLUMN text_hash_until;
