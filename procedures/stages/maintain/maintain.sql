-- attrib.maintain: stage 6. pg_partman maintenance (premade future months;
-- never retention: attrib's owner may only read pg_partman's configuration,
-- and dropping event months would lose what the outputs are computed from),
-- a check that the default partition is empty,
-- and fresh planner statistics for the partitions and outputs this run
-- changed by more than a tenth.
CREATE OR REPLACE FUNCTION attrib.maintain(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
-- UTC and ISO whatever the caller or server uses (definitions §9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_partition text;
    v_stray     bigint;
    v_target    text;
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    PERFORM attrib._check_partman_schema();  -- pg_partman runs below, as the owner
    rows_read := 0;
    rows_written := 0;
    rows_rejected := 0;
    rows_duplicated := 0;
    IF EXISTS (SELECT FROM partman.part_config pc
                WHERE pc.parent_table = 'partitioning.events' AND pc.retention IS NOT NULL) THEN
        RAISE EXCEPTION 'pg_partman retention is set for partitioning.events: attrib does not drop its event partitions'
            USING ERRCODE = '55000',
                  DETAIL = 'Retention would drop months of events that the outputs are computed from, and attrib''s '
                           'owner role may only read pg_partman''s configuration.',
                  HINT = 'As a superuser: UPDATE partman.part_config SET retention = NULL '
                         'WHERE parent_table = ''partitioning.events'';';
    END IF;
    PERFORM partman.run_maintenance(p_parent_table => 'partitioning.events', p_analyze => false, p_jobmon => false);

    SELECT sum(cd.count) INTO v_stray FROM partman.check_default(p_exact_count => true) cd
     WHERE cd.default_table = 'partitioning.events_default';
    IF coalesce(v_stray, 0) > 0 THEN
        RAISE EXCEPTION '% rows are in the default partition partitioning.events_default', v_stray
            USING ERRCODE = '55000',
                  DETAIL = 'Events outside every monthly partition are invisible to maintenance and slow every query.',
                  HINT = 'Move them into monthly partitions: SELECT partman.partition_data_time(''partitioning.events'', p_batch_count => 100);';
    END IF;

    -- Statistics of what this run changed much. Like autovacuum's default
    -- (a tenth of a table), but now, so the next run and the BI queries plan
    -- with them; a one-day increment leaves big tables alone, since
    -- sampling them costs more as they grow. Only the columns that joins and
    -- filters estimate with are sampled: the long texts (urls, referrers,
    -- campaign values, row hashes) were two fifths of the sampling and steer
    -- no plan; autovacuum's own ANALYZE still covers every column.
    -- A sample of 9,000 rows (target 30), not 30,000: these statistics bridge
    -- until autovacuum's full ANALYZE of the new rows, and attrib's joins
    -- need their row counts and distinct ids, not fine histograms. 200 ->
    -- 63 ms per month of the 1 M bench; a 5 M first load's maintain went
    -- 11.6 -> 5.1 s (docs/benchmarks.md, round 9).
    v_target := current_setting('default_statistics_target');
    PERFORM set_config('default_statistics_target', '30', true);
    FOR v_partition IN
        SELECT DISTINCT format('%I.%I', sp.partition_schema, sp.partition_table)
          FROM attrib.months_written m
         CROSS JOIN LATERAL partman.show_partition_name('partitioning.events', m.month::text) sp
         -- (estimates that mean the same on Citus, where the rows are on the workers)
         WHERE sp.table_exists
           AND m.rows > 0.1 * attrib._row_estimate(to_regclass(format('%I.%I', sp.partition_schema, sp.partition_table)))
    LOOP
        EXECUTE format('ANALYZE %s (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id, source_table)',
                       v_partition);
        rows_written := rows_written + 1;
    END LOOP;
    -- the outputs BI reads keep the server's target
    PERFORM set_config('default_statistics_target', v_target, true);
    DELETE FROM attrib.months_written;

    IF (SELECT s.outputs_changed FROM attrib.pipeline_state s)
       > 0.1 * attrib._row_estimate('sessions.all_sessions') THEN
        ANALYZE sessions.all_sessions;
        ANALYZE sessions.attribution;
        UPDATE attrib.pipeline_state SET outputs_changed = 0;
    END IF;
    PERFORM attrib._partman_done();  -- last: the caller gets its own search_path back
END
$$;
COMMENT ON FUNCTION attrib.maintain(bigint) IS
  'Stage maintain: pg_partman maintenance, default-partition check, ANALYZE of touched partitions (rows_written = partitions analyzed)';
