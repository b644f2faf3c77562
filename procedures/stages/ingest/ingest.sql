-- attrib.ingest: stage 1 (definitions §1, §2, §9). Reads the Segment rows loaded since
-- the last run (by load time: uuid_ts, else received_at; never event time,
-- so late events are not missed), turns them into cleaned events in the
-- monthly partitions of partitioning.events, records every row that cannot
-- be an event in attrib.rejects and every dropped duplicate in
-- attrib.duplicates, and hands new identify pairs and changed events to the
-- alias stage. Re-reading a row (the ingest overlap) changes nothing.
-- Its steps, in order, are the attrib._ingest_* functions beside it; they
-- share the run's work in unlogged tables made for the run and dropped when
-- it ends (sessions_stages.ingest_batch, the rows read; ingest_multi;
-- ingest_contested; ingest_ranked), which parallel workers read, and pg_temp
-- tables (_ingest_existing, ...).
CREATE OR REPLACE FUNCTION attrib.ingest(
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
-- Outputs and row hashes never depend on the caller's or server's zone and
-- formats (definitions §9): a pg_cron run and a CLI run hash a re-read row alike.
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_overlap interval := attrib.setting_interval('ingest_overlap');
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    PERFORM attrib._check_partman_schema();  -- pg_partman runs below, as the owner
    rows_read := attrib._ingest_read(p_run_id);
    PERFORM attrib._ingest_collapse();
    PERFORM attrib._ingest_pairs();
    rows_rejected := attrib._ingest_reject(p_run_id);
    rows_duplicated := attrib._ingest_dedupe(p_run_id);
    rows_written := attrib._ingest_write();
    PERFORM attrib._ingest_remember(v_overlap);
    -- scratch: its space back now, not at the next run
    DROP TABLE sessions_stages.ingest_batch, sessions_stages.ingest_multi, sessions_stages.ingest_contested,
               sessions_stages.ingest_ranked CASCADE;

    IF EXISTS (SELECT 1 FROM partitioning.events_default) THEN
        RAISE EXCEPTION 'rows landed in the default partition partitioning.events_default'
            USING ERRCODE = '55000',
                  DETAIL = 'Every event must fall in a monthly partition; the default one must stay empty.',
                  HINT = 'Run SELECT * FROM partman.check_default(); then move them with partman.partition_data_time(''partitioning.events'').';
    END IF;
    PERFORM attrib._partman_done();  -- last: the caller gets its own search_path back
END
$$;
COMMENT ON FUNCTION attrib.ingest(bigint) IS
  'Stage ingest (definitions §1, §2, §9): newly loaded Segment rows into partitioning.events; rejects and duplicates counted';
