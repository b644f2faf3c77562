-- 0022 down: back to md5 for every row. Rows taken in with SHA-256 are not
-- known again by an older release (re-read, they would count as duplicates
-- of themselves): run `attrib run --full` after the downgrade, which hashes
-- every row again with md5.
ALTER TABLE attrib.ingest_state DROP COLUMN md5_until;
