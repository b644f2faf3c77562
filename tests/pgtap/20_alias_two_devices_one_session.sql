-- definitions §3, §4: visits of two devices of one user, 15 minutes apart, are one
-- session once both devices are identified.
BEGIN;
SELECT plan(3);
\ir fixtures/segment.sql

SELECT pg_temp.page('l1', 'laptop', NULL, '2024-05-01 09:00:00+00');
SELECT pg_temp.page('p1', 'phone', NULL, '2024-05-01 09:15:00+00');
SELECT pg_temp.identify('i1', 'laptop', 'user-1', '2024-05-01 09:01:00+00');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT alias_id COLLATE "default", count(*)::int FROM sessions.all_sessions GROUP BY 1 ORDER BY 1$$,
    $$VALUES ('phone', 1), ('user-1', 1)$$,
    'before the phone is identified, each device has its own session');

SELECT pg_temp.identify('i2', 'phone', 'user-1', '2024-05-01 09:16:00+00');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT alias_id COLLATE "default", session_number, event_count, identified FROM sessions.all_sessions ORDER BY 1$$,
    $$VALUES ('user-1', 1, 2, true)$$,
    'once both are identified, the two visits are one session of user-1');
SELECT is_empty($$SELECT 1 FROM sessions.all_sessions WHERE alias_id = 'phone'$$,
    'the phone''s anonymous alias has no sessions left');

SELECT * FROM finish();
ROLLBACK;
