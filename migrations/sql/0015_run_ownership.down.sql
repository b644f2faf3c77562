-- Revision 0015 down: undoes 0015_run_ownership.sql.
ALTER TABLE attrib.test_faults DROP COLUMN armed;
ALTER TABLE attrib.run_lease DROP COLUMN run_id;
ALTER TABLE attrib.run_lease ADD COLUMN depth int NOT NULL DEFAULT 0 CHECK (depth >= 0);
UPDATE attrib.run_lease SET depth = 1 WHERE pid IS NOT NULL;
CREATE OR REPLACE VIEW attrib.runs AS
SELECT l.run_id, min(l.started_at) AS started_at,
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
DROP FUNCTION IF EXISTS attrib._run_stages();  -- its BEGIN ATOMIC body depends on the table
DROP TABLE attrib.stages;
-- the run functions of this revision read what was just dropped: an upgrade re-applies them
DELETE FROM attrib.deployed_procedures WHERE file_name LIKE '\_run\_%' OR file_name LIKE 'run\_%';
