-- attrib._run_unlock: releases one level of this backend's run lease, if it
-- holds it (quietly otherwise). The caller commits the release.
CREATE OR REPLACE FUNCTION attrib._run_unlock()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE attrib.run_lease l
       SET depth = l.depth - 1,
           pid = CASE WHEN l.depth > 1 THEN l.pid END,
           backend_start = CASE WHEN l.depth > 1 THEN l.backend_start END,
           taken_at = CASE WHEN l.depth > 1 THEN l.taken_at END
     WHERE l.pid = pg_backend_pid() AND l.depth > 0
$$;
COMMENT ON FUNCTION attrib._run_unlock() IS 'Private: releases one level of this backend''s run lease, if held';
