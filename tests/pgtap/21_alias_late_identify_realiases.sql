-- definitions §3: an identify 40 days after the first visit moves that visit (and
-- every other event of the device) under the user.
BEGIN;
SELECT plan(3);
\ir fixtures/segment.sql

SELECT pg_temp.page('v1', 'anon-1', NULL, '2024-03-01 09:00:00+00');
SELECT pg_temp.run_pipeline();
SELECT results_eq($$SELECT alias_id COLLATE "default", identified FROM sessions.all_sessions$$,
    $$VALUES ('anon-1', false)$$, 'the first visit starts under its anonymous id');

SELECT pg_temp.page('v2', 'anon-1', NULL, '2024-04-10 09:00:00+00');
SELECT pg_temp.identify('i1', 'anon-1', 'user-9', '2024-04-10 09:01:00+00');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT alias_id COLLATE "default", session_number, session_start, identified FROM sessions.all_sessions ORDER BY 2$$,
    $$VALUES ('user-9', 1, '2024-03-01 09:00:00+00'::timestamptz, true),
             ('user-9', 2, '2024-04-10 09:00:00+00'::timestamptz, true)$$,
    'both visits, 40 days apart, now belong to user-9');
SELECT results_eq($$SELECT message_id COLLATE "default", alias_id COLLATE "default" FROM partitioning.events ORDER BY 1$$,
    $$VALUES ('v1', 'user-9'), ('v2', 'user-9')$$, 'the old event moved to its owner');

SELECT * FROM finish();
ROLLBACK;
