-- Revision 0017 up: what the growth report needs to be trusted (issue 29).
--  * Two report settings: min_sample (groups with fewer signups are greyed
--    in the reports and left out of their headlines: an LTV of 12 signups
--    is noise, not a finding) and currency (an ISO 4217 code shown on every
--    amount; null: amounts are shown without one). A new rule kind,
--    currency, judges the code (procedures/settings/_setting_check.sql).
--    Neither changes the outputs, so neither is in the outputs' fingerprint.
--  * sessions.report_settings: the two, readable by the reader role, which
--    may read schema sessions only (attrib report runs as a reader).
--  * Retention and LTV per signup day (UTC), so a report for signups since a
--    day filters every section the same way; the per-first-touch views keep
--    their columns and become sums over the daily ones (one definition).

ALTER TABLE attrib.setting_rules DROP CONSTRAINT setting_rules_kind_check;
ALTER TABLE attrib.setting_rules ADD CONSTRAINT setting_rules_kind_check
    CHECK (kind IN ('regex', 'duration', 'text_list', 'text_map', 'name', 'boolean', 'integer', 'timestamptz',
                    'relation', 'currency'));

INSERT INTO attrib.setting_rules (name, kind, min_value, min_exclusive, max_value, nullable, rule, example) VALUES
  ('min_sample', 'integer', '1', false, '1000000', false,
   'an integer from 1 to 1000000 (signups a group needs before the reports treat it as a finding)', '30'),
  ('currency', 'currency', NULL, false, NULL, true,
   'JSON null, or a JSON string of three capital letters, an ISO 4217 code such as EUR or USD', '"EUR"');

INSERT INTO attrib.settings (name, value, description) VALUES
  ('min_sample', '30',
   'Signups a group (a first-touch channel) needs before the reports treat its retention or LTV as a finding; '
   'smaller groups are greyed with their count shown and left out of the headlines'),
  ('currency', 'null',
   'ISO 4217 code of the amounts in revenue_source (e.g. "EUR"), shown on every amount in the reports; '
   'null: amounts are shown without a currency');

CREATE VIEW sessions.report_settings AS
SELECT (SELECT (s.value #>> '{}')::integer FROM attrib.settings s WHERE s.name = 'min_sample') AS min_sample,
       (SELECT s.value #>> '{}' FROM attrib.settings s WHERE s.name = 'currency') AS currency;
COMMENT ON VIEW sessions.report_settings IS
  'The settings attrib report reads (one row): min_sample and currency, from attrib.settings';
COMMENT ON COLUMN sessions.report_settings.min_sample IS
  'Signups a group needs before the reports treat its rates as a finding; smaller groups are greyed';
COMMENT ON COLUMN sessions.report_settings.currency IS
  'ISO 4217 code of the revenue amounts (e.g. EUR); NULL when not set';

-- Retention and LTV per signup day ------------------------------------------------------

-- as_of: the latest event of all, which is the latest session_end (every event is in a session).
-- N days are N x 24 hours: the same in every TimeZone.
CREATE VIEW sessions.retention_by_signup_day AS
WITH as_of AS (SELECT max(s.session_end) AS as_of FROM sessions.all_sessions s),
signed AS (
    SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign, a.signup_timestamp,
           l.last_start, o.as_of
      FROM sessions.attribution a
     CROSS JOIN as_of o
     CROSS JOIN LATERAL (SELECT max(s.session_start) AS last_start FROM sessions.all_sessions s
                          WHERE s.alias_id = a.alias_id) l
)
SELECT (g.signup_timestamp AT TIME ZONE 'UTC')::date AS signup_day,
       g.first_touch_channel, g.first_touch_source, g.first_touch_campaign,
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
 GROUP BY 1, g.first_touch_channel, g.first_touch_source, g.first_touch_campaign;
COMMENT ON VIEW sessions.retention_by_signup_day IS
  'retention_by_first_touch per signup day (UTC): sum the days you want, e.g. signups since a date';

CREATE OR REPLACE VIEW sessions.retention_by_first_touch AS
SELECT d.first_touch_channel, d.first_touch_source, d.first_touch_campaign,
       sum(d.signups)::bigint AS signups,
       sum(d.eligible_7d)::bigint AS eligible_7d, sum(d.retained_7d)::bigint AS retained_7d,
       sum(d.eligible_30d)::bigint AS eligible_30d, sum(d.retained_30d)::bigint AS retained_30d,
       sum(d.eligible_90d)::bigint AS eligible_90d, sum(d.retained_90d)::bigint AS retained_90d
  FROM sessions.retention_by_signup_day d
 GROUP BY d.first_touch_channel, d.first_touch_source, d.first_touch_campaign;

CREATE VIEW sessions.ltv_by_signup_day AS
SELECT (a.signup_timestamp AT TIME ZONE 'UTC')::date AS signup_day,
       a.first_touch_channel, a.first_touch_source, a.first_touch_campaign,
       count(*) AS signups,
       count(r.alias_id) AS paying,
       coalesce(sum(r.revenue), 0) AS revenue
  FROM sessions.attribution a
  LEFT JOIN sessions.user_revenue r ON r.alias_id = a.alias_id
 GROUP BY 1, a.first_touch_channel, a.first_touch_source, a.first_touch_campaign;
COMMENT ON VIEW sessions.ltv_by_signup_day IS
  'ltv_by_first_touch per signup day (UTC), without the ratio: sum signups and revenue over the days you want';

CREATE OR REPLACE VIEW sessions.ltv_by_first_touch AS
SELECT d.first_touch_channel, d.first_touch_source, d.first_touch_campaign,
       sum(d.signups)::bigint AS signups,
       sum(d.paying)::bigint AS paying,
       sum(d.revenue) AS revenue,
       sum(d.revenue) / sum(d.signups) AS ltv
  FROM sessions.ltv_by_signup_day d
 GROUP BY d.first_touch_channel, d.first_touch_source, d.first_touch_campaign;

COMMENT ON COLUMN sessions.retention_by_signup_day.signup_day IS 'Day (UTC) of the signups';
COMMENT ON COLUMN sessions.retention_by_signup_day.first_touch_channel IS 'Channel of the first session (group)';
COMMENT ON COLUMN sessions.retention_by_signup_day.first_touch_source IS 'Source of the first session (group)';
COMMENT ON COLUMN sessions.retention_by_signup_day.first_touch_campaign IS
  'Campaign of the first session (group; NULL, no campaign, is a group of its own)';
COMMENT ON COLUMN sessions.retention_by_signup_day.signups IS 'People who signed up that day with this first touch';
COMMENT ON COLUMN sessions.retention_by_signup_day.eligible_7d IS
  'Of them, those at least 7 days before the latest event of all (as_of): only they can have come back after 7 days';
COMMENT ON COLUMN sessions.retention_by_signup_day.retained_7d IS
  'Of eligible_7d, those who started a session 7 days or more after signing up. Rate = retained_7d / eligible_7d';
COMMENT ON COLUMN sessions.retention_by_signup_day.eligible_30d IS
  'Of them, those at least 30 days before the latest event of all';
COMMENT ON COLUMN sessions.retention_by_signup_day.retained_30d IS
  'Of eligible_30d, those who started a session 30 days or more after signing up';
COMMENT ON COLUMN sessions.retention_by_signup_day.eligible_90d IS
  'Of them, those at least 90 days before the latest event of all';
COMMENT ON COLUMN sessions.retention_by_signup_day.retained_90d IS
  'Of eligible_90d, those who started a session 90 days or more after signing up';

COMMENT ON COLUMN sessions.ltv_by_signup_day.signup_day IS 'Day (UTC) of the signups';
COMMENT ON COLUMN sessions.ltv_by_signup_day.first_touch_channel IS 'Channel of the first session (group)';
COMMENT ON COLUMN sessions.ltv_by_signup_day.first_touch_source IS 'Source of the first session (group)';
COMMENT ON COLUMN sessions.ltv_by_signup_day.first_touch_campaign IS
  'Campaign of the first session (group; NULL is a group of its own)';
COMMENT ON COLUMN sessions.ltv_by_signup_day.signups IS 'People who signed up that day with this first touch';
COMMENT ON COLUMN sessions.ltv_by_signup_day.paying IS 'Of them, those with at least one revenue row';
COMMENT ON COLUMN sessions.ltv_by_signup_day.revenue IS
  'Their revenue summed (0 without revenue_source); LTV over some days = sum(revenue) / sum(signups)';
