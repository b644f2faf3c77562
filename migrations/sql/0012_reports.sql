-- Revision 0012 up: the reports of definitions §10, the revenue_source setting, and
-- a comment on every column an analyst reads in schema sessions.
--  * The reports are views over the published outputs, so they change only
--    when a run publishes (or attrib forget removes a person), never halfway.
--  * Revenue comes from a relation the user names in revenue_source. A view
--    must not read it (the view would run another role's code as its owner),
--    so the attribute stage reads it (attrib._load_revenue, run as attrib's
--    owner after the trusted-owner check) into attrib.user_revenue and
--    attrib.revenue_unmatched, in the publish's transaction; the views read
--    those two tables.
--  * Weeks are UTC Mondays as a date, whatever the session's TimeZone:
--    signups_by_week is rebuilt so (its week was a timestamptz cut in the
--    reader's zone).
--  * docs/outputs.md is generated from these comments (`attrib docs`); a
--    test fails when they disagree.

-- Revenue, refreshed by every run -------------------------------------------------

CREATE TABLE attrib.user_revenue (
    alias_id       text PRIMARY KEY,
    revenue        numeric NOT NULL,
    orders         bigint NOT NULL,
    first_order_at timestamptz NOT NULL,
    last_order_at  timestamptz NOT NULL
);
COMMENT ON TABLE attrib.user_revenue IS
  'Revenue rows of revenue_source per signed-up alias, as of the last publish (attrib._load_revenue); '
  'read through sessions.user_revenue';

CREATE TABLE attrib.revenue_unmatched (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    rows      bigint NOT NULL,
    amount    numeric NOT NULL
);
INSERT INTO attrib.revenue_unmatched (singleton, rows, amount) VALUES (true, 0, 0);
COMMENT ON TABLE attrib.revenue_unmatched IS
  'One row: revenue rows of revenue_source whose user is no signed-up alias, as of the last publish';

INSERT INTO attrib.settings (name, value, description) VALUES
  ('revenue_source', 'null',
   'schema.name of a table or view with user_id, amount, occurred_at (e.g. over a billing export); '
   'null: no revenue. Read by every run; attrib''s owner role needs SELECT on it');

-- Weeks in UTC ------------------------------------------------------------------------

DROP VIEW sessions.signups_by_week;
CREATE VIEW sessions.signups_by_week AS
SELECT (date_trunc('week', a.signup_timestamp AT TIME ZONE 'UTC'))::date AS week,
       a.first_touch_channel,
       count(*) AS signups
  FROM sessions.attribution a
 GROUP BY 1, 2;
COMMENT ON VIEW sessions.signups_by_week IS 'Signups per week (UTC Monday) by first-touch channel';

-- The reports (definitions §10) --------------------------------------------------------------

-- Credit is summed as numeric: exact, so the same whatever order rows are read in.
CREATE VIEW sessions.conversions_by_channel AS
SELECT c.model,
       (date_trunc('week', a.signup_timestamp AT TIME ZONE 'UTC'))::date AS week,
       s.channel,
       count(DISTINCT c.alias_id) AS signups,
       sum(c.credit::numeric)::double precision AS conversions
  FROM sessions.attribution_credit c
  JOIN sessions.attribution a ON a.alias_id = c.alias_id
  JOIN sessions.all_sessions s ON s.alias_id = c.alias_id AND s.session_id = c.session_id
 WHERE c.credit > 0
 GROUP BY c.model, 2, s.channel;
COMMENT ON VIEW sessions.conversions_by_channel IS
  'Signups credited to each channel, per attribution model and signup week (UTC Monday)';

-- as_of: the latest event of all, which is the latest session_end (every event is in a session).
-- N days are N x 24 hours: the same in every TimeZone.
CREATE VIEW sessions.retention_by_first_touch AS
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
COMMENT ON VIEW sessions.retention_by_first_touch IS
  'Stickiness by first touch: of the signups old enough, how many came back 7, 30, 90 days after signing up';

CREATE VIEW sessions.user_revenue AS
SELECT r.alias_id, r.revenue, r.orders, r.first_order_at, r.last_order_at
  FROM attrib.user_revenue r
 WHERE EXISTS (SELECT FROM sessions.attribution a WHERE a.alias_id = r.alias_id);
COMMENT ON VIEW sessions.user_revenue IS
  'Revenue per signed-up alias from the relation named by the setting revenue_source (empty without it)';

CREATE VIEW sessions.ltv_by_first_touch AS
SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign,
       count(*) AS signups,
       count(r.alias_id) AS paying,
       coalesce(sum(r.revenue), 0) AS revenue,
       coalesce(sum(r.revenue), 0) / count(*) AS ltv
  FROM sessions.attribution a
  LEFT JOIN sessions.user_revenue r ON r.alias_id = a.alias_id
 GROUP BY a.first_touch_channel, a.first_touch_source, a.first_touch_campaign;
COMMENT ON VIEW sessions.ltv_by_first_touch IS
  'Revenue and lifetime value per signup, by first touch (channel, source, campaign)';

CREATE VIEW sessions.revenue_by_channel AS
SELECT c.model, s.channel, sum(r.revenue * c.credit::numeric) AS revenue
  FROM sessions.user_revenue r
  JOIN sessions.attribution_credit c ON c.alias_id = r.alias_id
  JOIN sessions.all_sessions s ON s.alias_id = c.alias_id AND s.session_id = c.session_id
 GROUP BY c.model, s.channel
HAVING sum(r.revenue * c.credit::numeric) <> 0;
COMMENT ON VIEW sessions.revenue_by_channel IS
  'Revenue shared out over each paying signup''s sessions by credit, per model and channel';

CREATE VIEW sessions.revenue_unmatched AS
SELECT u.rows, u.amount FROM attrib.revenue_unmatched u;
COMMENT ON VIEW sessions.revenue_unmatched IS
  'Revenue rows that belong to no signed-up alias (one row; 0, 0 when none): check it before trusting LTV';

-- Column documentation ---------------------------------------------------------------

COMMENT ON COLUMN sessions.all_sessions.alias_id IS
  'The person: their user_id once identified on any of their devices, else the anonymous_id. Often an e-mail address (personal data)';
COMMENT ON COLUMN sessions.all_sessions.session_id IS
  'Stable id of the session (from alias_id and its first event): the same on every rerun, so safe to join on';
COMMENT ON COLUMN sessions.all_sessions.identified IS
  'true when the alias is a known user (a user_id reached it directly or through the device''s owner)';
COMMENT ON COLUMN sessions.all_sessions.session_number IS
  '1 for the alias''s first session, then 2, 3, ... in order of session_start';
COMMENT ON COLUMN sessions.all_sessions.session_start IS
  'Time of the session''s first event (UTC)';
COMMENT ON COLUMN sessions.all_sessions.session_end IS
  'Time of the session''s last event; equals session_start for a one-event session';
COMMENT ON COLUMN sessions.all_sessions.event_count IS
  'Events in the session: pages and tracks together';
COMMENT ON COLUMN sessions.all_sessions.page_count IS
  'Page views in the session (tracks not counted)';
COMMENT ON COLUMN sessions.all_sessions.landing_url IS
  'URL of the landing event: the first page view, or the first event when the session has no page view. Keeps its query string';
COMMENT ON COLUMN sessions.all_sessions.referrer IS
  'Referrer of the landing event as sent, internal ones included (see source for what counts)';
COMMENT ON COLUMN sessions.all_sessions.utm_source IS 'utm_source of the landing event, as sent';
COMMENT ON COLUMN sessions.all_sessions.utm_medium IS 'utm_medium of the landing event, as sent';
COMMENT ON COLUMN sessions.all_sessions.utm_campaign IS 'utm_campaign of the landing event, as sent';
COMMENT ON COLUMN sessions.all_sessions.utm_term IS 'utm_term of the landing event, as sent';
COMMENT ON COLUMN sessions.all_sessions.utm_content IS 'utm_content of the landing event, as sent';
COMMENT ON COLUMN sessions.all_sessions.source IS
  'Where the visit came from: utm_source, else the ad network of a click id (gclid ...), else the referrer''s host, else (direct). Internal referrers count as none';
COMMENT ON COLUMN sessions.all_sessions.medium IS
  'utm_medium, else cpc for a click id, else organic (search engine), referral (other site) or (none)';
COMMENT ON COLUMN sessions.all_sessions.campaign IS
  'utm_campaign of the landing event; NULL without one';
COMMENT ON COLUMN sessions.all_sessions.channel IS
  'Google Analytics 4 default channel group plus AI Assistants (Direct, Paid Search, Organic Social, ...); never NULL, Unassigned when no rule fits';
COMMENT ON COLUMN sessions.all_sessions.is_paid IS
  'true for the paid channels (Paid *, Display, Cross-network, Audio). A paid session is what "attributed touch" means elsewhere';
COMMENT ON COLUMN sessions.all_sessions.signed_up IS
  'true for the one session holding the alias''s first signup event; later signups do not mark their sessions';

COMMENT ON COLUMN sessions.useful_sessions.alias_id IS 'The person (see all_sessions.alias_id)';
COMMENT ON COLUMN sessions.useful_sessions.session_id IS 'The session, joinable with all_sessions';
COMMENT ON COLUMN sessions.useful_sessions.session_number IS 'Its number within the alias (1 = first)';
COMMENT ON COLUMN sessions.useful_sessions.is_first_session IS
  'true for the alias''s first session';
COMMENT ON COLUMN sessions.useful_sessions.is_signup_session IS
  'true for the session of the first signup; one row has both flags when the person signed up in their first session';

COMMENT ON COLUMN sessions.attribution.alias_id IS 'The person who signed up (one row each)';
COMMENT ON COLUMN sessions.attribution.signup_timestamp IS
  'Time of the person''s first signup event; later signups are ignored';
COMMENT ON COLUMN sessions.attribution.session_count_before_signup IS
  'Sessions up to AND INCLUDING the signup session, despite the name: 1 means signed up in the first visit, never 0';
COMMENT ON COLUMN sessions.attribution.blog_url IS
  'Cleaned URL of the first blog page (setting blog_url_pattern) seen at or before signup; NULL if none';
COMMENT ON COLUMN sessions.attribution.first_page_ever_visited IS
  'Cleaned URL of the person''s first page view ever, before or after signup; NULL when that page had no url';
COMMENT ON COLUMN sessions.attribution.first_touch_timestamp IS 'Start of session 1';
COMMENT ON COLUMN sessions.attribution.first_touch_source IS 'source of session 1';
COMMENT ON COLUMN sessions.attribution.first_touch_campaign IS 'campaign of session 1 (NULL without utm_campaign)';
COMMENT ON COLUMN sessions.attribution.first_touch_medium IS 'medium of session 1';
COMMENT ON COLUMN sessions.attribution.first_touch_referrer IS 'referrer of session 1, as sent';
COMMENT ON COLUMN sessions.attribution.first_touch_channel IS 'channel of session 1: what first brought the person';
COMMENT ON COLUMN sessions.attribution.last_touch_timestamp IS 'Start of the signup session';
COMMENT ON COLUMN sessions.attribution.last_touch_source IS 'source of the signup session';
COMMENT ON COLUMN sessions.attribution.last_touch_campaign IS 'campaign of the signup session';
COMMENT ON COLUMN sessions.attribution.last_touch_medium IS 'medium of the signup session';
COMMENT ON COLUMN sessions.attribution.last_touch_referrer IS 'referrer of the signup session, as sent';
COMMENT ON COLUMN sessions.attribution.last_touch_channel IS
  'channel of the signup session (often Direct: people come back by typing the address)';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_timestamp IS
  'Start of the first PAID session up to signup ("attributed" means paid); NULL when none was paid';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_source IS 'source of the first paid session; NULL if none';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_campaign IS 'campaign of the first paid session';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_medium IS 'medium of the first paid session';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_referrer IS 'referrer of the first paid session';
COMMENT ON COLUMN sessions.attribution.first_attributed_touch_channel IS
  'channel of the first paid session; NULL (not Unassigned) when the person had no paid session';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_timestamp IS
  'Start of the last PAID session up to and including the signup session; NULL when none was paid';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_source IS 'source of the last paid session; NULL if none';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_campaign IS 'campaign of the last paid session';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_medium IS 'medium of the last paid session';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_referrer IS 'referrer of the last paid session';
COMMENT ON COLUMN sessions.attribution.last_attributed_touch_channel IS
  'channel of the last paid session; NULL when the person had no paid session';

COMMENT ON COLUMN sessions.attribution_credit.alias_id IS 'The person who signed up';
COMMENT ON COLUMN sessions.attribution_credit.session_id IS
  'A session up to signup; join all_sessions on (alias_id, session_id) for its channel, source, campaign';
COMMENT ON COLUMN sessions.attribution_credit.session_number IS 'Its number within the alias (1 .. the signup session)';
COMMENT ON COLUMN sessions.attribution_credit.model IS
  'first_touch, last_touch, last_non_direct, linear, position_based or time_decay. Filter on one: summing over models counts each signup six times';
COMMENT ON COLUMN sessions.attribution_credit.credit IS
  'Share of the signup this session gets under the model, above 0 and up to 1; a person''s credits under one model add up to 1. No row = no credit';

COMMENT ON COLUMN sessions.user_session_counts.alias_id IS 'The person (every alias, signed up or not)';
COMMENT ON COLUMN sessions.user_session_counts.sessions IS 'All their sessions, before and after signup';
COMMENT ON COLUMN sessions.user_session_counts.first_seen IS 'Start of their first session';
COMMENT ON COLUMN sessions.user_session_counts.last_seen IS 'Time of their last event (the end of their last session)';
COMMENT ON COLUMN sessions.user_session_counts.signed_up IS 'true when they have a signup event';
COMMENT ON COLUMN sessions.user_session_counts.sessions_before_signup IS
  'Number of the signup session, so it COUNTS the signup session (1 = signed up on the first visit); NULL when not signed up';

COMMENT ON COLUMN sessions.signups_by_week.week IS 'Monday (UTC) starting the week of signup_timestamp, as a date';
COMMENT ON COLUMN sessions.signups_by_week.first_touch_channel IS 'Channel of the person''s first session';
COMMENT ON COLUMN sessions.signups_by_week.signups IS 'People who signed up that week with that first touch';

COMMENT ON COLUMN sessions.conversions_by_channel.model IS
  'Attribution model (as in attribution_credit); compare models side by side, never add them up';
COMMENT ON COLUMN sessions.conversions_by_channel.week IS
  'Monday (UTC) starting the week of the signup, as a date; the week of the signup, not of the session';
COMMENT ON COLUMN sessions.conversions_by_channel.channel IS 'Channel of the credited sessions';
COMMENT ON COLUMN sessions.conversions_by_channel.signups IS
  'People of that week who gave this channel any credit; one person can count under several channels, so do not add these up';
COMMENT ON COLUMN sessions.conversions_by_channel.conversions IS
  'Signups credited to the channel (fractional under the multi-touch models); per model and week they add up to the week''s signups';

COMMENT ON COLUMN sessions.retention_by_first_touch.first_touch_channel IS 'Channel of the first session (group)';
COMMENT ON COLUMN sessions.retention_by_first_touch.first_touch_source IS 'Source of the first session (group)';
COMMENT ON COLUMN sessions.retention_by_first_touch.first_touch_campaign IS
  'Campaign of the first session (group; NULL, no campaign, is a group of its own)';
COMMENT ON COLUMN sessions.retention_by_first_touch.signups IS 'People who signed up with this first touch';
COMMENT ON COLUMN sessions.retention_by_first_touch.eligible_7d IS
  'Signups at least 7 days before the latest event of all (as_of): only they can have come back after 7 days';
COMMENT ON COLUMN sessions.retention_by_first_touch.retained_7d IS
  'Of eligible_7d, those who started a session 7 days or more after signing up. Rate = retained_7d / eligible_7d, not / signups';
COMMENT ON COLUMN sessions.retention_by_first_touch.eligible_30d IS
  'Signups at least 30 days before the latest event of all';
COMMENT ON COLUMN sessions.retention_by_first_touch.retained_30d IS
  'Of eligible_30d, those who started a session 30 days or more after signing up';
COMMENT ON COLUMN sessions.retention_by_first_touch.eligible_90d IS
  'Signups at least 90 days before the latest event of all';
COMMENT ON COLUMN sessions.retention_by_first_touch.retained_90d IS
  'Of eligible_90d, those who started a session 90 days or more after signing up';

COMMENT ON COLUMN sessions.user_revenue.alias_id IS
  'A signed-up person with revenue: the cleaned user_id of the revenue rows equals their alias_id';
COMMENT ON COLUMN sessions.user_revenue.revenue IS
  'Sum of their amounts (rows with a NULL amount or time left out), in the revenue relation''s currency';
COMMENT ON COLUMN sessions.user_revenue.orders IS 'Their revenue rows counted';
COMMENT ON COLUMN sessions.user_revenue.first_order_at IS 'Earliest occurred_at of their rows (may be before signup)';
COMMENT ON COLUMN sessions.user_revenue.last_order_at IS 'Latest occurred_at of their rows';

COMMENT ON COLUMN sessions.ltv_by_first_touch.first_touch_channel IS 'Channel of the first session (group)';
COMMENT ON COLUMN sessions.ltv_by_first_touch.first_touch_source IS 'Source of the first session (group)';
COMMENT ON COLUMN sessions.ltv_by_first_touch.first_touch_campaign IS
  'Campaign of the first session (group; NULL is a group of its own)';
COMMENT ON COLUMN sessions.ltv_by_first_touch.signups IS 'People who signed up with this first touch';
COMMENT ON COLUMN sessions.ltv_by_first_touch.paying IS 'Of them, those with at least one revenue row';
COMMENT ON COLUMN sessions.ltv_by_first_touch.revenue IS 'Their revenue summed (0 without revenue_source)';
COMMENT ON COLUMN sessions.ltv_by_first_touch.ltv IS
  'revenue / signups: per signup, paying or not (divide revenue by paying for revenue per customer)';

COMMENT ON COLUMN sessions.revenue_by_channel.model IS 'Attribution model; never add models up';
COMMENT ON COLUMN sessions.revenue_by_channel.channel IS 'Channel of the credited sessions';
COMMENT ON COLUMN sessions.revenue_by_channel.revenue IS
  'Each paying person''s whole revenue times the credit of their sessions of this channel, summed';

COMMENT ON COLUMN sessions.revenue_unmatched.rows IS
  'Revenue rows whose user_id (cleaned) is no signed-up alias: unknown, never signed up, or empty';
COMMENT ON COLUMN sessions.revenue_unmatched.amount IS 'Their amounts summed (0 when none)';
