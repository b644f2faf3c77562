-- definitions §6, §7: a signup in the first session, with no paid touch.
BEGIN;
SELECT plan(4);
\ir fixtures/segment.sql

SELECT pg_temp.page('p1', 'anon-1', NULL, '2024-05-01 09:00:00+00');
INSERT INTO segment.tracks (id, anonymous_id, "timestamp", received_at, event)
VALUES ('t1', 'anon-1', '2024-05-01 09:05:00+00', '2024-05-01 09:05:01+00', 'Signed Up');
SELECT pg_temp.run_pipeline();

SELECT is((SELECT session_count_before_signup FROM sessions.attribution), 1,
    'signed up in the first session: session_count_before_signup = 1');
SELECT results_eq($$SELECT is_first_session, is_signup_session FROM sessions.useful_sessions$$,
    $$VALUES (true, true)$$, 'first and signup session are one useful_sessions row');
SELECT results_eq(
    $$SELECT first_attributed_touch_timestamp, first_attributed_touch_source, last_attributed_touch_channel
        FROM sessions.attribution$$,
    $$VALUES (NULL::timestamptz, NULL::text, NULL::text)$$,
    'no paid touch: the attributed columns are NULL');
SELECT is((SELECT count(*)::int FROM sessions.attribution_credit), 6,
    'one session gets every model''s whole credit');

SELECT * FROM finish();
ROLLBACK;
