-- Revision 0015 up: the database owns a run (attrib.run_begin / run_end).
--  * attrib.stages: the stages as data, the one place they are listed:
--    attrib._run_stages(), the runs view, the CLI, the bench and the tests
--    read it. reset is a stage that only --full (or --stage reset) runs.
CREATE TABLE attrib.stages (
    name     text PRIMARY KEY,
    position int NOT NULL UNIQUE,
    in_run   boolean NOT NULL,
    reads    text NOT NULL,
    writes   text NOT NULL
);
INSERT INTO attrib.stages (name, position, in_run, reads, writes) VALUES
  ('reset', 0, false, 'sessions.user_session_counts',
   'empties every derived table and watermark; marks every published alias dirty'),
  ('ingest', 1, true, 'the source tables (pages, tracks, identifies) from the watermark',
   'partitioning.events, attrib.rejects, attrib.duplicates, aliasing.identify_pairs'),
  ('alias', 2, true, 'aliasing.identify_pairs, new events',
   'aliasing.known_pairs, aliasing.owners, re-aliased events, sessions_stages.dirty_aliases'),
  ('sessionize', 3, true, 'the dirty aliases'' events',
   'sessions_stages.all_sessions'),
  ('signup', 4, true, 'sessions_stages.all_sessions',
   'sessions_stages.signups, useful_sessions, user_session_counts'),
  ('attribute', 5, true, 'sessions_stages.*, revenue_source',
   'every sessions.* output of the dirty aliases, in one transaction; attrib.user_revenue'),
  ('maintain', 6, true, 'pg_partman''s configuration, statistics',
   'new monthly partitions, ANALYZE of what changed');
COMMENT ON TABLE attrib.stages IS
  'The stages of a run in order (position); in_run = false: run only on request (reset, by --full); '
  'what each reads and writes';

--  * attrib.run_lease: one level, held by the backend that began the run,
--    with that run's id; run_stage and the run-state functions check it.
ALTER TABLE attrib.run_lease ADD COLUMN run_id bigint;
ALTER TABLE attrib.run_lease DROP COLUMN depth;
COMMENT ON TABLE attrib.run_lease IS
  'The run lease: the backend (pid, backend_start) that began run run_id (NULL: a forget); '
  'a holder no longer in pg_stat_activity is dead and loses it';

--  * attrib.test_faults.armed: a firing taken (and committed) when a stage
--    starts, fired inside the stage; only attrib's owner writes the table.
ALTER TABLE attrib.test_faults ADD COLUMN armed boolean NOT NULL DEFAULT false;
COMMENT ON TABLE attrib.test_faults IS
  'Test-only, written only by attrib''s owner (or a superuser): the next `remaining` runs of `stage` sleep '
  'sleep_seconds (at most 120) after the stage did its work, then raise sqlstate (when set). Empty in production.';

CREATE OR REPLACE VIEW attrib.runs AS
SELECT l.run_id,
       min(l.started_at) AS started_at,
       CASE WHEN bool_and(l.status <> 'running') THEN max(l.finished_at) END AS finished_at,
       CASE WHEN bool_or(l.status = 'failed') THEN 'failed'
            WHEN bool_or(l.status = 'running' AND a.pid IS NOT NULL) THEN 'running'
            WHEN bool_or(l.status = 'running') THEN 'abandoned'
            ELSE 'ok' END AS status,
       count(*) FILTER (WHERE l.status = 'ok' AND s.in_run)
           = (SELECT count(*) FROM attrib.stages x WHERE x.in_run) AS complete,
       bool_or(l.stage = 'reset') AS full_rebuild,
       array_agg(l.stage ORDER BY l.started_at, l.stage) AS stages,
       (array_agg(l.started_by ORDER BY l.started_at, l.stage))[1] AS started_by,
       (array_agg(l.pid ORDER BY l.started_at DESC, l.stage))[1] AS pid,
       (array_agg(l.run_as ORDER BY l.started_at, l.stage))[1] AS run_as
  FROM attrib.run_log l
  LEFT JOIN attrib.stages s ON s.name = l.stage
  LEFT JOIN pg_stat_activity a ON a.pid = l.pid AND a.datname = current_database()
 GROUP BY l.run_id;
COMMENT ON VIEW attrib.runs IS
  'One row per run: status ok, failed, running, or abandoned (its backend is gone); '
  'complete = every stage of attrib.stages with in_run ok';
