-- attrib.run_attribution: the nightly run. Takes the run lease (a second
-- run is refused at once: its refusal is logged, then raised as 55P03
-- naming the running one), marks the log rows of runs whose backend died as
-- failed, and runs the stages in order (ingest, alias, sessionize, signup,
-- attribute, maintain), each its own transaction committed before the next
-- starts, so a failure loses one stage, not the night, and readers of the
-- outputs see the previous complete result until attribute publishes the
-- new one. p_full first empties everything derived (attrib.reset) to
-- rebuild from the source. Every stage is logged in attrib.run_log; a
-- failure is logged, then raised again with its SQLSTATE. Call it on its
-- own, outside a transaction block (autocommit, or pg_cron with exactly
-- this CALL as the command). On a replica it does nothing.
--
-- It COMMITs, so it cannot pin search_path and runs as its caller, under
-- the caller's search_path: its body therefore holds only schema-qualified
-- calls and pg_catalog-qualified types, and no operator, so no function,
-- operator or type that someone put on that path can run here. The work is
-- done by SECURITY DEFINER functions of attrib.
CREATE OR REPLACE PROCEDURE attrib.run_attribution(p_full boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    v_run_id pg_catalog.int8;
    v_stage  pg_catalog.text;
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    v_run_id := attrib._run_begin();
    COMMIT;
    IF v_run_id IS NULL THEN
        PERFORM attrib._run_refused();
    END IF;
    IF p_full THEN
        CALL attrib._run_one_stage(v_run_id, 'reset');
    END IF;
    FOREACH v_stage IN ARRAY attrib._run_stages() LOOP
        CALL attrib._run_one_stage(v_run_id, v_stage);
    END LOOP;
    PERFORM attrib._run_unlock();
END
$$;
COMMENT ON PROCEDURE attrib.run_attribution(boolean) IS
  'The whole run: every stage in order, one transaction each, one run at a time (55P03 otherwise), '
  'logged in attrib.run_log; p_full => true rebuilds from the source. CALL it outside a transaction block.';
