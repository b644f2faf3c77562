-- Revision 0013 down: undoes 0013_bulk_load.sql.
DROP TABLE IF EXISTS sessions_stages.ingest_agents;
ALTER TABLE sessions_stages.dirty_aliases RESET (fillfactor);
-- the ingest steps of this revision read the table just dropped: an upgrade re-applies them
DELETE FROM attrib.deployed_procedures WHERE file_name LIKE '\_ingest\_%' OR file_name = 'ingest.sql';
