-- attrib._distribute: on a Citus coordinator, makes attrib's tables what
-- attrib._distribution plans (reference tables, per-person tables
-- distributed by alias_id and co-located with partitioning.events, the
-- lookups distributed by a column of their own; the rest stays on the
-- coordinator), lets the owner role reach the workers
-- (attrib._citus_owner_login) and makes every attrib function that can be
-- one a distributed object, so the functions pushed-down statements call
-- (attrib.touch, attrib.url_clean, attrib._month_start, ...) exist on every
-- worker and later deploys replace them there too. Run by `attrib deploy`
-- (as a superuser) when the citus extension is installed; a table already
-- as planned is left alone, so a second deploy does nothing. A table whose
-- kind changed is undistributed first: undistribute_table drops the
-- functions that depend on it, and deploy creates them again
-- (attrib.procedures.apply re-applies a file whose object is missing).
-- Returns what it did, one line per action.
CREATE OR REPLACE FUNCTION attrib._distribute(p_owner text)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_plan   record;
    v_now    record;
    v_group  int;
    v_fn     regprocedure;
    v_triggers boolean;
BEGIN
    IF NOT attrib._citus() THEN
        RETURN;
    END IF;
    -- attrib.settings keeps its guard trigger on its shards (it reads the
    -- reference table attrib.setting_rules, distributed before it)
    PERFORM pg_catalog.set_config('citus.enable_unsafe_triggers', 'on', true);

    FOR v_plan IN SELECT d.* FROM attrib._distribution() d ORDER BY d.ordinal LOOP
        SELECT CASE WHEN p.partmethod = 'h' THEN 'distributed'
                    WHEN p.partmethod = 'n' AND p.repmodel = 't' THEN 'reference' ELSE 'citus local' END AS kind,
               CASE WHEN p.partmethod = 'h' THEN pg_catalog.column_to_column_name(p.logicalrelid, p.partkey) END
                   AS column_name,
               p.colocationid
          INTO v_now
          FROM pg_catalog.pg_dist_partition p
         WHERE p.logicalrelid = v_plan.table_name::regclass;
        v_group := CASE WHEN v_plan.colocate_with IS NOT NULL AND v_plan.colocate_with <> 'none'
                        THEN (SELECT p.colocationid FROM pg_catalog.pg_dist_partition p
                               WHERE p.logicalrelid = v_plan.colocate_with::regclass) END;
        CONTINUE WHEN v_now.kind = v_plan.kind AND v_now.column_name IS NOT DISTINCT FROM v_plan.column_name
                      AND (v_group IS NULL OR v_now.colocationid = v_group);
        IF v_now.kind IS NOT NULL THEN
            PERFORM pg_catalog.undistribute_table(v_plan.table_name::regclass);
            RETURN NEXT format('undistributed %s (was %s)', v_plan.table_name, v_now.kind);
        END IF;
        -- a guard trigger (attrib.settings') must not fire on the rows being copied to the
        -- shards: it reads another Citus table while the copy holds the connections
        v_triggers := EXISTS (SELECT FROM pg_catalog.pg_trigger tg
                               WHERE tg.tgrelid = v_plan.table_name::regclass AND NOT tg.tgisinternal);
        IF v_triggers THEN
            EXECUTE format('ALTER TABLE %s DISABLE TRIGGER USER', v_plan.table_name::regclass);
        END IF;
        IF v_plan.kind = 'reference' THEN
            PERFORM pg_catalog.create_reference_table(v_plan.table_name::regclass);
            RETURN NEXT format('%s: reference table', v_plan.table_name);
        ELSE
            PERFORM pg_catalog.create_distributed_table(v_plan.table_name::regclass, v_plan.column_name,
                                                        colocate_with => v_plan.colocate_with);
            RETURN NEXT format('%s: distributed by %s', v_plan.table_name, v_plan.column_name);
        END IF;
        IF v_triggers THEN
            EXECUTE format('ALTER TABLE %s ENABLE TRIGGER USER', v_plan.table_name::regclass);
        END IF;
    END LOOP;

    -- tables planned for the coordinator that some earlier hand made Citus tables
    FOR v_now IN
        SELECT p.logicalrelid
          FROM pg_catalog.pg_dist_partition p
          JOIN pg_catalog.pg_class c ON c.oid = p.logicalrelid
         WHERE c.relnamespace::regnamespace::text IN ('attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages')
           AND NOT c.relispartition
           AND p.logicalrelid NOT IN (SELECT d.table_name::regclass FROM attrib._distribution() d)
    LOOP
        PERFORM pg_catalog.undistribute_table(v_now.logicalrelid);
        RETURN NEXT format('undistributed %s: it stays on the coordinator', v_now.logicalrelid);
    END LOOP;

    PERFORM attrib._citus_owner_login(p_owner);

    -- the class lookup reads the reference table through a PL/pgSQL function (migrations/sql/0023)
    IF pg_catalog.pg_get_viewdef('attrib._source_classes'::regclass) !~ '_source_class_rows' THEN
        CREATE OR REPLACE VIEW attrib._source_classes AS
        SELECT r.name, r.class FROM attrib._source_class_rows() r;
        RETURN NEXT 'attrib._source_classes reads attrib._source_class_rows()';
    END IF;

    -- Sessionize classifies each landing in one INSERT ... SELECT that calls
    -- attrib.touch LATERAL. Citus pushes an INSERT ... SELECT down to the
    -- co-located shards only when every function in its FROM list is
    -- IMMUTABLE, which it takes to mean "the same rows on every node"; else
    -- it repartitions the rows. That holds for touch: it reads the settings
    -- and the source classes, reference tables with the same rows on every
    -- node. PostgreSQL itself never folds or caches a set-returning
    -- function's rows (and inlines touch either way), so the label changes
    -- nothing else; on PostgreSQL without Citus touch stays STABLE, as its
    -- file declares. A deploy that replaces touch.sql runs this again.
    IF (SELECT p.provolatile FROM pg_catalog.pg_proc p
         WHERE p.oid = 'attrib.touch(text, text, text, text, text)'::regprocedure) <> 'i' THEN
        ALTER FUNCTION attrib.touch(text, text, text, text, text) IMMUTABLE;
        RETURN NEXT 'attrib.touch declared IMMUTABLE: Citus runs sessionize''s classification on each shard';
    END IF;

    -- every function that reads no table left on the coordinator, on every worker
    FOR v_fn IN
        SELECT p.oid::regprocedure
          FROM pg_catalog.pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_object o
                            WHERE o.classid = 'pg_catalog.pg_proc'::regclass AND o.objid = p.oid)
           AND NOT EXISTS (SELECT FROM pg_catalog.pg_depend d
                             JOIN pg_catalog.pg_class c ON c.oid = d.refobjid
                            WHERE d.classid = 'pg_catalog.pg_proc'::regclass AND d.objid = p.oid
                              AND d.refclassid = 'pg_catalog.pg_class'::regclass
                              AND NOT EXISTS (SELECT FROM pg_catalog.pg_dist_partition dp
                                               WHERE dp.logicalrelid = c.oid))
         ORDER BY p.oid
    LOOP
        PERFORM pg_catalog.create_distributed_function(v_fn);
        RETURN NEXT format('function %s on every node', v_fn);
    END LOOP;
END
$$;
COMMENT ON FUNCTION attrib._distribute(text) IS
  'Private: on a Citus coordinator, distributes attrib''s tables as attrib._distribution plans, lets the owner '
  'role reach the workers and puts attrib''s functions on every node; returns what it did';
