-- Revision 0008 down: undoes 0008_hostile_data.sql.
DROP TABLE IF EXISTS attrib.forgotten;
ALTER TABLE attrib.overlap_rows DROP COLUMN IF EXISTS copies;
ALTER TABLE attrib.duplicates DROP COLUMN IF EXISTS copies;
ALTER TABLE attrib.rejects DROP COLUMN IF EXISTS copies;
DELETE FROM attrib.settings WHERE name IN ('max_id_length', 'oldest_event_ts');
