-- Revision 0021 down: undoes 0021_run_between_stages.sql.
-- 0015's view: it reads only attrib.run_log
CREATE OR REPLACE VIEW attrib.runs AS
SELECT l.run_id, min(l.started_at) AS started_at,
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
