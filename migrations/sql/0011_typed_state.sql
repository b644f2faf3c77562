-- Revision 0011 up: the untyped key/value attrib.state becomes typed.
-- Seven functions read and wrote jsonb values under string keys (one key,
-- touched_months, was deleted but never written); a typo in a key was a
-- silent NULL. Now:
--  * attrib.pipeline_state, one row: what the stages hand each other
--    (the fingerprint of the published outputs, when sessionize and signup
--    last ran, output rows changed since the last ANALYZE);
--  * attrib.months_written: event rows ingested per month since maintain
--    last ran, for its statistics.
CREATE TABLE attrib.pipeline_state (
    singleton           boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    outputs_fingerprint text,
    sessionized_at      timestamptz,
    signup_for          timestamptz,
    outputs_changed     bigint NOT NULL DEFAULT 0 CHECK (outputs_changed >= 0)
);
COMMENT ON TABLE attrib.pipeline_state IS 'What the stages hand each other between transactions (one row)';
COMMENT ON COLUMN attrib.pipeline_state.outputs_fingerprint IS
  'attrib._outputs_fingerprint() when the outputs were last published: a change recomputes every alias';
COMMENT ON COLUMN attrib.pipeline_state.sessionized_at IS 'When sessionize last staged rows not yet published';
COMMENT ON COLUMN attrib.pipeline_state.signup_for IS 'The sessionized_at that signup last ran for (attribute checks it)';
COMMENT ON COLUMN attrib.pipeline_state.outputs_changed IS 'Published session rows changed since maintain last analyzed';

INSERT INTO attrib.pipeline_state (outputs_fingerprint, sessionized_at, signup_for, outputs_changed)
SELECT (SELECT s.value #>> '{}' FROM attrib.state s WHERE s.key = 'outputs_fingerprint'),
       (SELECT (s.value #>> '{}')::timestamptz FROM attrib.state s WHERE s.key = 'sessionized_at'),
       (SELECT (s.value #>> '{}')::timestamptz FROM attrib.state s WHERE s.key = 'signup_for'),
       coalesce((SELECT (s.value #>> '{}')::bigint FROM attrib.state s WHERE s.key = 'outputs_changed'), 0);

CREATE TABLE attrib.months_written (
    month timestamptz PRIMARY KEY,
    rows  bigint NOT NULL CHECK (rows > 0)
);
COMMENT ON TABLE attrib.months_written IS
  'Event rows ingested per month (first instant, UTC) since maintain last ran; maintain analyzes the busy ones';
INSERT INTO attrib.months_written (month, rows)
SELECT m.key::timestamptz, m.value::bigint
  FROM attrib.state s CROSS JOIN LATERAL jsonb_each_text(s.value) m
 WHERE s.key = 'months_written';

DROP TABLE attrib.state;
