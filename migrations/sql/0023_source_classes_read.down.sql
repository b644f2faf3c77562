-- 0023 down: attrib.source_match (and the functions bound to it) read the
-- view: they go with it, and the next upgrade creates them again
-- (attrib.procedures.apply re-applies a file whose object is gone).
DROP VIEW IF EXISTS attrib._source_classes CASCADE;
DELETE FROM attrib.deployed_procedures WHERE file_name = '_source_class_rows.sql';
DROP FUNCTION IF EXISTS attrib._source_class_rows();
