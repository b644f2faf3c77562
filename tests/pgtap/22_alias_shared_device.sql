-- definitions §3: a shared device belongs to whoever identified on it first; the
-- second user keeps the events that carry their own user_id.
BEGIN;
SELECT plan(2);
\ir fixtures/segment.sql

SELECT pg_temp.page('a1', 'ipad', NULL, '2024-05-01 09:00:00+00');
SELECT pg_temp.identify('i1', 'ipad', 'alice', '2024-05-01 09:05:00+00');
SELECT pg_temp.page('b1', 'ipad', 'bob', '2024-05-03 09:00:00+00');
SELECT pg_temp.identify('i2', 'ipad', 'bob', '2024-05-03 09:01:00+00');
SELECT pg_temp.page('a2', 'ipad', NULL, '2024-05-05 09:00:00+00');
SELECT pg_temp.run_pipeline();

SELECT results_eq($$SELECT anonymous_id COLLATE "default", user_id COLLATE "default" FROM aliasing.owners$$,
    $$VALUES ('ipad', 'alice')$$, 'the first identify owns the device');
SELECT results_eq($$SELECT message_id COLLATE "default", alias_id COLLATE "default" FROM partitioning.events ORDER BY 1$$,
    $$VALUES ('a1', 'alice'), ('a2', 'alice'), ('b1', 'bob')$$,
    'anonymous history stays with alice; bob keeps his own user_id event');

SELECT * FROM finish();
ROLLBACK;
