-- attrib._run_holder: who holds the run lease in this database, if anyone
-- alive: the backend's pid, the run it is working on (its latest run_log
-- row since that backend connected), when that run started, and the
-- application. All NULL when nobody holds it or its holder is dead (no
-- backend with that pid and backend_start any more).
CREATE OR REPLACE FUNCTION attrib._run_holder(
    OUT pid              int,
    OUT run_id           bigint,
    OUT stage            text,
    OUT run_started_at   timestamptz,
    OUT application_name text,
    OUT backend_start    timestamptz)
RETURNS record
LANGUAGE sql STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT a.pid, coalesce(l.run_id, r.run_id), r.stage,
           (SELECT min(x.started_at) FROM attrib.run_log x WHERE x.run_id = coalesce(l.run_id, r.run_id)),
           a.application_name, a.backend_start
      FROM attrib.run_lease l
      JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid AND a.backend_start = l.backend_start
      LEFT JOIN LATERAL (
          SELECT g.run_id, g.stage
            FROM attrib.run_log g
           WHERE g.pid = a.pid AND g.started_at >= a.backend_start
           ORDER BY g.started_at DESC
           LIMIT 1) r ON true
     WHERE l.pid IS NOT NULL
$$;
COMMENT ON FUNCTION attrib._run_holder() IS
  'Private: the live backend holding the run lease (pid, run id, stage, run start, application), or NULLs';
