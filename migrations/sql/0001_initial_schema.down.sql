-- Revision 0001 down: remove everything attrib created. Extensions stay:
-- other applications in the database may use pg_partman or pg_cron.
DELETE FROM partman.part_config WHERE parent_table = 'partitioning.events';
DROP TABLE IF EXISTS partman.template_partitioning_events;
DROP SCHEMA IF EXISTS sessions CASCADE;
DROP SCHEMA IF EXISTS sessions_stages CASCADE;
DROP SCHEMA IF EXISTS aliasing CASCADE;
DROP SCHEMA IF EXISTS partitioning CASCADE;
DROP SCHEMA IF EXISTS attrib CASCADE;
