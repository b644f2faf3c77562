-- Revision 0019 up: the reports of definitions §11, the questions the replaced
-- system was built for, and the three optional sources they read.
--  * Settings spend_source, survey_source and content_source name relations
--    the user provides, read by every run as revenue_source is: the attribute
--    stage reads them after the publish, in its transaction, as attrib's
--    owner after the trusted-owner check (attrib._load_spend, _load_survey,
--    _load_content), into the attrib.* tables below; the sessions.* views read
--    those tables, never the user's relations (a view would run another
--    role's code as its owner).
--  * attrib.user_revenue keeps per-alias sums; a horizon needs each row's
--    time against the signup, so the revenue loader also writes the sums
--    within 30, 90 and 365 days of signup (attrib.user_revenue_horizon).
--  * Content groups are kept per signed-up alias (attrib.content_before_signup)
--    and recomputed only for the aliases a run publishes, unless the content
--    map changed (its fingerprint in attrib.optional_sources): then for
--    every alias, as a touch-rules change recomputes everyone.
--  * docs/outputs.md is generated from the comments below (`attrib docs`).

INSERT INTO attrib.setting_rules (name, kind, min_value, min_exclusive, max_value, nullable, rule, example) VALUES
  ('spend_source', 'relation', NULL, false, NULL, true,
   'JSON null, or a JSON string schema.name naming an existing table or view', '"ads.spend"'),
  ('survey_source', 'relation', NULL, false, NULL, true,
   'JSON null, or a JSON string schema.name naming an existing table or view', '"app.survey_answers"'),
  ('content_source', 'relation', NULL, false, NULL, true,
   'JSON null, or a JSON string schema.name naming an existing table or view', '"cms.content_map"');

INSERT INTO attrib.settings (name, value, description) VALUES
  ('spend_source', 'null',
   'schema.name of a table or view with day, source, medium, campaign, amount (ad spend per day and campaign, '
   'e.g. over the ad platforms'' exports); null: no spend reports. Read by every run; attrib''s owner role needs SELECT on it'),
  ('survey_source', 'null',
   'schema.name of a table or view with user_id, answer, answered_at ("where did you hear about us"); '
   'null: no survey reports. Read by every run; attrib''s owner role needs SELECT on it'),
  ('content_source', 'null',
   'schema.name of a table or view with url_prefix, content_group (e.g. each blog post''s URL and its author); '
   'null: no content reports. Read by every run; attrib''s owner role needs SELECT on it');

UPDATE attrib.stages
   SET reads = 'sessions_stages.*, revenue_source, spend_source, survey_source, content_source',
       writes = 'every sessions.* output of the dirty aliases, in one transaction; attrib.user_revenue, '
                'user_revenue_horizon, spend, survey_answers, content_before_signup, optional_sources'
 WHERE name = 'attribute';

-- What the loaders keep ---------------------------------------------------------------

CREATE TABLE attrib.user_revenue_horizon (
    alias_id     text NOT NULL,
    horizon_days int NOT NULL CHECK (horizon_days IN (30, 90, 365)),
    revenue      numeric NOT NULL,
    orders       bigint NOT NULL,
    PRIMARY KEY (alias_id, horizon_days)
);
COMMENT ON TABLE attrib.user_revenue_horizon IS
  'Revenue rows of revenue_source per signed-up alias with occurred_at < signup_timestamp + horizon_days '
  '(30, 90, 365; no row when none), as of the last publish (attrib._load_revenue)';

CREATE TABLE attrib.spend (
    day      date NOT NULL,
    source   text NOT NULL,
    medium   text NOT NULL,
    campaign text,
    channel  text NOT NULL,
    amount   numeric NOT NULL
);
-- identical rows add up (definitions §11): one row per day and campaign
CREATE UNIQUE INDEX spend_day_campaign ON attrib.spend (day, source, medium, campaign) NULLS NOT DISTINCT;
COMMENT ON TABLE attrib.spend IS
  'Rows of spend_source summed per day, source, medium and campaign, with the definitions §5 channel of each, '
  'as of the last publish (attrib._load_spend)';

CREATE TABLE attrib.survey_answers (
    alias_id text PRIMARY KEY,
    answer   text NOT NULL
);
COMMENT ON TABLE attrib.survey_answers IS
  'Each signed-up alias''s latest answer in survey_source, lower-cased, as of the last publish (attrib._load_survey)';

CREATE TABLE attrib.content_before_signup (
    alias_id      text NOT NULL,
    content_group text NOT NULL,
    pages         bigint NOT NULL,
    first_seen    timestamptz NOT NULL,
    PRIMARY KEY (alias_id, content_group)
);
COMMENT ON TABLE attrib.content_before_signup IS
  'Page views up to signup per signed-up alias and content group of content_source (attrib._load_content)';

CREATE TABLE attrib.optional_sources (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    spend_read          boolean NOT NULL,
    survey_unmatched    bigint NOT NULL,
    content_fingerprint text
);
INSERT INTO attrib.optional_sources (singleton, spend_read, survey_unmatched, content_fingerprint)
VALUES (true, false, 0, NULL);
COMMENT ON TABLE attrib.optional_sources IS
  'One row: whether the last publish read a spend_source, the survey rows of no signed-up alias, and the '
  'fingerprint of the content map attrib.content_before_signup was computed with (NULL: recompute everyone)';

-- The reports (definitions §11) --------------------------------------------------------------

-- as_of as in retention_by_first_touch: the latest session_end. N days are N x 24 hours.
CREATE VIEW sessions.ltv_horizon_by_first_touch AS
WITH as_of AS (SELECT max(s.session_end) AS as_of FROM sessions.all_sessions s),
signed AS (
    SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign, h.horizon_days,
           a.signup_timestamp + h.horizon_days * interval '24 hours' <= o.as_of AS eligible,
           r.revenue, r.orders
      FROM sessions.attribution a
     CROSS JOIN as_of o
     CROSS JOIN (VALUES (30), (90), (365)) h(horizon_days)
      LEFT JOIN attrib.user_revenue_horizon r ON r.alias_id = a.alias_id AND r.horizon_days = h.horizon_days
)
SELECT g.first_touch_channel, g.first_touch_source, g.first_touch_campaign, g.horizon_days,
       count(*) FILTER (WHERE g.eligible) AS eligible,
       count(*) FILTER (WHERE g.eligible AND g.orders > 0) AS paying,
       coalesce(sum(g.revenue) FILTER (WHERE g.eligible), 0) AS revenue,
       coalesce(sum(g.revenue) FILTER (WHERE g.eligible), 0) / nullif(count(*) FILTER (WHERE g.eligible), 0) AS ltv
  FROM signed g
 GROUP BY g.first_touch_channel, g.first_touch_source, g.first_touch_campaign, g.horizon_days;
COMMENT ON VIEW sessions.ltv_horizon_by_first_touch IS
  'Lifetime value at a fixed horizon (30, 90, 365 days after signup) by first touch: only signups old enough '
  'count, so cohorts of different ages compare';

-- A week of spend is the ISO week of its day: date_trunc on a timestamp without
-- zone, the same in every TimeZone. The six models come from definitions §8, since
-- spend with no conversions still shows under every model.
CREATE VIEW sessions.cac_by_channel AS
WITH models(model) AS (VALUES ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'),
                              ('position_based'), ('time_decay')),
spend AS (
    SELECT (date_trunc('week', s.day::timestamp))::date AS week, s.channel, sum(s.amount) AS spend
      FROM attrib.spend s
     GROUP BY 1, 2
),
spent AS (SELECT m.model, s.week, s.channel, s.spend FROM models m CROSS JOIN spend s)
SELECT coalesce(s.model, c.model) AS model, coalesce(s.week, c.week) AS week, coalesce(s.channel, c.channel) AS channel,
       coalesce(s.spend, 0) AS spend,
       coalesce(c.conversions, 0) AS conversions,
       coalesce(s.spend, 0) / nullif(c.conversions, 0)::numeric AS cac
  FROM spent s
  FULL JOIN sessions.conversions_by_channel c ON c.model = s.model AND c.week = s.week AND c.channel = s.channel
 WHERE (SELECT o.spend_read FROM attrib.optional_sources o);
COMMENT ON VIEW sessions.cac_by_channel IS
  'Cost per acquisition: spend of spend_source against credited signups, per model, week (UTC Monday) and channel '
  '(empty without spend_source)';

CREATE VIEW sessions.roas_by_channel AS
WITH models(model) AS (VALUES ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'),
                              ('position_based'), ('time_decay')),
spend AS (SELECT s.channel, sum(s.amount) AS spend FROM attrib.spend s GROUP BY s.channel),
spent AS (SELECT m.model, s.channel, s.spend FROM models m CROSS JOIN spend s)
SELECT coalesce(s.model, r.model) AS model, coalesce(s.channel, r.channel) AS channel,
       coalesce(s.spend, 0) AS spend,
       coalesce(r.revenue, 0) AS revenue,
       coalesce(r.revenue, 0) / nullif(s.spend, 0) AS roas
  FROM spent s
  FULL JOIN sessions.revenue_by_channel r ON r.model = s.model AND r.channel = s.channel
 WHERE (SELECT o.spend_read FROM attrib.optional_sources o);
COMMENT ON VIEW sessions.roas_by_channel IS
  'Return on ad spend over all time: credited revenue per unit of spend, per model and channel '
  '(empty without spend_source)';

-- Credit summed as numeric (exact, the same in any row order), as conversions_by_channel does.
-- lower(... COLLATE "C") is attrib.lower_ascii (ASCII only), written out: the
-- procedures are created after the migrations.
CREATE VIEW sessions.cac_by_campaign AS
WITH models(model) AS (VALUES ('first_touch'), ('last_touch'), ('last_non_direct'), ('linear'),
                              ('position_based'), ('time_decay')),
spend AS (
    SELECT s.source, s.medium, lower(s.campaign COLLATE "C") AS campaign, sum(s.amount) AS spend
      FROM attrib.spend s
     GROUP BY 1, 2, 3
),
credit AS (
    SELECT c.model, t.source, t.medium, lower(t.campaign COLLATE "C") AS campaign, sum(c.credit::numeric) AS conversions
      FROM sessions.attribution_credit c
      JOIN sessions.attribution a ON a.alias_id = c.alias_id
      JOIN sessions.all_sessions t ON t.alias_id = c.alias_id AND t.session_id = c.session_id
     WHERE (t.source, t.medium) IN (SELECT s.source, s.medium FROM spend s)
     GROUP BY 1, 2, 3, 4
)
SELECT m.model, s.source, s.medium, s.campaign, s.spend,
       coalesce(c.conversions, 0)::double precision AS conversions,
       s.spend / nullif(c.conversions, 0) AS cac
  FROM models m
 CROSS JOIN spend s
  LEFT JOIN credit c ON c.model = m.model AND c.source = s.source AND c.medium = s.medium
                    AND c.campaign IS NOT DISTINCT FROM s.campaign;
COMMENT ON VIEW sessions.cac_by_campaign IS
  'Cost per acquisition per campaign of spend_source over all time: its spend against the credit of the '
  'sessions with the same source, medium and campaign (campaign compared lower-cased), per model';

CREATE VIEW sessions.survey_vs_first_touch AS
SELECT s.answer, a.first_touch_channel, count(*) AS users
  FROM attrib.survey_answers s
  JOIN sessions.attribution a ON a.alias_id = s.alias_id
 GROUP BY s.answer, a.first_touch_channel;
COMMENT ON VIEW sessions.survey_vs_first_touch IS
  'The gut check: what signed-up users answered "where did you hear about us" against their first-touch channel '
  '(survey_source; empty without it)';

CREATE VIEW sessions.survey_unmatched AS
SELECT o.survey_unmatched AS rows FROM attrib.optional_sources o;
COMMENT ON VIEW sessions.survey_unmatched IS
  'Survey rows that belong to no signed-up alias (one row; 0 when none): check it before trusting the gut check';

CREATE VIEW sessions.content_before_signup AS
SELECT c.alias_id, c.content_group, c.pages, c.first_seen
  FROM attrib.content_before_signup c
 WHERE EXISTS (SELECT FROM sessions.attribution a WHERE a.alias_id = c.alias_id);
COMMENT ON VIEW sessions.content_before_signup IS
  'Content (groups of content_source, e.g. blog authors) each signed-up person read up to signup';

CREATE VIEW sessions.ltv_by_content AS
SELECT c.content_group,
       count(*) AS signups,
       count(r.alias_id) AS paying,
       coalesce(sum(r.revenue), 0) AS revenue,
       coalesce(sum(r.revenue), 0) / count(*) AS ltv
  FROM sessions.content_before_signup c
  LEFT JOIN sessions.user_revenue r ON r.alias_id = c.alias_id
 GROUP BY c.content_group;
COMMENT ON VIEW sessions.ltv_by_content IS
  'Which content brings the best customers: signups who read each content group before signing up, and their LTV';

-- Column documentation ---------------------------------------------------------------

COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.first_touch_channel IS 'Channel of the first session (group)';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.first_touch_source IS 'Source of the first session (group)';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.first_touch_campaign IS
  'Campaign of the first session (group; NULL is a group of its own)';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.horizon_days IS
  '30, 90 or 365: revenue counts up to this many days after signup (three rows per group, always)';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.eligible IS
  'Signups at least horizon_days before the latest event of all (as_of): younger ones are left out, not counted as 0';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.paying IS
  'Of eligible, those with a revenue row before signup + horizon_days';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.revenue IS
  'Revenue of the eligible signups before signup + horizon_days (rows before signup count; 0 without revenue_source)';
COMMENT ON COLUMN sessions.ltv_horizon_by_first_touch.ltv IS
  'revenue / eligible: value per signup within the horizon; NULL when no signup is old enough';

COMMENT ON COLUMN sessions.cac_by_channel.model IS 'Attribution model of the conversions; never add models up';
COMMENT ON COLUMN sessions.cac_by_channel.week IS
  'Monday (UTC) starting the week: of the spend''s day for spend, of the signup for conversions';
COMMENT ON COLUMN sessions.cac_by_channel.channel IS
  'Channel: of the spend rows by the definitions §5 rules on their source, medium, campaign; of the credited sessions';
COMMENT ON COLUMN sessions.cac_by_channel.spend IS 'Spend of that week and channel (0 when none)';
COMMENT ON COLUMN sessions.cac_by_channel.conversions IS
  'Signups credited to the channel that week, as conversions_by_channel (0 when none)';
COMMENT ON COLUMN sessions.cac_by_channel.cac IS
  'spend / conversions; NULL when there were no conversions. Signups of a week need not come from that week''s spend';

COMMENT ON COLUMN sessions.roas_by_channel.model IS 'Attribution model of the revenue; never add models up';
COMMENT ON COLUMN sessions.roas_by_channel.channel IS 'Channel of the spend rows or of the credited sessions';
COMMENT ON COLUMN sessions.roas_by_channel.spend IS 'All spend of the channel (0 when none)';
COMMENT ON COLUMN sessions.roas_by_channel.revenue IS 'The channel''s revenue of revenue_by_channel (0 when none)';
COMMENT ON COLUMN sessions.roas_by_channel.roas IS 'revenue / spend; NULL when there was no spend';

COMMENT ON COLUMN sessions.cac_by_campaign.model IS 'Attribution model of the conversions; never add models up';
COMMENT ON COLUMN sessions.cac_by_campaign.source IS 'source of the spend rows, lower-cased; (not set) when they had none';
COMMENT ON COLUMN sessions.cac_by_campaign.medium IS 'medium of the spend rows, lower-cased; (not set) when they had none';
COMMENT ON COLUMN sessions.cac_by_campaign.campaign IS 'campaign of the spend rows, lower-cased; NULL is a campaign of its own';
COMMENT ON COLUMN sessions.cac_by_campaign.spend IS 'All spend of that source, medium and campaign';
COMMENT ON COLUMN sessions.cac_by_campaign.conversions IS
  'Credit of the sessions with that source, medium and campaign (campaign compared lower-cased, NULL with NULL); 0 when none';
COMMENT ON COLUMN sessions.cac_by_campaign.cac IS 'spend / conversions; NULL when there were no conversions';

COMMENT ON COLUMN sessions.survey_vs_first_touch.answer IS
  'The person''s latest answer in survey_source, trimmed and lower-cased (as typed: group synonyms yourself)';
COMMENT ON COLUMN sessions.survey_vs_first_touch.first_touch_channel IS 'Channel of the person''s first session';
COMMENT ON COLUMN sessions.survey_vs_first_touch.users IS
  'Signed-up people with that answer and that first touch; people without an answer are not counted';

COMMENT ON COLUMN sessions.survey_unmatched.rows IS
  'Survey rows (with an answer and a time) whose user_id (cleaned) is no signed-up alias: unknown, not signed up, or empty';

COMMENT ON COLUMN sessions.content_before_signup.alias_id IS 'The person who signed up';
COMMENT ON COLUMN sessions.content_before_signup.content_group IS
  'Group (e.g. author) of the longest url_prefix of content_source that a page''s cleaned URL starts with';
COMMENT ON COLUMN sessions.content_before_signup.pages IS 'Their page views of that group at or before signup';
COMMENT ON COLUMN sessions.content_before_signup.first_seen IS 'Time of the first of those page views';

COMMENT ON COLUMN sessions.ltv_by_content.content_group IS 'Group of content_source (e.g. a blog author)';
COMMENT ON COLUMN sessions.ltv_by_content.signups IS
  'People who read the group before signing up; one person counts in every group they read';
COMMENT ON COLUMN sessions.ltv_by_content.paying IS 'Of them, those with at least one revenue row';
COMMENT ON COLUMN sessions.ltv_by_content.revenue IS
  'Their whole revenue, counted in full in every group each read (not shared out: do not add groups up)';
COMMENT ON COLUMN sessions.ltv_by_content.ltv IS 'revenue / signups';
