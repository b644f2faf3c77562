-- Revision 0019 down: undoes 0019_growth_questions.sql.
DROP VIEW IF EXISTS sessions.ltv_by_content;
DROP VIEW IF EXISTS sessions.content_before_signup;
DROP VIEW IF EXISTS sessions.survey_unmatched;
DROP VIEW IF EXISTS sessions.survey_vs_first_touch;
DROP VIEW IF EXISTS sessions.cac_by_campaign;
DROP VIEW IF EXISTS sessions.roas_by_channel;
DROP VIEW IF EXISTS sessions.cac_by_channel;
DROP VIEW IF EXISTS sessions.ltv_horizon_by_first_touch;
DROP TABLE IF EXISTS attrib.user_revenue_horizon;
DROP TABLE IF EXISTS attrib.spend;
DROP TABLE IF EXISTS attrib.survey_answers;
DROP TABLE IF EXISTS attrib.content_before_signup;
DROP TABLE IF EXISTS attrib.optional_sources;
-- the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
ALTER TABLE attrib.settings DISABLE TRIGGER USER;
DELETE FROM attrib.settings WHERE name IN ('spend_source', 'survey_source', 'content_source');
ALTER TABLE attrib.settings ENABLE TRIGGER USER;
DELETE FROM attrib.setting_rules WHERE name IN ('spend_source', 'survey_source', 'content_source');
UPDATE attrib.stages SET reads = 'sessions_stages.*, revenue_source', writes = 'every sessions.* output of the dirty aliases, in one transaction; attrib.user_revenue' WHERE name = 'attribute';
-- attribute, forget and the revenue loader read what was just dropped: an upgrade re-applies them
DELETE FROM attrib.deployed_procedures WHERE file_name IN ('attribute.sql', 'forget.sql', '_load_revenue.sql', '_load_spend.sql', '_load_survey.sql', '_load_content.sql', '_bind_source.sql');
