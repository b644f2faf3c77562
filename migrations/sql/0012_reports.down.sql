-- Revision 0012 down: undoes 0012_reports.sql.
DROP VIEW IF EXISTS sessions.revenue_unmatched;
DROP VIEW IF EXISTS sessions.revenue_by_channel;
DROP VIEW IF EXISTS sessions.ltv_by_first_touch;
DROP VIEW IF EXISTS sessions.user_revenue;
DROP VIEW IF EXISTS sessions.retention_by_first_touch;
DROP VIEW IF EXISTS sessions.conversions_by_channel;
DROP TABLE IF EXISTS attrib.user_revenue;
DROP TABLE IF EXISTS attrib.revenue_unmatched;
-- _load_revenue reads the tables just dropped: forget its checksum so an upgrade re-applies it.
DROP FUNCTION IF EXISTS attrib._load_revenue();
DELETE FROM attrib.deployed_procedures WHERE file_name IN ('_load_revenue.sql', 'attribute.sql');
-- the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
ALTER TABLE attrib.settings DISABLE TRIGGER USER;
DELETE FROM attrib.settings WHERE name = 'revenue_source';
ALTER TABLE attrib.settings ENABLE TRIGGER USER;
-- signups_by_week as revision 0001 made it (week in the session's time zone, timestamptz)
DROP VIEW IF EXISTS sessions.signups_by_week;
CREATE VIEW sessions.signups_by_week AS SELECT date_trunc('week', signup_timestamp) AS week, first_touch_channel, count(*) AS signups FROM sessions.attribution GROUP BY 1, 2;
