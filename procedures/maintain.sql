-- attrib.maintain: stage 6. pg_partman maintenance (premade future months,
-- retention if configured), a check that the default partition is empty,
-- and fresh planner statistics for the partitions and outputs this run wrote.
CREATE OR REPLACE FUNCTION attrib.maintain(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
AS $$
DECLARE
    v_partition text;
    v_stray     bigint;
BEGIN
    rows_read := 0;
    rows_written := 0;
    rows_rejected := 0;
    rows_duplicated := 0;
    PERFORM partman.run_maintenance(p_parent_table => 'partitioning.events', p_analyze => false, p_jobmon => false);

    SELECT sum(cd.count) INTO v_stray FROM partman.check_default(p_exact_count => true) cd
     WHERE cd.default_table = 'partitioning.events_default';
    IF coalesce(v_stray, 0) > 0 THEN
        RAISE EXCEPTION '% rows are in the default partition partitioning.events_default', v_stray
            USING ERRCODE = '55000',
                  DETAIL = 'Events outside every monthly partition are invisible to maintenance and slow every query.',
                  HINT = 'Move them into monthly partitions: SELECT partman.partition_data_time(''partitioning.events'', p_batch_count => 100);';
    END IF;

    FOR v_partition IN
        SELECT DISTINCT format('%I.%I', sp.partition_schema, sp.partition_table)
          FROM jsonb_array_elements_text(coalesce(
                   (SELECT s.value FROM attrib.state s WHERE s.key = 'touched_months'), '[]')) AS m(month)
         CROSS JOIN LATERAL partman.show_partition_name('partitioning.events', m.month) sp
         WHERE sp.table_exists
    LOOP
        EXECUTE format('ANALYZE %s', v_partition);
        rows_written := rows_written + 1;
    END LOOP;
    DELETE FROM attrib.state WHERE key = 'touched_months';
    ANALYZE sessions.all_sessions;
    ANALYZE sessions.attribution;
END
$$;
COMMENT ON FUNCTION attrib.maintain(bigint) IS
  'Stage maintain: pg_partman maintenance, default-partition check, ANALYZE of touched partitions (rows_written = partitions analyzed)';
