-- attrib._run_unlock: releases the run lease if this backend holds it
-- (quietly otherwise). The caller commits the release.
CREATE OR REPLACE FUNCTION attrib._run_unlock()
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
    UPDATE attrib.run_lease l
       SET pid = NULL, backend_start = NULL, taken_at = NULL, run_id = NULL
     WHERE l.pid = pg_backend_pid()
$$;
COMMENT ON FUNCTION attrib._run_unlock() IS 'Private: releases this backend''s run lease, if held';
