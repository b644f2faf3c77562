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
-- It analyzes its scratch only (the outputs are analyzed by maintain, at the
-- server's target): a 9,000-row sample plans the next statement as well.
SET default_statistics_target = 30
AS $$
DECLARE
    v_gap           interval := attrib.setting_interval('session_gap');
    v_signup_events text[]   := ARRAY(SELECT jsonb_array_elements_text(attrib.setting('signup_events')));
    v_blog_pattern  text     := attrib.setting_text('blog_url_pattern');
    v_few           boolean;  -- a day's few aliases: index probes, not scans (attrib._plan_for_few)
    v_all           boolean;  -- every alias with events is dirty (a first load, a reclassification)
    v_keys          text[];   -- the work tables' indexes, to build again after a bulk write
    v_dirty         bigint;
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    rows_rejected := 0;
    rows_duplicated := 0;
    TRUNCATE sessions_stages.all_sessions, sessions_stages.signups;
    ANALYZE sessions_stages.dirty_aliases;

    -- (sessions_stages.session_bounds and session_landings are empty here:
    -- emptied at the end of every sessionize, and unlogged)
    v_dirty := (SELECT count(*) FROM sessions_stages.dirty_aliases);
    v_few := attrib._is_few(v_dirty);
    -- a large work set: the sessions' keys are built once they are all in
    v_keys := attrib._drop_indexes_for_bulk(v_dirty, 'sessions_stages.all_sessions', 'sessions_stages.signups');
    PERFORM attrib._plan_for_few(v_few);
    -- When every alias with events is dirty, all events are read as they lie:
    -- finding each alias's months first (alias_months) then cost a hash join
    -- of every event with them, a second at 1 M. Asked only of a large work
    -- set (an anti join of the two key lists); a day's few aliases never are.
    -- Counted, not EXISTS: on Citus the count runs on the co-located shards,
    -- while an EXISTS over them is planned apart and fails.
    v_all := NOT v_few
             AND (SELECT count(*) FROM partitioning.alias_months am
                    LEFT JOIN sessions_stages.dirty_aliases d ON d.alias_id = am.alias_id
                   WHERE d.alias_id IS NULL) = 0;
    -- The sessions, on narrow rows (the wide event values are fetched for
    -- the landing events only, below): one sort of the dirty aliases'
    -- events; the first window numbers each alias's sessions in event
    -- order; the second, over each session with its pages first, finds the
    -- landing event (definitions §4: the session's first page event, else
    -- its first event) and the session's figures. It sorts again only within
    -- each alias (an incremental sort).
    -- Every window is partitioned by alias_id itself and every table is
    -- keyed by it: on Citus the statement runs on each shard, co-located
    -- (partitioned by alias_id COLLATE "C", a cheaper sort here, Citus no
    -- longer sees the distribution column and gathers every event first).
    -- Ties in time are broken in byte order (definitions §4).
    INSERT INTO sessions_stages.session_bounds (alias_id, session_number, event_ts, message_id, session_start,
           session_end, event_count, page_count, first_message_id, identified, signup_session, signup_ts)
    SELECT w.alias_id, w.session_number, w.event_ts, w.message_id, w.session_start, w.session_end, w.event_count,
           w.page_count, w.first_message_id, bool_or(w.session_identified) OVER per_alias,
           -- session numbers grow with time: the first signup's session is the least
           min(w.session_number) FILTER (WHERE w.session_signup_ts IS NOT NULL) OVER per_alias,
           min(w.session_signup_ts) OVER per_alias
      FROM (SELECT s.alias_id, s.session_number, s.event_ts, s.message_id,
                   row_number() OVER per_session = 1 AS is_landing,
                   min(s.event_ts) OVER per_session AS session_start,
                   max(s.event_ts) OVER per_session AS session_end,
                   count(*) OVER per_session AS event_count,
                   count(*) FILTER (WHERE s.is_page) OVER per_session AS page_count,
                   -- exactly one event starts each session
                   min(s.message_id) FILTER (WHERE s.starts_session) OVER per_session AS first_message_id,
                   bool_or(s.from_user) OVER per_session AS session_identified,
                   min(s.event_ts) FILTER (WHERE s.is_signup) OVER per_session AS session_signup_ts
              FROM (SELECT e.alias_id, e.event_ts, e.message_id, e.is_page, e.from_user, e.is_signup,
                           (e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap) AS starts_session,
                           count(*) FILTER (WHERE e.prev_ts IS NULL OR e.event_ts - e.prev_ts > v_gap)
                               OVER (PARTITION BY e.alias_id ORDER BY e.event_ts, e.message_id COLLATE "C"
                                     ROWS UNBOUNDED PRECEDING)::int AS session_number
                      FROM (SELECT ev.alias_id, ev.event_ts, ev.message_id, ev.kind = 'page' AS is_page,
                                   (ev.user_id IS NOT NULL OR ev.anonymous_id IS DISTINCT FROM ev.alias_id) AS from_user,
                                   (ev.kind = 'track' AND ev.event = ANY (v_signup_events)) AS is_signup,
                                   lag(ev.event_ts) OVER (PARTITION BY ev.alias_id
                                                          ORDER BY ev.event_ts, ev.message_id COLLATE "C") AS prev_ts
                              FROM (SELECT a.alias_id, a.event_ts, a.message_id, a.kind, a.event, a.anonymous_id, a.user_id
                                      FROM partitioning.events a WHERE v_all
                                    UNION ALL
                                    SELECT a.alias_id, a.event_ts, a.message_id, a.kind, a.event, a.anonymous_id, a.user_id
                                      FROM sessions_stages.dirty_aliases d
                                      JOIN partitioning.alias_months am ON am.alias_id = d.alias_id
                                      JOIN partitioning.events a
                                        ON a.alias_id = am.alias_id
                                       AND a.event_ts >= attrib._month_start(am.month)
                                       AND a.event_ts < attrib._month_end(am.month)
                                     WHERE NOT v_all) ev) e) s
            -- one window for all per-session figures (one pass): ordered for the
            -- landing event, framed over the whole session for the aggregates
            WINDOW per_session AS (PARTITION BY s.alias_id, s.session_number
                                   ORDER BY (NOT s.is_page), s.event_ts, s.message_id COLLATE "C"
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING)) w
     WHERE w.is_landing
    -- The alias's figures from its sessions' (who is identified, the first
    -- signup), over the landing rows alone: a window over a quarter of the
    -- rows, already in alias order, instead of another pass over every event
    -- (0.37 s of 4.5 s at 1 M).
    WINDOW per_alias AS (PARTITION BY w.alias_id);
    GET DIAGNOSTICS rows_written = ROW_COUNT;
    ANALYZE sessions_stages.session_bounds;

    -- What each landing event says, by its key (a hash join on a full run,
    -- index probes on a day's few aliases).
    INSERT INTO sessions_stages.session_landings
    SELECT b.*, e.url, e.referrer, e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content
      FROM sessions_stages.session_bounds b
      JOIN partitioning.events e ON e.alias_id = b.alias_id AND e.event_ts = b.event_ts AND e.message_id = b.message_id;
    PERFORM attrib._plan_for_few(false);
    -- sampled for the next statement's plan: a table just filled from empty
    -- has no statistics, and the classification joins every row of it
    ANALYZE sessions_stages.session_landings;
    SELECT coalesce(sum(b.event_count), 0) INTO rows_read FROM sessions_stages.session_bounds b;

    -- Each landing touch classified in the same statement, row by row
    -- (attrib.touch is inlined; its lookups of hosts are memoized): on Citus
    -- a distinct list of touches would be gathered on the coordinator, while
    -- this runs on the shards, where the owner reads the settings and the
    -- source classes (reference tables) from inside the shard's query
    -- (attrib._citus_owner_login).
    INSERT INTO sessions_stages.all_sessions (alias_id, session_id, identified, session_number, session_start,
           session_end, event_count, page_count, landing_url, referrer, utm_source, utm_medium, utm_campaign,
           utm_term, utm_content, source, medium, campaign, channel, is_paid, signed_up)
    SELECT l.alias_id, md5(l.alias_id || ' ' || l.first_message_id), l.identified, l.session_number,
           l.session_start, l.session_end, l.event_count, l.page_count, l.url, l.referrer,
           l.utm_source, l.utm_medium, l.utm_campaign, l.utm_term, l.utm_content,
           t.source, t.medium, t.campaign, t.channel, t.is_paid,
           coalesce(l.signup_session = l.session_number, false)
      FROM sessions_stages.session_landings l
      -- A sub-select of its own (OFFSET 0), so the planner memoizes the whole
      -- touch by its five values: sessions repeat a fifth as many touches at
      -- 1 M, and each repeat is one lookup instead of one in each of the
      -- six memoized steps inside (1.94 -> 1.64 s for the 277 K landings).
      CROSS JOIN LATERAL (SELECT * FROM attrib.touch(l.url, l.referrer, l.utm_source, l.utm_medium, l.utm_campaign)
                          OFFSET 0) t;

    PERFORM attrib._plan_for_few(v_few);
    -- What attribution needs from the events of the aliases that signed up:
    -- the first signup (definitions §6), the first blog page up to it and the
    -- first page ever (definitions §7).
    INSERT INTO sessions_stages.signups (alias_id, signup_timestamp, blog_url, first_page_ever_visited)
    SELECT f.alias_id, f.signup_ts,
           (array_agg(p.url_clean ORDER BY p.event_ts, p.message_id COLLATE "C")
                FILTER (WHERE p.event_ts <= f.signup_ts AND p.url_clean ~* v_blog_pattern))[1],
           (array_agg(p.url_clean ORDER BY p.event_ts, p.message_id COLLATE "C"))[1]
      FROM (SELECT b.alias_id, min(b.signup_ts) AS signup_ts
              FROM sessions_stages.session_bounds b
             WHERE b.signup_ts IS NOT NULL
             GROUP BY b.alias_id) f
      LEFT JOIN partitioning.events p ON p.alias_id = f.alias_id AND p.kind = 'page'
     GROUP BY f.alias_id, f.signup_ts;
    PERFORM attrib._plan_for_few(false);
    PERFORM attrib._build_indexes(v_keys);
    -- Emptied before the stage commits: no copy of a person's landing
    -- pages outlives it (attrib.forget erases events and outputs, not this
    -- scratch), as none did of the temp table this replaced.
    TRUNCATE sessions_stages.session_bounds, sessions_stages.session_landings;

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
