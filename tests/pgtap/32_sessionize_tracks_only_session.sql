-- definitions §4: a session without page events lands on its first track; an alias
-- that never signs up has no attribution row.
BEGIN;
SELECT plan(3);
\ir fixtures/segment.sql

INSERT INTO segment.tracks (id, anonymous_id, "timestamp", received_at, event, context_page_url, context_page_referrer)
VALUES ('t2', 'anon-2', '2024-05-01 09:01:00+00', '2024-05-01 09:01:01+00', 'Video Played', 'https://www.example.com/b', NULL),
       ('t1', 'anon-2', '2024-05-01 09:00:00+00', '2024-05-01 09:00:01+00', 'Video Played', 'https://www.example.com/a?utm_medium=email', 'https://partner.example.org/');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT event_count, page_count, landing_url, referrer, utm_medium FROM sessions.all_sessions$$,
    $$VALUES (2, 0, 'https://www.example.com/a?utm_medium=email'::text, 'https://partner.example.org/'::text, 'email'::text)$$,
    'the landing event of a tracks-only session is its first track');
SELECT is((SELECT channel FROM sessions.all_sessions), 'Email', 'utm_medium=email with a referrer is Email');
SELECT is_empty('SELECT 1 FROM sessions.attribution', 'no signup, no attribution row');

SELECT * FROM finish();
ROLLBACK;
