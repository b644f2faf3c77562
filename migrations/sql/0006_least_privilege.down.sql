-- Revision 0006 down: undoes 0006_least_privilege.sql.
ALTER TABLE attrib.test_faults DROP CONSTRAINT IF EXISTS test_faults_sleep_bounded;
DROP TABLE IF EXISTS attrib.run_lease;
DROP TABLE IF EXISTS attrib.roles;
