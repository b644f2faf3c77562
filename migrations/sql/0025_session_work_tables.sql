-- Revision 0025 up: sessionize's work sets as keyed tables (issues 25, 26).
-- They were one temp table of every event of the dirty aliases; now two
-- narrow tables, keyed by alias_id like partitioning.events, so that on
-- Citus they are distributed and co-located with it and every statement
-- that fills or reads them runs on the shards. Unlogged: sessionize fills
-- them from the events each time and nothing reads them after it.
--  * session_bounds: one row per session, its landing event's key and the
--    session's and the alias's figures.
CREATE UNLOGGED TABLE sessions_stages.session_bounds (
    alias_id         text NOT NULL,
    session_number   int NOT NULL,
    event_ts         timestamptz NOT NULL,
    message_id       text NOT NULL,
    session_start    timestamptz NOT NULL,
    session_end      timestamptz NOT NULL,
    event_count      bigint NOT NULL,
    page_count       bigint NOT NULL,
    first_message_id text NOT NULL,
    identified       boolean NOT NULL,
    signup_session   int,
    signup_ts        timestamptz
);
COMMENT ON TABLE sessions_stages.session_bounds IS
  'Sessionize work table: each session of the dirty aliases, its landing event''s key and its figures';

--  * session_landings: the same rows with what the landing event says
--    (url, referrer, UTM values), read to classify each landing touch.
CREATE UNLOGGED TABLE sessions_stages.session_landings (
    LIKE sessions_stages.session_bounds,
    url          text,
    referrer     text,
    utm_source   text,
    utm_medium   text,
    utm_campaign text,
    utm_term     text,
    utm_content  text
);
COMMENT ON TABLE sessions_stages.session_landings IS
  'Sessionize work table: each session of the dirty aliases with its landing event''s url, referrer and UTM values';
