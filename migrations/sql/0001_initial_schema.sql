-- Revision 0001: everything attrib stores. Functions and procedures are not
-- here: they are applied from procedures/ after the migrations (env.py).

CREATE SCHEMA IF NOT EXISTS partman;
CREATE EXTENSION IF NOT EXISTS pg_partman SCHEMA partman;

DO $$
BEGIN
    IF current_setting('shared_preload_libraries') !~ '(^|[ ,])pg_cron($|[ ,])' THEN
        RAISE NOTICE 'pg_cron is not installed: scheduling (attrib schedule) is unavailable'
            USING DETAIL = 'pg_cron is not in shared_preload_libraries.',
                  HINT = 'Add pg_cron to shared_preload_libraries, set cron.database_name, restart, deploy again.';
    ELSIF coalesce(current_setting('cron.database_name', true), 'postgres') <> current_database() THEN
        RAISE NOTICE 'pg_cron is not installed in database %: it lives in %', current_database(),
            coalesce(current_setting('cron.database_name', true), 'postgres')
            USING HINT = 'attrib schedule will create the job there with cron.schedule_in_database.';
    ELSE
        CREATE EXTENSION IF NOT EXISTS pg_cron;
    END IF;
END
$$;

CREATE SCHEMA attrib;
CREATE SCHEMA partitioning;
CREATE SCHEMA aliasing;
CREATE SCHEMA sessions;
CREATE SCHEMA sessions_stages;

COMMENT ON SCHEMA attrib IS 'attrib: settings, reference data, run log, rejects and the procedures';
COMMENT ON SCHEMA partitioning IS 'attrib: cleaned events in monthly partitions (pg_partman)';
COMMENT ON SCHEMA aliasing IS 'attrib: identity stitching (known pairs, device owners)';
COMMENT ON SCHEMA sessions IS 'attrib: published outputs that BI tools read';
COMMENT ON SCHEMA sessions_stages IS 'attrib: work sets and results of the current run, published atomically';

-- Settings -------------------------------------------------------------------

CREATE TABLE attrib.settings (
    name        text PRIMARY KEY,
    value       jsonb NOT NULL,
    description text NOT NULL
);
COMMENT ON TABLE attrib.settings IS 'Every setting with its value (jsonb: string, array or object)';

INSERT INTO attrib.settings (name, value, description) VALUES
  ('source_schema', '"segment"', 'schema holding the Segment tables pages, tracks, identifies'),
  ('ingest_overlap', '"1 day"', 'each run re-reads source rows loaded this long before the watermark'),
  ('future_tolerance', '"1 day"', 'an event more than this after received_at is rejected (future_timestamp)'),
  ('bot_user_agent_pattern', '"bot|crawler|spider|slurp|headlesschrome|phantomjs|lighthouse"',
   'case-insensitive regex on context_user_agent; matching rows are rejected (bot)'),
  ('session_gap', '"20 minutes"', 'a gap greater than this starts a new session'),
  ('paid_medium_pattern', '"^(.*cp.*|ppc|retargeting|paid.*)$"', 'case-insensitive regex: a medium that signals paid'),
  ('paid_click_ids', '{"gclid": "google", "gbraid": "google", "wbraid": "google", "dclid": "google", "msclkid": "bing", "ttclid": "tiktok", "twclid": "twitter", "li_fat_id": "linkedin"}',
   'landing-url parameters that mark a paid click, mapped to their ad network'),
  ('own_domains', '[]', 'referrers on these domains (or their subdomains) are internal'),
  ('signup_events', '["signed_up", "signed-up", "Signed Up"]', 'track events that are a signup'),
  ('blog_url_pattern', '"^https?://[^/]+/blog/.+"', 'case-insensitive regex on url_clean for attribution.blog_url'),
  ('time_decay_half_life', '"7 days"', 'half life of the time_decay credit model'),
  ('index_source_load_time', 'true',
   'ingest creates a BRIN index on each source table''s load-time column (uuid_ts, else received_at) when it has none, '
   'so a run reads only new rows; false leaves the source tables untouched');

CREATE TABLE attrib.source_classes (
    name  text PRIMARY KEY CHECK (name = lower(name) AND name <> ''),
    class text NOT NULL CHECK (class IN ('search', 'social', 'email', 'ai'))
);
COMMENT ON TABLE attrib.source_classes IS
  'Editable reference list: a source or referrer host matching name (by whole dot-separated labels) has this class';

-- Run bookkeeping --------------------------------------------------------------

CREATE SEQUENCE attrib.run_id_seq;

CREATE TABLE attrib.run_log (
    run_id          bigint NOT NULL,
    stage           text NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz,
    status          text NOT NULL CHECK (status IN ('running', 'ok', 'failed')),
    rows_read       bigint,
    rows_written    bigint,
    rows_rejected   bigint,
    rows_duplicated bigint,
    sqlstate        text,
    message         text,
    pid             int NOT NULL DEFAULT pg_backend_pid(),
    PRIMARY KEY (run_id, stage)
);
COMMENT ON TABLE attrib.run_log IS 'One row per stage of every run: timings, counts, failures';

CREATE TABLE attrib.ingest_state (
    source_table text PRIMARY KEY,
    watermark    timestamptz,
    load_column  text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE attrib.ingest_state IS 'Per source table, the latest load time (uuid_ts, else received_at) ingested';

CREATE TABLE attrib.state (
    key   text PRIMARY KEY,
    value jsonb NOT NULL
);
COMMENT ON TABLE attrib.state IS 'Small pipeline state, e.g. the settings fingerprint of the published outputs';

CREATE TABLE attrib.rejects (
    source_table text NOT NULL,
    message_id   text,
    reason       text NOT NULL CHECK (reason IN ('missing_message_id', 'missing_timestamp',
                     'missing_identity', 'future_timestamp', 'bot')),
    row          jsonb NOT NULL,
    row_hash     text NOT NULL,
    rejected_at  timestamptz NOT NULL DEFAULT now(),
    run_id       bigint,
    PRIMARY KEY (source_table, row_hash)
);
COMMENT ON TABLE attrib.rejects IS 'Source rows that cannot become events, each distinct row once, with the reason';

CREATE TABLE attrib.duplicates (
    source_table text NOT NULL,
    message_id   text NOT NULL,
    row_hash     text NOT NULL,
    run_id       bigint,
    counted_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_table, row_hash)
);
COMMENT ON TABLE attrib.duplicates IS
  'Valid source rows dropped because another row with the same message_id won (definitions §2), each distinct row once';

CREATE TABLE attrib.deployed_procedures (
    file_name   text PRIMARY KEY,
    checksum    text NOT NULL,
    deployed_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE attrib.deployed_procedures IS 'Checksums of the procedures/*.sql files applied by attrib deploy';

-- Events -----------------------------------------------------------------------

CREATE TABLE partitioning.events (
    alias_id     text NOT NULL,
    event_ts     timestamptz NOT NULL,
    message_id   text NOT NULL,
    kind         text NOT NULL CHECK (kind IN ('page', 'track')),
    event        text,
    anonymous_id text,
    user_id      text,
    received_at  timestamptz,
    uuid_ts      timestamptz,
    url          text,
    url_clean    text,
    referrer     text,
    utm_source   text,
    utm_medium   text,
    utm_campaign text,
    utm_term     text,
    utm_content  text,
    source_table text NOT NULL,
    row_hash     text NOT NULL,
    PRIMARY KEY (alias_id, event_ts, message_id)
) PARTITION BY RANGE (event_ts);
COMMENT ON TABLE partitioning.events IS
  'Cleaned events (definitions §2), one per message_id, with the alias they are grouped under (definitions §3)';
CREATE INDEX events_message_id_idx ON partitioning.events (message_id);
CREATE INDEX events_anonymous_id_idx ON partitioning.events (anonymous_id);

SELECT partman.create_parent(
    p_parent_table => 'partitioning.events',
    p_control      => 'event_ts',
    p_type         => 'native',
    p_interval     => 'monthly',
    p_premake      => 4,
    p_jobmon       => false);

-- Identity ---------------------------------------------------------------------

CREATE TABLE aliasing.identify_pairs (
    anonymous_id text NOT NULL,
    user_id      text NOT NULL,
    first_seen   timestamptz NOT NULL,
    PRIMARY KEY (anonymous_id, user_id)
);
COMMENT ON TABLE aliasing.identify_pairs IS 'Pairs seen in identifies, with their earliest time; grows only';

CREATE TABLE aliasing.known_pairs (
    anonymous_id text NOT NULL,
    user_id      text NOT NULL,
    first_seen   timestamptz NOT NULL,
    PRIMARY KEY (anonymous_id, user_id)
);
COMMENT ON TABLE aliasing.known_pairs IS 'Definitions §3: every (anonymous_id, user_id) pair from identifies and kept events';

CREATE TABLE aliasing.owners (
    anonymous_id text PRIMARY KEY,
    user_id      text NOT NULL
);
CREATE INDEX owners_user_id_idx ON aliasing.owners (user_id);
COMMENT ON TABLE aliasing.owners IS 'Definitions §3: the owner of each identified anonymous id (first identify wins)';

-- Outputs ----------------------------------------------------------------------

CREATE TABLE sessions.all_sessions (
    alias_id       text NOT NULL,
    session_id     text NOT NULL,
    identified     boolean NOT NULL,
    session_number int NOT NULL,
    session_start  timestamptz NOT NULL,
    session_end    timestamptz NOT NULL,
    event_count    int NOT NULL,
    page_count     int NOT NULL,
    landing_url    text,
    referrer       text,
    utm_source     text,
    utm_medium     text,
    utm_campaign   text,
    utm_term       text,
    utm_content    text,
    source         text NOT NULL,
    medium         text NOT NULL,
    campaign       text,
    channel        text NOT NULL,
    is_paid        boolean NOT NULL,
    signed_up      boolean NOT NULL,
    PRIMARY KEY (alias_id, session_id)
);
CREATE INDEX all_sessions_start_idx ON sessions.all_sessions (session_start);
CREATE INDEX all_sessions_channel_idx ON sessions.all_sessions (channel, session_start);
COMMENT ON TABLE sessions.all_sessions IS 'Definitions §4: one row per session';

CREATE TABLE sessions.useful_sessions (
    alias_id          text NOT NULL,
    session_id        text NOT NULL,
    session_number    int NOT NULL,
    is_first_session  boolean NOT NULL,
    is_signup_session boolean NOT NULL,
    PRIMARY KEY (alias_id, session_id)
);
COMMENT ON TABLE sessions.useful_sessions IS 'Definitions §6: per alias, its first session and its signup session';

CREATE TABLE sessions.attribution (
    alias_id                          text PRIMARY KEY,
    signup_timestamp                  timestamptz NOT NULL,
    session_count_before_signup       int NOT NULL,
    blog_url                          text,
    first_page_ever_visited           text,
    first_touch_timestamp             timestamptz,
    first_touch_source                text,
    first_touch_campaign              text,
    first_touch_medium                text,
    first_touch_referrer              text,
    first_touch_channel               text,
    last_touch_timestamp              timestamptz,
    last_touch_source                 text,
    last_touch_campaign               text,
    last_touch_medium                 text,
    last_touch_referrer               text,
    last_touch_channel                text,
    first_attributed_touch_timestamp  timestamptz,
    first_attributed_touch_source     text,
    first_attributed_touch_campaign   text,
    first_attributed_touch_medium     text,
    first_attributed_touch_referrer   text,
    first_attributed_touch_channel    text,
    last_attributed_touch_timestamp   timestamptz,
    last_attributed_touch_source      text,
    last_attributed_touch_campaign    text,
    last_attributed_touch_medium      text,
    last_attributed_touch_referrer    text,
    last_attributed_touch_channel     text
);
CREATE INDEX attribution_signup_idx ON sessions.attribution (signup_timestamp);
CREATE INDEX attribution_first_channel_idx ON sessions.attribution (first_touch_channel, signup_timestamp);
COMMENT ON TABLE sessions.attribution IS 'Definitions §7: one row per signed-up alias';

CREATE TABLE sessions.attribution_credit (
    alias_id       text NOT NULL,
    session_id     text NOT NULL,
    session_number int NOT NULL,
    model          text NOT NULL CHECK (model IN ('first_touch', 'last_touch', 'last_non_direct',
                       'linear', 'position_based', 'time_decay')),
    credit         double precision NOT NULL,
    PRIMARY KEY (alias_id, session_id, model)
);
COMMENT ON TABLE sessions.attribution_credit IS 'Definitions §8: multi-touch credit of sessions 1..k per signed-up alias';

CREATE TABLE sessions.user_session_counts (
    alias_id               text PRIMARY KEY,
    sessions               int NOT NULL,
    first_seen             timestamptz NOT NULL,
    last_seen              timestamptz NOT NULL,
    signed_up              boolean NOT NULL,
    sessions_before_signup int
);
COMMENT ON TABLE sessions.user_session_counts IS 'Quick lookup for BI: sessions per alias and signup';

-- Work sets of a run (sessions_stages): keyed tables, not TEMP, so a stage
-- can be rerun alone and a run that died can be finished by the next.

CREATE TABLE sessions_stages.changed_identities (
    alias_id     text NOT NULL,
    anonymous_id text,
    user_id      text
);
COMMENT ON TABLE sessions_stages.changed_identities IS
  'The distinct (alias, anonymous id, user id) of events ingested or removed since the alias stage last ran';

CREATE TABLE sessions_stages.touched_anonymous_ids (
    anonymous_id text PRIMARY KEY
);
COMMENT ON TABLE sessions_stages.touched_anonymous_ids IS 'Anonymous ids with new identify pairs since the alias stage last ran';

CREATE TABLE sessions_stages.dirty_aliases (
    alias_id    text PRIMARY KEY,
    sessionized boolean NOT NULL DEFAULT false
);
COMMENT ON TABLE sessions_stages.dirty_aliases IS
  'Aliases whose outputs must be recomputed; sessionized = the stage tables hold their new rows, ready to publish';

CREATE TABLE sessions_stages.signups (
    alias_id                text PRIMARY KEY,
    signup_timestamp        timestamptz NOT NULL,
    blog_url                text,
    first_page_ever_visited text
);
COMMENT ON TABLE sessions_stages.signups IS
  'Per signed-up dirty alias, what attribution needs from its events (definitions §6, §7), found while sessionizing';

-- Stage copies of the outputs keep their keys but not the BI indexes, which
-- only the published tables need.
CREATE TABLE sessions_stages.all_sessions (LIKE sessions.all_sessions INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (alias_id, session_id));
CREATE TABLE sessions_stages.useful_sessions (LIKE sessions.useful_sessions INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (alias_id, session_id));
CREATE TABLE sessions_stages.attribution (LIKE sessions.attribution INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (alias_id));
CREATE TABLE sessions_stages.attribution_credit (LIKE sessions.attribution_credit INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (alias_id, session_id, model));
CREATE TABLE sessions_stages.user_session_counts (LIKE sessions.user_session_counts INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (alias_id));

CREATE VIEW sessions.signups_by_week AS
SELECT date_trunc('week', signup_timestamp) AS week,
       first_touch_channel,
       count(*) AS signups
FROM sessions.attribution
GROUP BY 1, 2;
COMMENT ON VIEW sessions.signups_by_week IS 'Signups per ISO week by first-touch channel';
