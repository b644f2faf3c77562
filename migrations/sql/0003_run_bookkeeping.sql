-- Revision 0003: what running the pipeline for real needs (issue 6).
--  * run_log.attempts: a stage retried within the same run (CLI retries,
--    a killed backend finished by the next call) keeps one row per stage;
--  * run_log.started_by: who started the run (application_name, or 'retry'
--    for the pg_cron retry job), so the retry job can tell the nightly run
--    from its own attempts;
--  * attrib.runs: one row per run, derived from run_log;
--  * attrib.test_faults: a test-only hook that makes a stage fail or stall.

ALTER TABLE attrib.run_log
    ADD COLUMN attempts   int NOT NULL DEFAULT 1 CHECK (attempts > 0),
    ADD COLUMN started_by text;
COMMENT ON COLUMN attrib.run_log.attempts IS
  'How many times this stage of this run was started (retries reuse the row)';
COMMENT ON COLUMN attrib.run_log.started_by IS
  'Who started the stage: application_name of the session, or retry for the pg_cron retry job';
CREATE INDEX run_log_running_idx ON attrib.run_log (run_id) WHERE status = 'running';

CREATE VIEW attrib.runs AS
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
       (array_agg(l.pid ORDER BY l.started_at DESC, l.stage))[1] AS pid
FROM attrib.run_log l
LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND a.datname = current_database()
GROUP BY l.run_id;
COMMENT ON VIEW attrib.runs IS
  'One row per run: status ok, failed, running, or abandoned (its backend is gone); complete = all six stages ok';

CREATE TABLE attrib.test_faults (
    stage         text PRIMARY KEY,
    sqlstate      char(5) CHECK (sqlstate ~ '^[0-9A-Z]{5}$'),
    message       text NOT NULL DEFAULT 'injected fault (attrib.test_faults)',
    sleep_seconds double precision NOT NULL DEFAULT 0 CHECK (sleep_seconds >= 0),
    remaining     int NOT NULL DEFAULT 1 CHECK (remaining >= 0)
);
COMMENT ON TABLE attrib.test_faults IS
  'Test-only: the next `remaining` runs of `stage` sleep sleep_seconds after the stage did its work '
  '(inside its transaction), then raise sqlstate (when set). Empty in production.';
