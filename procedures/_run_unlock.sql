-- attrib._run_unlock: releases one level of this session's run lock, if it
-- holds one (quietly: pg_advisory_unlock would warn when it does not).
CREATE OR REPLACE FUNCTION attrib._run_unlock()
RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM attrib._run_holder() h WHERE h.pid = pg_catalog.pg_backend_pid()) THEN
        PERFORM pg_catalog.pg_advisory_unlock(attrib._run_lock_key());
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._run_unlock() IS 'Private: releases one level of this session''s run lock, if held';
