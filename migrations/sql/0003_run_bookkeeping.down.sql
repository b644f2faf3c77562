-- Revision 0003 down: undoes 0003_run_bookkeeping.sql.
DROP TABLE IF EXISTS attrib.test_faults;
DROP VIEW IF EXISTS attrib.runs;
DROP INDEX IF EXISTS attrib.run_log_running_idx;
ALTER TABLE attrib.run_log DROP COLUMN IF EXISTS started_by, DROP COLUMN IF EXISTS attempts;
