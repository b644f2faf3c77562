-- attrib.sessionize: stage 3 (definitions §4, §5). Recomputes the sessions of every
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
-- UTC and ISO whatever the caller or server uses (definitions §9).
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
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    rows_rejected := 0;
    rows_duplicated := 0;
    TRUNCATE sessions_stages.all_sessions, sessions_stages.signups;
    ANALYZE sessions_stages.dirty_aliases;

    DROP TABLE IF EXISTS pg_temp._sessionize_events;
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM sessions_stages.dirty_aliases)));
    -- One pass over the events, sorted once: the first window numbers each
    -- alias's sessions in event order; the second, over each session with
    -- its pages first, marks the landing event (definitions §4: the session's first
    -- page event, else its first event) and carries the session's and the
    -- alias's figures on every row. Its input is already in alias order,
    -- so it sorts only within each alias (an incremental sort), never the
    -- whole history again.
    -- Aliases are grouped in byte order (COLLATE "C"): which order the groups
    -- come in changes no result, and a byte sort of a million ids costs a
    -- fraction of one in the database's collation.
    CREATE TEMP TABLE _sessionize_events ON COMMIT DROP AS
    SELECT s.*,
           row_number() OVER per_session = 1 AS is_landing,
           min(s.event_ts) OVER per_session AS session_start,
           max(s.event_ts) OVER per_session AS session_end,
           count(*) OVER per_session AS event_count,
           count(*) FILTER (WHERE s.kind = 'page') OVER per_session AS page_count,
           -- exactly one event starts each session
           min(s.message_id) FILTER (WHERE s.starts_session) OVER per_session AS first_message_id,
           bool_or(s.from_user) OVER per_alias AS identified,
           -- session numbers grow with time: the first signup's session is the least
           min(s.session_number) FILTER (WHERE s.is_signup) OVER per_alias AS signup_session
      FROM (SELECT e.alias_id, e.event_ts, e.message_id, e.kind, e.url, e.url_clean, e.referrer,
                   e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content,
                   (e.user_id IS NOT NULL OR e.anonymous_id IS DISTINCT FROM e.alias_id) AS from_user,
                   (e.kind = 'track' AND e.event = ANY (v_signup_events)) AS is_signup,
                   (e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap) AS starts_session,
                   count(*) FILTER (WHERE e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap)
                       OVER (PARTITION BY e.alias_id COLLATE "C" ORDER BY e.event_ts, e.message_id COLLATE "C" ROWS UNBOUNDED PRECEDING)::int
                       AS session_number
              FROM (SELECT ev.*, lag(ev.event_ts) OVER (PARTITION BY ev.alias_id COLLATE "C" ORDER BY ev.event_ts, ev.message_id COLLATE "C") AS prev_ts
                      FROM sessions_stages.dirty_aliases d
                      JOIN partitioning.alias_months am ON am.alias_id = d.alias_id
                      JOIN partitioning.events ev
                        ON ev.alias_id = am.alias_id
                       AND ev.event_ts >= attrib._month_start(am.month)
                       AND ev.event_ts < attrib._month_end(am.month)) e) s
    -- one window for all per-session figures (one pass): ordered for the
    -- landing event, framed over the whole session for the aggregates
    WINDOW per_session AS (PARTITION BY s.alias_id COLLATE "C", s.session_number
                           ORDER BY (s.kind <> 'page'), s.event_ts, s.message_id COLLATE "C"
                           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING),
           per_alias AS (PARTITION BY s.alias_id COLLATE "C");
    GET DIAGNOSTICS rows_read = ROW_COUNT;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._sessionize_events;

    INSERT INTO sessions_stages.all_sessions (alias_id, session_id, identified, session_number, session_start,
           session_end, event_count, page_count, landing_url, referrer, utm_source, utm_medium, utm_campaign,
           utm_term, utm_content, source, medium, campaign, channel, is_paid, signed_up)
    WITH landing AS (
        SELECT s.*,
               -- what attrib.touch reads, NULLs kept apart from empty strings
               (s.url, s.referrer, s.utm_source, s.utm_medium, s.utm_campaign)::text AS touch_key
          FROM pg_temp._sessionize_events s
         WHERE s.is_landing
    ), touches AS (
        -- each distinct landing touch classified once: sessions share most of them
        SELECT k.touch_key, t.source, t.medium, t.campaign, t.channel, t.is_paid
          FROM (SELECT DISTINCT l.touch_key, l.url, l.referrer, l.utm_source, l.utm_medium, l.utm_campaign
                  FROM landing l) k
         CROSS JOIN LATERAL attrib.touch(k.url, k.referrer, k.utm_source, k.utm_medium, k.utm_campaign) t
    )
    SELECT l.alias_id, md5(l.alias_id || ' ' || l.first_message_id), l.identified, l.session_number,
           l.session_start, l.session_end, l.event_count, l.page_count, l.url, l.referrer,
           l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content,
           t.source, t.medium, t.campaign, t.channel, t.is_paid,
           coalesce(l.signup_session = l.session_number, false)
      FROM landing l
      JOIN touches t ON t.touch_key = l.touch_key;
    GET DIAGNOSTICS rows_written = ROW_COUNT;

    -- What attribution needs from the events, while they are at hand: the
    -- first signup (definitions §6), the first blog page up to it and the first page
    -- ever (definitions §7).
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
    -- sampled again now that every row changed: with the statistics taken at
    -- the start, attribute's planner expected no sessionized alias and probed
    -- the sessions once per alias (1.4 s of a 1 M full run for the referral list)
    ANALYZE sessions_stages.dirty_aliases;
    UPDATE attrib.pipeline_state SET sessionized_at = clock_timestamp();
END
$$;
COMMENT ON FUNCTION attrib.sessionize(bigint) IS
  'Stage sessionize (definitions §4, §5): sessions of the dirty aliases into sessions_stages.all_sessions';
