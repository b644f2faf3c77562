-- attrib.attribute: stage 5 (definitions §7, §8), then publish. Computes attribution
-- and multi-touch credit for the dirty aliases that signed up, then replaces
-- every output row of the sessionized dirty aliases in one transaction, so a
-- reader sees the previous complete result or the new one, never a mix.
CREATE OR REPLACE FUNCTION attrib.attribute(
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
    v_half_life    interval := attrib.setting_interval('time_decay_half_life');
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    rows_rejected := 0;
    rows_duplicated := 0;
    IF (SELECT s.sessionized_at IS DISTINCT FROM s.signup_for FROM attrib.pipeline_state s) THEN
        RAISE EXCEPTION 'stage signup has not run since the last sessionize'
            USING ERRCODE = '55000',
                  HINT = 'Run the stages in order (CALL attrib.run_stage(''signup'')), or the whole run: CALL attrib.run_attribution();';
    END IF;
    TRUNCATE sessions_stages.attribution, sessions_stages.attribution_credit;
    SELECT count(*) INTO rows_read FROM sessions_stages.all_sessions;

    INSERT INTO sessions_stages.attribution
    SELECT su.alias_id, su.signup_timestamp, su.k, su.blog_url, su.first_page_ever_visited,
           ft.session_start, ft.source, ft.campaign, ft.medium, ft.referrer, ft.channel,
           lt.session_start, lt.source, lt.campaign, lt.medium, lt.referrer, lt.channel,
           fa.session_start, fa.source, fa.campaign, fa.medium, fa.referrer, fa.channel,
           la.session_start, la.source, la.campaign, la.medium, la.referrer, la.channel
      -- su: each signed-up alias with k, the number of the session holding its first
      -- signup (definitions §6). Every table here is co-located by alias_id, so on
      -- Citus the statement (LATERAL ... LIMIT 1 included) runs on the shards.
      FROM (SELECT g.alias_id, s.session_number AS k, g.signup_timestamp, g.blog_url, g.first_page_ever_visited
              FROM sessions_stages.signups g
              JOIN sessions_stages.all_sessions s ON s.alias_id = g.alias_id AND s.signed_up) su
      JOIN sessions_stages.all_sessions ft ON ft.alias_id = su.alias_id AND ft.session_number = 1
      JOIN sessions_stages.all_sessions lt ON lt.alias_id = su.alias_id AND lt.session_number = su.k
      LEFT JOIN LATERAL (SELECT s.* FROM sessions_stages.all_sessions s
                          WHERE s.alias_id = su.alias_id AND s.session_number <= su.k AND s.is_paid
                          ORDER BY s.session_number LIMIT 1) fa ON true
      LEFT JOIN LATERAL (SELECT s.* FROM sessions_stages.all_sessions s
                          WHERE s.alias_id = su.alias_id AND s.session_number <= su.k AND s.is_paid
                          ORDER BY s.session_number DESC LIMIT 1) la ON true;

    -- Multi-touch credit over sessions 1..k; only sessions that get credit have a row.
    -- k per alias from the attribution rows just written (one per signed-up alias):
    -- a stage table co-located with the sessions, so on Citus this runs on the shards.
    INSERT INTO sessions_stages.attribution_credit (alias_id, session_id, session_number, model, credit)
    WITH touches AS (
        SELECT s.alias_id, s.session_id, s.session_number AS n, a.session_count_before_signup AS k, s.channel,
               -- time decay relative to session k, the heaviest, so old sessions cannot underflow
               power(2::double precision, greatest(-1000::double precision,
                     -extract(epoch FROM (max(s.session_start) OVER (PARTITION BY s.alias_id) - s.session_start))
                     / extract(epoch FROM v_half_life))) AS decay,
               max(s.session_number) FILTER (WHERE s.channel <> 'Direct') OVER (PARTITION BY s.alias_id) AS last_non_direct
          FROM sessions_stages.attribution a
          JOIN sessions_stages.all_sessions s
            ON s.alias_id = a.alias_id AND s.session_number <= a.session_count_before_signup
    )
    SELECT t.alias_id, t.session_id, t.n, m.model, m.credit
      -- definitions §8: the normalizing sum adds its terms in session order 1..k
      -- (a float sum's last bit depends on its order, and the plan's row
      -- order differs between an incremental run and a full one)
      FROM (SELECT t.*, sum(t.decay) OVER (PARTITION BY t.alias_id ORDER BY t.n
                                           ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS decay_total
              FROM touches t) t
     CROSS JOIN LATERAL (VALUES
           ('first_touch', CASE WHEN t.n = 1 THEN 1.0::double precision END),
           ('last_touch', CASE WHEN t.n = t.k THEN 1.0::double precision END),
           ('last_non_direct', CASE WHEN t.n = coalesce(t.last_non_direct, t.k) THEN 1.0::double precision END),
           ('linear', 1.0::double precision / t.k),
           ('position_based', CASE WHEN t.k = 1 THEN 1.0::double precision
                                   WHEN t.k = 2 THEN 0.5::double precision
                                   WHEN t.n = 1 OR t.n = t.k THEN 0.4::double precision
                                   ELSE 0.2::double precision / (t.k - 2) END),
           ('time_decay', t.decay / t.decay_total)) AS m(model, credit)
     -- definitions §8: a credit of 0 or below 1e-12 has no row (time_decay's sessions months before signup)
     WHERE m.credit >= 1e-12;

    -- rows_written: the published rows this run replaced, the rows of the
    -- optional sources included (revenue, spend, survey answers and the
    -- content map change without events changing: every run reads them
    -- again, against the outputs just published). 0 tells the user nothing changed.
    -- What `attrib run` checks after the run (own subdomains counted as
    -- referrals): the hosts of the Referral sessions about to be published,
    -- counted here so that no session row leaves the database. A retried
    -- stage writes them again; only this run's are kept.
    DELETE FROM attrib.run_referrals;
    INSERT INTO attrib.run_referrals (run_id, landing_host, referrer_host, sessions)
    SELECT p_run_id, h.landing_host, h.referrer_host, count(*)
      FROM sessions_stages.all_sessions s
      JOIN sessions_stages.dirty_aliases d ON d.alias_id = s.alias_id AND d.sessionized
     CROSS JOIN LATERAL (SELECT attrib.url_host(s.landing_url) AS landing_host,
                                attrib.url_host(s.referrer) AS referrer_host) h
     WHERE p_run_id IS NOT NULL AND s.channel = 'Referral'
       AND h.landing_host IS NOT NULL AND h.referrer_host IS NOT NULL
     GROUP BY h.landing_host, h.referrer_host;

    rows_written := attrib._publish();
    rows_written := rows_written + attrib._load_revenue() + attrib._load_spend() + attrib._load_survey()
                    + attrib._load_content();
    -- published: the work set is done, once _load_content has read which aliases were
    -- (aliases marked dirty after the last sessionize wait for the next run)
    DELETE FROM sessions_stages.dirty_aliases d WHERE d.sessionized;
END
$$;
COMMENT ON FUNCTION attrib.attribute(bigint) IS
  'Stage attribute (definitions §7, §8): attribution and credit of the dirty aliases, then publishes every output atomically';
