-- Revision 0017 down: undoes 0017_report_trust.sql.
-- The per-first-touch views as revision 0012 made them, before they became sums over the daily ones.
CREATE OR REPLACE VIEW sessions.retention_by_first_touch AS
WITH as_of AS (SELECT max(s.session_end) AS as_of FROM sessions.all_sessions s),
signed AS (
    SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign, a.signup_timestamp,
           l.last_start, o.as_of
      FROM sessions.attribution a
     CROSS JOIN as_of o
     CROSS JOIN LATERAL (SELECT max(s.session_start) AS last_start FROM sessions.all_sessions s
                          WHERE s.alias_id = a.alias_id) l
)
SELECT g.first_touch_channel, g.first_touch_source, g.first_touch_campaign,
       count(*) AS signups,
       count(*) FILTER (WHERE g.signup_timestamp + interval '168 hours' <= g.as_of) AS eligible_7d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '168 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '168 hours') AS retained_7d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '720 hours' <= g.as_of) AS eligible_30d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '720 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '720 hours') AS retained_30d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '2160 hours' <= g.as_of) AS eligible_90d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '2160 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '2160 hours') AS retained_90d
  FROM signed g
 GROUP BY g.first_touch_channel, g.first_touch_source, g.first_touch_campaign;
CREATE OR REPLACE VIEW sessions.ltv_by_first_touch AS
SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign,
       count(*) AS signups,
       count(r.alias_id) AS paying,
       coalesce(sum(r.revenue), 0) AS revenue,
       coalesce(sum(r.revenue), 0) / count(*) AS ltv
  FROM sessions.attribution a
  LEFT JOIN sessions.user_revenue r ON r.alias_id = a.alias_id
 GROUP BY a.first_touch_channel, a.first_touch_source, a.first_touch_campaign;
DROP VIEW IF EXISTS sessions.ltv_by_signup_day;
DROP VIEW IF EXISTS sessions.retention_by_signup_day;
DROP VIEW IF EXISTS sessions.report_settings;
-- the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
ALTER TABLE attrib.settings DISABLE TRIGGER USER;
DELETE FROM attrib.settings WHERE name IN ('min_sample', 'currency');
ALTER TABLE attrib.settings ENABLE TRIGGER USER;
DELETE FROM attrib.setting_rules WHERE name IN ('min_sample', 'currency');
ALTER TABLE attrib.setting_rules DROP CONSTRAINT setting_rules_kind_check;
ALTER TABLE attrib.setting_rules ADD CONSTRAINT setting_rules_kind_check CHECK (kind IN ('regex', 'duration', 'text_list', 'text_map', 'name', 'boolean', 'integer', 'timestamptz', 'relation'));
