-- Revision 0009 down: undoes 0009_settings_rules.sql.
-- The trigger and its function come from procedures/settings/_settings_guard.sql;
-- forget its checksum so the next upgrade creates the trigger again.
DROP TRIGGER IF EXISTS settings_guard ON attrib.settings;
DROP TRIGGER IF EXISTS settings_guard_truncate ON attrib.settings;
DELETE FROM attrib.deployed_procedures WHERE file_name IN ('_settings_guard.sql', '_setting_check.sql', '_check_settings.sql');
DROP TABLE IF EXISTS attrib.setting_rules;
