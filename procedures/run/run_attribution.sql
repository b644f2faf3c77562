-- attrib.run_attribution: the nightly run. Begins a run (attrib.run_begin:
-- the run lease, a refused run fails at once with AT055 naming the running
-- one, dead runs' stages marked failed, settings checked), runs its stages
-- in order (ingest, alias, sessionize, signup, attribute, maintain), each
-- its own transaction committed before the next starts, so a failure loses
-- one stage, not the night, and readers of the outputs see the previous
-- complete result until attribute publishes the new one, then ends it
-- (attrib.run_end: the lease released, the run announced on attrib_run).
-- p_full first empties everything derived (reset) to rebuild from the
-- source. A failed stage ends the run, then its error is raised again with
-- its SQLSTATE. Call it on its own, outside a transaction block
-- (autocommit, or pg_cron with exactly this CALL as the command). On a
-- replica it does nothing. `attrib run` goes through the same
-- run_begin / run_stage / run_end, with retries.
--
-- It COMMITs, so it cannot pin search_path and runs as its caller, under
-- the caller's search_path: its body therefore holds only schema-qualified
-- calls and pg_catalog-qualified types, and no operator, so no function,
-- operator or type that someone put on that path can run here. The work is
-- done by SECURITY DEFINER functions of attrib.
CREATE OR REPLACE PROCEDURE attrib.run_attribution(p_full pg_catalog.bool DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    v_run_id pg_catalog.int8;
    v_stages pg_catalog.text[];
    v_stage  pg_catalog.text;
    v_error  pg_catalog.text[];
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    CALL attrib.run_begin(p_full, NULL, NULL, v_run_id, v_stages);
    FOREACH v_stage IN ARRAY v_stages LOOP
        CALL attrib._run_one_stage(v_run_id, v_stage, v_error);
        EXIT WHEN v_error IS NOT NULL;
    END LOOP;
    PERFORM attrib.run_end(v_run_id);
    COMMIT;
    IF v_error IS NOT NULL THEN
        PERFORM attrib._raise(v_error[1], v_error[2], v_error[3], v_error[4]);
    END IF;
END
$$;
COMMENT ON PROCEDURE attrib.run_attribution(boolean) IS
  'The whole run: every stage in order, one transaction each, one run at a time (AT055 otherwise), '
  'logged in attrib.run_log; p_full => true rebuilds from the source. CALL it outside a transaction block.';
