-- definitions §2: every reject reason, the first that applies wins, null-like ids,
-- and a rejected row read again is recorded once.
BEGIN;
SELECT plan(9);
\ir fixtures/segment.sql

INSERT INTO segment.pages (id, anonymous_id, user_id, "timestamp", received_at, context_user_agent) VALUES
  ('  ',      'a', NULL, '2024-05-01 09:00+00', '2024-05-01 09:00+00', NULL),          -- blank id
  ('NULL',    'a', NULL, '2024-05-01 09:00+00', '2024-05-01 09:00+00', NULL),          -- null-like id
  ('r-ts',    'a', NULL, NULL, NULL, NULL),
  ('r-ids',   ' undefined ', E'\t<nil>\r', '2024-05-01 09:00+00', '2024-05-01 09:00+00', NULL),
  ('r-fut',   'a', NULL, '2024-05-03 09:00:01+00', '2024-05-02 09:00+00', NULL),
  ('r-bot',   'a', NULL, '2024-05-01 09:00+00', '2024-05-01 09:00+00', 'Mozilla/5.0 HeadlessChrome/120'),
  ('r-order', NULL, 'none', NULL, NULL, 'Googlebot');                                    -- several reasons
INSERT INTO segment.pages (id, anonymous_id, user_id, "timestamp", received_at) VALUES
  ('ok-tol',  'a', NULL, '2024-05-03 09:00:00+00', '2024-05-02 09:00+00'),               -- exactly 1 day ahead
  ('ok-norecv', 'a', NULL, '2024-06-01 00:00+00', NULL),                                   -- no received_at: only the run-start check
  ('r-fut-run', 'a', NULL, '2999-01-01 00:00+00', NULL),                                   -- ahead of the run's start
  ('ok-recv', 'a', NULL, NULL, '2024-05-01 09:00+00');                                     -- event_ts from received_at
SELECT attrib.ingest();

SELECT results_eq(
    $$SELECT coalesce(message_id, '(null)') COLLATE "default" AS id, reason FROM attrib.rejects ORDER BY coalesce(message_id, '(null)') COLLATE "C", reason$$,
    $$VALUES ('(null)', 'missing_message_id'), ('(null)', 'missing_message_id'), ('r-bot', 'bot'), ('r-fut', 'future_timestamp'),
             ('r-fut-run', 'future_timestamp'), ('r-ids', 'missing_identity'), ('r-order', 'missing_timestamp'),
             ('r-ts', 'missing_timestamp')$$,
    'each bad row is rejected with the first reason that applies');
SELECT is((SELECT count(*)::int FROM attrib.rejects WHERE reason = 'missing_message_id'), 2,
    'a blank id and the id ''NULL'' are both missing message ids');
SELECT is((SELECT row ->> 'id' FROM attrib.rejects WHERE message_id = 'r-ids'), 'r-ids',
    'the rejected row is kept as jsonb');
SELECT results_eq($$SELECT message_id COLLATE "default", event_ts FROM partitioning.events ORDER BY message_id COLLATE "C"$$,
    $$VALUES ('ok-norecv', '2024-06-01 00:00+00'::timestamptz), ('ok-recv', '2024-05-01 09:00+00'::timestamptz),
             ('ok-tol', '2024-05-03 09:00:00+00'::timestamptz)$$,
    'rows on the tolerance edge, without received_at, or without timestamp are events');

SELECT is(attrib.clean_id(E' \t abc \n'), 'abc', 'ids are trimmed of ASCII white space');
SELECT is(attrib.clean_id('UnDeFiNeD'), NULL, 'null-like ids in any case are NULL');
SELECT is(attrib.clean_id('nil'), 'nil', 'only the listed null-like strings are NULL');

SELECT attrib.ingest();
SELECT is((SELECT count(*)::int FROM attrib.rejects), 8, 'a rejected row read again is not rejected twice');
UPDATE attrib.settings SET value = '"nothing-matches-this"' WHERE name = 'bot_user_agent_pattern';
DELETE FROM attrib.ingest_state;
SELECT attrib.ingest();
SELECT is((SELECT count(*)::int FROM attrib.rejects), 8, 'a changed setting applies to rows read afterwards');

SELECT * FROM finish();
ROLLBACK;
