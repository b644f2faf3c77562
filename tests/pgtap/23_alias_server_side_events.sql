-- definitions §3: events with a user_id and no anonymous_id (server-side) are the
-- user's, and join the user's sessions like any other event.
BEGIN;
SELECT plan(2);
\ir fixtures/segment.sql

SELECT pg_temp.page('w1', 'anon-s', NULL, '2024-05-01 09:00:00+00');
SELECT pg_temp.identify('i1', 'anon-s', 'user-s', '2024-05-01 09:01:00+00');
INSERT INTO segment.tracks (id, anonymous_id, user_id, "timestamp", received_at, event)
VALUES ('s1', NULL, 'user-s', '2024-05-01 09:10:00+00', '2024-05-01 09:10:01+00', 'Invoice Paid'),
       ('s2', NULL, 'user-s', '2024-05-02 09:10:00+00', '2024-05-02 09:10:01+00', 'Invoice Paid');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT alias_id COLLATE "default", session_number, event_count, page_count, landing_url FROM sessions.all_sessions ORDER BY 2$$,
    $$VALUES ('user-s', 1, 2, 1, 'https://www.example.com/'::text), ('user-s', 2, 1, 0, NULL::text)$$,
    'a server-side event joins the web session; alone it is a session of tracks');
SELECT is((SELECT identified FROM sessions.all_sessions WHERE session_number = 2), true,
    'a session of server-side events is identified');

SELECT * FROM finish();
ROLLBACK;
