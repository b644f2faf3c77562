-- definitions §7: attribution of one signed-up user with an organic first visit, a
-- paid visit and a direct signup visit.
BEGIN;
SELECT plan(6);
\ir fixtures/segment.sql

SELECT pg_temp.page('p1', 'anon-1', NULL, '2024-05-01 09:00:00+00', 'https://www.example.com/blog/launch?ref=x');
UPDATE segment.pages SET referrer = 'https://www.google.com/' WHERE id = 'p1';
SELECT pg_temp.page('p2', 'anon-1', NULL, '2024-05-02 09:00:00+00', 'https://www.example.com/?utm_source=google&utm_medium=cpc&utm_campaign=brand');
SELECT pg_temp.page('p3', 'anon-1', NULL, '2024-05-03 09:00:00+00', 'https://www.example.com/pricing');
SELECT pg_temp.page('p4', 'anon-1', NULL, '2024-05-03 09:01:00+00', 'https://www.example.com/blog/late');
INSERT INTO segment.tracks (id, anonymous_id, "timestamp", received_at, event)
VALUES ('t1', 'anon-1', '2024-05-03 09:02:00+00', '2024-05-03 09:02:01+00', 'signed_up');
SELECT pg_temp.page('p5', 'anon-1', NULL, '2024-05-03 09:03:00+00', 'https://www.example.com/blog/after');
SELECT pg_temp.run_pipeline();

SELECT results_eq(
    $$SELECT signup_timestamp, session_count_before_signup FROM sessions.attribution$$,
    $$VALUES ('2024-05-03 09:02:00+00'::timestamptz, 3)$$,
    'signup time and k = the number of the signup session');
SELECT is((SELECT blog_url FROM sessions.attribution), 'https://www.example.com/blog/launch',
    'blog_url: the first blog page before signup, cut at ?');
SELECT is((SELECT first_page_ever_visited FROM sessions.attribution), 'https://www.example.com/blog/launch',
    'first_page_ever_visited is url_clean of the first page');
SELECT results_eq(
    $$SELECT first_touch_source, first_touch_medium, first_touch_channel,
             last_touch_source, last_touch_medium, last_touch_channel FROM sessions.attribution$$,
    $$VALUES ('google.com', 'organic', 'Organic Search', '(direct)', '(none)', 'Direct')$$,
    'first touch is session 1, last touch the signup session');
SELECT results_eq(
    $$SELECT first_attributed_touch_timestamp, first_attributed_touch_campaign, first_attributed_touch_channel,
             last_attributed_touch_timestamp, last_attributed_touch_channel FROM sessions.attribution$$,
    $$VALUES ('2024-05-02 09:00:00+00'::timestamptz, 'brand', 'Paid Search',
              '2024-05-02 09:00:00+00'::timestamptz, 'Paid Search')$$,
    'the only paid session is both first and last attributed touch');
SELECT results_eq(
    $$SELECT s.session_number, c.credit FROM sessions.attribution_credit c
        JOIN sessions.all_sessions s USING (alias_id, session_id)
       WHERE c.model = 'position_based' ORDER BY 1$$,
    $$VALUES (1, 0.4::double precision), (2, 0.2::double precision), (3, 0.4::double precision)$$,
    'position_based gives 0.4 / 0.2 / 0.4 over three sessions');

SELECT * FROM finish();
ROLLBACK;
