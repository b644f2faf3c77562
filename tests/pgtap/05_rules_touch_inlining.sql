-- attrib.touch runs inside one INSERT ... SELECT over every session, so it
-- must stay an inlinable SQL table function: the planner expands it into
-- the calling query (no function call per row) and reads the settings once
-- (InitPlans), not once per row.
BEGIN;
SELECT plan(7);

SELECT is((SELECT l.lanname FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
            WHERE p.oid = 'attrib.touch(text, text, text, text, text)'::regprocedure),
          'sql', 'attrib.touch is LANGUAGE sql');
SELECT ok((SELECT p.proretset AND p.provolatile = 's' AND NOT p.proisstrict AND NOT p.prosecdef AND p.proconfig IS NULL
             FROM pg_proc p WHERE p.oid = 'attrib.touch(text, text, text, text, text)'::regprocedure),
          'attrib.touch is a STABLE set-returning function, not STRICT, without SECURITY DEFINER or SET (inlinable)');
SELECT is_empty($$SELECT p.oid::regprocedure FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang
                   WHERE p.oid IN ('attrib._touch_detail(text, text, text, text, text)'::regprocedure,
                                   'attrib.source_match(text)'::regprocedure,
                                   'attrib._domain_match(text, text)'::regprocedure)
                     AND NOT (l.lanname = 'sql' AND p.proretset AND p.provolatile = 's' AND NOT p.proisstrict
                              AND NOT p.prosecdef AND p.proconfig IS NULL)$$,
          'attrib._touch_detail, attrib.source_match and attrib._domain_match, which touch reads, are inlinable SQL table functions too');

CREATE FUNCTION pg_temp.plan_of(p_query text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    v_line text;
    v_plan text := '';
BEGIN
    FOR v_line IN EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || p_query LOOP
        v_plan := v_plan || v_line || E'\n';
    END LOOP;
    RETURN v_plan;
END
$$;

SELECT doesnt_match(
    pg_temp.plan_of($$SELECT t.* FROM (SELECT 'https://x.com/?gclid=' || g AS landing_url, 'https://t.co/' || g AS referrer
                                         FROM generate_series(1, 1000) g) s
                      CROSS JOIN LATERAL attrib.touch(s.landing_url, s.referrer, NULL, NULL, NULL) t$$),
    'Function Scan on (attrib\.)?(touch|_touch_detail|source_match|_domain_match)',
    'the planner inlines attrib.touch called LATERAL, and the functions it reads (no Function Scan on them)');
SELECT doesnt_match(
    pg_temp.plan_of($$SELECT t.* FROM (SELECT 'https://x.com/' AS landing_url, 'https://t' || g || '.example/' AS referrer
                                         FROM generate_series(1, 1000) g) s
                      CROSS JOIN LATERAL attrib.touch(s.landing_url, s.referrer, NULL, NULL, NULL) t$$),
    'url_host',
    'attrib.url_host, its length limits and attrib._url_host_unbounded inline into the caller''s plan (no call per row)');
SELECT matches(
    pg_temp.plan_of($$SELECT t.* FROM (SELECT 'https://x.com/' AS landing_url, 'https://t' || g || '.example/' AS referrer
                                         FROM generate_series(1, 1000) g) s
                      CROSS JOIN LATERAL attrib.touch(s.landing_url, s.referrer, NULL, NULL, NULL) t$$),
    'Seq Scan on attrib\.source_classes',
    'the class lookup reads attrib.source_classes inside the caller''s plan (one scan, hashed or memoized)');
SELECT matches(
    pg_temp.plan_of($$SELECT t.* FROM (SELECT 'https://x.com/?gclid=' || g AS landing_url, 'https://t.co/' || g AS referrer
                                         FROM generate_series(1, 1000) g) s
                      CROSS JOIN LATERAL attrib.touch(s.landing_url, s.referrer, NULL, NULL, NULL) t$$),
    'InitPlan[^\n]*\n[^\n]*\n[^\n]*attrib\.setting\(''paid_medium_pattern''',
    'the paid_medium_pattern setting is read in an InitPlan (once per query)');

SELECT * FROM finish();
ROLLBACK;
