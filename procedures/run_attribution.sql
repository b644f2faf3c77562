-- attrib.run_attribution: the nightly run. Takes the run lock (a second run
-- fails at once with 55P03 naming the running one), marks the log rows of
-- runs whose backend died as failed, and runs the stages in order (ingest,
-- alias, sessionize, signup, attribute, maintain), each its own transaction
-- committed before the next starts, so a failure loses one stage, not the
-- night, and readers of the outputs see the previous complete result until
-- attribute publishes the new one. p_full first empties everything derived
-- (attrib.reset) to rebuild from the source. Every stage is logged in
-- attrib.run_log; a failure is logged, then raised again with its SQLSTATE.
-- Call it on its own, outside a transaction block (autocommit, or pg_cron
-- with exactly this CALL as the command). On a replica it does nothing.
CREATE OR REPLACE PROCEDURE attrib.run_attribution(p_full boolean DEFAULT false)
LANGUAGE plpgsql
AS $$
DECLARE
    v_run_id bigint;
    v_stage  text;
BEGIN
    IF pg_catalog.pg_is_in_recovery() THEN
        RAISE NOTICE 'attrib: this server is a replica; nothing to do';
        RETURN;
    END IF;
    v_run_id := attrib._run_begin();
    COMMIT;
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
