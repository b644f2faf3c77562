-- attrib.sessionize: stage 3 (SPEC 4, 5). Recomputes the sessions of every
-- dirty alias from its whole history into sessions_stages.all_sessions
-- (published later, atomically, by attrib.attribute). Untouched aliases are
-- not read. A dirty alias is recomputed from its first event: re-aliasing can
-- merge histories anywhere in time, and session numbers depend on all of it.
-- Its events are read month by month (partitioning.alias_months), so the
-- cost follows the alias's own history, not the years the table holds.
CREATE OR REPLACE FUNCTION attrib.sessionize(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
-- UTC and ISO whatever the caller or server uses (SPEC 9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_gap           interval := attrib.setting_interval('session_gap');
    v_signup_events text[]   := ARRAY(SELECT jsonb_array_elements_text(attrib.setting('signup_events')));
    v_blog_pattern  text     := attrib.setting_text('blog_url_pattern');
BEGIN
    rows_rejected := 0;
    rows_duplicated := 0;
    TRUNCATE sessions_stages.all_sessions, sessions_stages.signups;
    ANALYZE sessions_stages.dirty_aliases;

    DROP TABLE IF EXISTS pg_temp._sessionize_events;
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM sessions_stages.dirty_aliases)));
    CREATE TEMP TABLE _sessionize_events ON COMMIT DROP AS
    SELECT e.alias_id, e.event_ts, e.message_id, e.kind, e.url, e.url_clean, e.referrer,
           e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content,
           (e.user_id IS NOT NULL OR e.anonymous_id IS DISTINCT FROM e.alias_id) AS from_user,
           (e.kind = 'track' AND e.event = ANY (v_signup_events)) AS is_signup,
           (e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap) AS starts_session,
           count(*) FILTER (WHERE e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap)
               OVER (PARTITION BY e.alias_id ORDER BY e.event_ts, e.message_id COLLATE "C" ROWS UNBOUNDED PRECEDING)::int
               AS session_number
      FROM (SELECT ev.*, lag(ev.event_ts) OVER (PARTITION BY ev.alias_id ORDER BY ev.event_ts, ev.message_id COLLATE "C") AS prev_ts
              FROM sessions_stages.dirty_aliases d
              JOIN partitioning.alias_months am ON am.alias_id = d.alias_id
              JOIN partitioning.events ev
                ON ev.alias_id = am.alias_id
               AND ev.event_ts >= attrib._month_start(am.month)
               AND ev.event_ts < attrib._month_end(am.month)) e;
    GET DIAGNOSTICS rows_read = ROW_COUNT;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._sessionize_events;

    INSERT INTO sessions_stages.all_sessions (alias_id, session_id, identified, session_number, session_start,
           session_end, event_count, page_count, landing_url, referrer, utm_source, utm_medium, utm_campaign,
           utm_term, utm_content, source, medium, campaign, channel, is_paid, signed_up)
    WITH per_session AS (
        SELECT s.alias_id, s.session_number,
               min(s.event_ts) AS session_start, max(s.event_ts) AS session_end,
               count(*)::int AS event_count, count(*) FILTER (WHERE s.kind = 'page')::int AS page_count,
               -- exactly one event starts each session: no sort needed to find it
               min(s.message_id) FILTER (WHERE s.starts_session) AS first_message_id
          FROM pg_temp._sessionize_events s
         GROUP BY s.alias_id, s.session_number
    ), landing AS (
        -- the session's first page event, else its first event
        SELECT DISTINCT ON (s.alias_id, s.session_number) s.alias_id, s.session_number, s.url, s.referrer,
               s.utm_source, s.utm_medium, s.utm_campaign, s.utm_term, s.utm_content,
               -- what attrib.touch reads, NULLs kept apart from empty strings
               (s.url, s.referrer, s.utm_source, s.utm_medium, s.utm_campaign)::text AS touch_key
          FROM pg_temp._sessionize_events s
         ORDER BY s.alias_id, s.session_number, (s.kind <> 'page'), s.event_ts, s.message_id COLLATE "C"
    ), touches AS (
        -- each distinct landing touch classified once: sessions share most of them
        SELECT k.touch_key, t.source, t.medium, t.campaign, t.channel, t.is_paid
          FROM (SELECT DISTINCT l.touch_key, l.url, l.referrer, l.utm_source, l.utm_medium, l.utm_campaign
                  FROM landing l) k
         CROSS JOIN LATERAL attrib.touch(k.url, k.referrer, k.utm_source, k.utm_medium, k.utm_campaign) t
    ), first_signup AS (
        SELECT DISTINCT ON (s.alias_id) s.alias_id, s.session_number
          FROM pg_temp._sessionize_events s
         WHERE s.is_signup
         ORDER BY s.alias_id, s.event_ts, s.message_id COLLATE "C"
    ), identified AS (
        SELECT s.alias_id, bool_or(s.from_user) AS identified
          FROM pg_temp._sessionize_events s GROUP BY s.alias_id
    )
    SELECT p.alias_id, md5(p.alias_id || ' ' || p.first_message_id), i.identified, p.session_number,
           p.session_start, p.session_end, p.event_count, p.page_count, l.url, l.referrer,
           l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content,
           t.source, t.medium, t.campaign, t.channel, t.is_paid,
           coalesce(f.session_number = p.session_number, false)
      FROM per_session p
      JOIN landing l ON l.alias_id = p.alias_id AND l.session_number = p.session_number
      JOIN identified i ON i.alias_id = p.alias_id
      JOIN touches t ON t.touch_key = l.touch_key
      LEFT JOIN first_signup f ON f.alias_id = p.alias_id;
    GET DIAGNOSTICS rows_written = ROW_COUNT;

    -- What attribution needs from the events, while they are at hand: the
    -- first signup (SPEC 6), the first blog page up to it and the first page
    -- ever (SPEC 7).
    INSERT INTO sessions_stages.signups (alias_id, signup_timestamp, blog_url, first_page_ever_visited)
    SELECT f.alias_id, f.event_ts,
           (array_agg(p.url_clean ORDER BY p.event_ts, p.message_id COLLATE "C")
                FILTER (WHERE p.event_ts <= f.event_ts AND p.url_clean ~* v_blog_pattern))[1],
           (array_agg(p.url_clean ORDER BY p.event_ts, p.message_id COLLATE "C"))[1]
      FROM (SELECT DISTINCT ON (s.alias_id) s.alias_id, s.event_ts
              FROM pg_temp._sessionize_events s
             WHERE s.is_signup
             ORDER BY s.alias_id, s.event_ts, s.message_id COLLATE "C") f
      LEFT JOIN pg_temp._sessionize_events p ON p.alias_id = f.alias_id AND p.kind = 'page'
     GROUP BY f.alias_id, f.event_ts;

    UPDATE sessions_stages.dirty_aliases SET sessionized = true WHERE NOT sessionized;
    UPDATE attrib.pipeline_state SET sessionized_at = clock_timestamp();
END
$$;
COMMENT ON FUNCTION attrib.sessionize(bigint) IS
  'Stage sessionize (SPEC 4, 5): sessions of the dirty aliases into sessions_stages.all_sessions';
