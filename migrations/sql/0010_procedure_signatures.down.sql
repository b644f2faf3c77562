-- Revision 0010 down: undoes 0010_procedure_signatures.sql.
ALTER TABLE attrib.deployed_procedures DROP COLUMN IF EXISTS signature;
