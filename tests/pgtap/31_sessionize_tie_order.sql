-- definitions §4: events at the same event_ts are ordered by message_id byte by
-- byte (COLLATE "C"): 'B' < 'a', so B's page is the landing page.
BEGIN;
SELECT plan(2);
\ir fixtures/segment.sql

SELECT pg_temp.page('a-1', 'anon-t', NULL, '2024-05-01 09:00:00+00', 'https://www.example.com/lower');
SELECT pg_temp.page('B-1', 'anon-t', NULL, '2024-05-01 09:00:00+00', 'https://www.example.com/upper');
SELECT pg_temp.run_pipeline();

SELECT is((SELECT landing_url FROM sessions.all_sessions), 'https://www.example.com/upper',
    'the landing event is the first by message_id in byte order');
SELECT is((SELECT session_id FROM sessions.all_sessions), md5('anon-t B-1'),
    'the session id comes from the alias and the first event');

SELECT * FROM finish();
ROLLBACK;
