-- attrib._row_estimate: the planner's estimate of a table's rows, its
-- partitions included (pg_class.reltuples, never analyzed counting 0). On a
-- Citus coordinator a distributed table's own pg_class row holds nothing
-- (its rows are in shards on the workers), so the estimate there is the sum
-- over the workers of their shards' reltuples, read with one query per
-- worker: the counts that attrib._is_few and the maintain stage compare with
-- mean the same on both.
CREATE OR REPLACE FUNCTION attrib._row_estimate(p_table regclass)
RETURNS double precision
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    -- (nested: without Citus there is no pg_dist_partition to plan a query on)
    IF attrib._citus() THEN
        IF EXISTS (SELECT FROM pg_catalog.pg_dist_partition p WHERE p.logicalrelid = p_table AND p.partmethod = 'h') THEN
        RETURN (SELECT coalesce(sum(r.result::double precision), 0)
                  FROM pg_catalog.run_command_on_workers(format(
                       $q$SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)
                            FROM pg_catalog.pg_dist_shard s
                            JOIN pg_catalog.pg_class c
                              ON c.oid = pg_catalog.to_regclass(pg_catalog.shard_name(s.logicalrelid, s.shardid))
                           WHERE s.logicalrelid = %1$L::regclass
                              OR s.logicalrelid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(%1$L::regclass) t
                                                     WHERE t.isleaf)$q$, p_table::text)) r
                 WHERE r.success);
        END IF;
    END IF;
    RETURN (SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)
              FROM pg_catalog.pg_class c
             WHERE c.oid = p_table
                OR c.oid IN (SELECT t.relid FROM pg_catalog.pg_partition_tree(p_table) t WHERE t.isleaf));
END
$$;
COMMENT ON FUNCTION attrib._row_estimate(regclass) IS
  'Private: the estimated rows of a table and its partitions (on Citus, of its shards on the workers)';
