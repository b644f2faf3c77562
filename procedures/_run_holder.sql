-- attrib._run_holder: who holds the run lock in this database, if anyone:
-- the backend's pid, the run it is working on (its latest run_log row since
-- that backend connected), when that run started, and the application.
-- All NULL when nobody holds the lock.
CREATE OR REPLACE FUNCTION attrib._run_holder(
    OUT pid              int,
    OUT run_id           bigint,
    OUT stage            text,
    OUT run_started_at   timestamptz,
    OUT application_name text,
    OUT backend_start    timestamptz)
RETURNS record
LANGUAGE sql STABLE
AS $$
    WITH holder AS (
        SELECT l.pid
          FROM pg_catalog.pg_locks l
         WHERE l.locktype = 'advisory'
           AND l.granted
           AND l.objsubid = 1
           AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
           AND l.classid = (attrib._run_lock_key() >> 32)::oid
           AND l.objid = (attrib._run_lock_key() & 4294967295)::oid
         LIMIT 1
    )
    SELECT h.pid, r.run_id, r.stage, r.run_started_at, a.application_name, a.backend_start
      FROM holder h
      LEFT JOIN pg_catalog.pg_stat_activity a ON a.pid = h.pid
      LEFT JOIN LATERAL (
          SELECT g.run_id, g.stage,
                 (SELECT min(x.started_at) FROM attrib.run_log x WHERE x.run_id = g.run_id) AS run_started_at
            FROM attrib.run_log g
           WHERE g.pid = h.pid
             AND (a.backend_start IS NULL OR g.started_at >= a.backend_start)
           ORDER BY g.started_at DESC
           LIMIT 1) r ON true
$$;
COMMENT ON FUNCTION attrib._run_holder() IS
  'Private: the backend holding the run lock (pid, run id, stage, run start, application), or NULLs';
