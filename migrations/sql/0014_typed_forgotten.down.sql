-- Revision 0014 down: undoes 0014_typed_forgotten.sql.
ALTER TABLE attrib.forgotten DROP CONSTRAINT forgotten_pkey;
DELETE FROM attrib.forgotten a USING attrib.forgotten b WHERE a.id = b.id AND a.kind = 'anonymous_id' AND b.kind = 'user_id';
ALTER TABLE attrib.forgotten DROP COLUMN kind;
ALTER TABLE attrib.forgotten ADD PRIMARY KEY (id);
-- forget and ingest read the column just dropped: an upgrade re-applies them
DELETE FROM attrib.deployed_procedures WHERE file_name IN ('forget.sql', '_ingest_read.sql');
