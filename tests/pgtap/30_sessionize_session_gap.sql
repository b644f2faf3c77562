-- definitions §4: a gap of exactly session_gap (20:00) stays in the session; 20:00.001 splits.
BEGIN;
SELECT plan(3);
\ir fixtures/segment.sql

SELECT pg_temp.page('a1', 'anon-a', NULL, '2024-05-01 09:00:00+00');
SELECT pg_temp.page('a2', 'anon-a', NULL, '2024-05-01 09:20:00+00');
SELECT pg_temp.page('b1', 'anon-b', NULL, '2024-05-01 09:00:00+00');
SELECT pg_temp.page('b2', 'anon-b', NULL, '2024-05-01 09:20:00.001+00');
SELECT lives_ok('SELECT pg_temp.run_pipeline()', 'the pipeline runs');

SELECT results_eq(
    $$SELECT session_number, event_count FROM sessions.all_sessions WHERE alias_id = 'anon-a' ORDER BY 1$$,
    $$VALUES (1, 2)$$,
    'a gap of exactly 20:00 stays in one session');
SELECT results_eq(
    $$SELECT session_number, event_count FROM sessions.all_sessions WHERE alias_id = 'anon-b' ORDER BY 1$$,
    $$VALUES (1, 1), (2, 1)$$,
    'a gap of 20:00.001 starts a second session');

SELECT * FROM finish();
ROLLBACK;
