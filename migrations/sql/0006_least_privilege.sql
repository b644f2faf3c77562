-- Revision 0006 up: what least privilege needs to store.
--  * attrib.roles: the names of the three roles deploy grants to (owner,
--    runner, reader), so later deploys, the source-owner check and
--    `attrib schedule` agree on them. Deploy creates and fills them
--    (attrib._grant_privileges), since names can be chosen at deploy time.
--  * attrib.run_lease replaces the public advisory lock: one row naming the
--    backend that runs (pid and backend_start, so a dead holder is told
--    from a live one even if its pid is reused). Only attrib's own functions
--    can write it, so no other login can take or fake the run lock.
--  * attrib.test_faults gets a bounded sleep; it fires only when the
--    session sets attrib.testing = on (see attrib._run_stage_begin).

CREATE TABLE attrib.roles (
    kind      text PRIMARY KEY CHECK (kind IN ('owner', 'runner', 'reader')),
    role_name text NOT NULL
);
COMMENT ON TABLE attrib.roles IS
  'The roles attrib deploy grants to: owner (owns every attrib object), runner (runs the pipeline), reader (reads sessions.*)';

CREATE TABLE attrib.run_lease (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    pid           int,
    backend_start timestamptz,
    depth         int NOT NULL DEFAULT 0 CHECK (depth >= 0),
    taken_at      timestamptz
);
INSERT INTO attrib.run_lease (singleton) VALUES (true);
COMMENT ON TABLE attrib.run_lease IS
  'The run lock: the backend (pid, backend_start) that holds it and how many times it took it; '
  'a holder no longer in pg_stat_activity is dead and loses it';

UPDATE attrib.test_faults SET sleep_seconds = least(sleep_seconds, 120);
ALTER TABLE attrib.test_faults
    ADD CONSTRAINT test_faults_sleep_bounded CHECK (sleep_seconds <= 120);
COMMENT ON TABLE attrib.test_faults IS
  'Test-only, and inert unless the session sets attrib.testing = on: the next `remaining` runs of `stage` '
  'sleep sleep_seconds (at most 120) after the stage did its work, then raise sqlstate (when set).';

-- The advisory-lock key is gone with the advisory lock; its file is gone too,
-- so forget its checksum.
DROP FUNCTION IF EXISTS attrib._run_lock_key();
DELETE FROM attrib.deployed_procedures WHERE file_name = '_run_lock_key.sql';

-- Who a run ran as (the login role: inside the stages current_user is the
-- owner role), so it shows that the nightly job is not a superuser's.
ALTER TABLE attrib.run_log ADD COLUMN run_as text DEFAULT session_user;
COMMENT ON COLUMN attrib.run_log.run_as IS 'The role the run logged in as (session_user)';

CREATE OR REPLACE VIEW attrib.runs AS
SELECT l.run_id,
       min(l.started_at) AS started_at,
       CASE WHEN bool_and(l.status <> 'running') THEN max(l.finished_at) END AS finished_at,
       CASE WHEN bool_or(l.status = 'failed') THEN 'failed'
            WHEN bool_or(l.status = 'running' AND a.pid IS NOT NULL) THEN 'running'
            WHEN bool_or(l.status = 'running') THEN 'abandoned'
            ELSE 'ok' END AS status,
       count(*) FILTER (WHERE l.status = 'ok'
                          AND l.stage IN ('ingest', 'alias', 'sessionize', 'signup', 'attribute', 'maintain')) = 6
           AS complete,
       bool_or(l.stage = 'reset') AS full_rebuild,
       array_agg(l.stage ORDER BY l.started_at, l.stage) AS stages,
       (array_agg(l.started_by ORDER BY l.started_at, l.stage))[1] AS started_by,
       (array_agg(l.pid ORDER BY l.started_at DESC, l.stage))[1] AS pid,
       (array_agg(l.run_as ORDER BY l.started_at, l.stage))[1] AS run_as
FROM attrib.run_log l
LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND a.datname = current_database()
GROUP BY l.run_id;
