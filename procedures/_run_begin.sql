-- attrib._run_begin: the start of every run and every single-stage call:
-- take the run lock (or fail with 55P03), mark the rows of dead runs failed,
-- and return the run id (a new one unless p_run_id continues a run). On an
-- error after the lock was taken it releases the lock and re-raises.
CREATE OR REPLACE FUNCTION attrib._run_begin(p_run_id bigint DEFAULT NULL)
RETURNS bigint
LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM attrib._run_lock();
    BEGIN
        PERFORM attrib._run_mark_abandoned();
        RETURN coalesce(p_run_id, pg_catalog.nextval('attrib.run_id_seq'));
    EXCEPTION WHEN OTHERS THEN
        PERFORM attrib._run_unlock();
        RAISE;
    END;
END
$$;
COMMENT ON FUNCTION attrib._run_begin(bigint) IS
  'Private: takes the run lock, marks dead runs failed, returns the run id (new unless given)';
