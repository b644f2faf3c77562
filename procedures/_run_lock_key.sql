-- attrib._run_lock_key: the session-level advisory lock that lets one run at
-- a time into a database ('attr' and 'ib_r' in ASCII, as one bigint). In
-- pg_locks it shows as locktype advisory, classid = key >> 32,
-- objid = key & 0xffffffff, objsubid = 1.
CREATE OR REPLACE FUNCTION attrib._run_lock_key()
RETURNS bigint
LANGUAGE sql IMMUTABLE
AS $$
    SELECT (1635021938::bigint << 32) | 1768054642::bigint
$$;
COMMENT ON FUNCTION attrib._run_lock_key() IS 'Private: the advisory lock key of the run lock';
