-- 0021: a run between two stages is running, not ok.
--
-- attrib.run_log gets a stage's row when the stage starts, so in the instant
-- after one stage committed and before the next began, every row of a live
-- run said ok and attrib.runs called the run ok (and incomplete). A
-- monitor (or pg_cron's caller) polling for "not running" saw a finished
-- run that was not. The run lease names the run its live holder began: a
-- run whose lease is held by a live backend is running.
CREATE OR REPLACE VIEW attrib.runs AS
SELECT l.run_id,
       min(l.started_at) AS started_at,
       CASE WHEN bool_and(l.status <> 'running') AND NOT bool_or(h.run_id IS NOT NULL)
            THEN max(l.finished_at) END AS finished_at,
       CASE WHEN bool_or(l.status = 'failed') THEN 'failed'
            WHEN bool_or(l.status = 'running' AND a.pid IS NOT NULL) THEN 'running'
            WHEN bool_or(h.run_id IS NOT NULL) THEN 'running'
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
  LEFT JOIN (SELECT rl.run_id
               FROM attrib.run_lease rl
               JOIN pg_stat_activity ra ON ra.pid = rl.pid AND ra.backend_start = rl.backend_start
              WHERE rl.run_id IS NOT NULL) h ON h.run_id = l.run_id
 GROUP BY l.run_id;
COMMENT ON VIEW attrib.runs IS
  'One row per run: status ok, failed, running (a stage runs, or a live backend holds the run''s lease '
  'between stages), or abandoned (its backend is gone); complete = every stage of attrib.stages with in_run ok';
