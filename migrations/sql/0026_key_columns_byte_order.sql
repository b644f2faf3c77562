-- Revision 0026 up: the id and key columns of attrib's tables in byte order
-- (issue 25). Under a database collation such as en_US.UTF-8 (or even
-- C.UTF-8) every sort and B-tree comparison of an id went through strcoll,
-- without abbreviated keys: the keys of a first load (events, message_index)
-- took 2.9 s to build at 1 M events and 1.8 s in byte order, and
-- sessionize's sort of every event 1.6 s against 0.75 s. The definitions
-- break ties in byte order, so no output changes; a column's own collation
-- beats the database default, so a comparison with a default-collated value
-- (a source column, a parameter) is in byte order too and still uses the
-- column's index.
--
-- Only the collation changes: the rows are not rewritten, each index on a
-- changed column is built again. The views over those columns (the growth
-- reports) block the change, so they are dropped first and made again from
-- their own definitions, with their owner, privileges, options and comments.
-- A Citus install whose tables are already distributed is left as it is:
-- Citus cannot change the type of a distribution column, and keys in two
-- collations would keep the shards from using their indexes. (A fresh Citus
-- install gets them in byte order before attrib deploy distributes them.)
DO $$
DECLARE
    v_distributed oid[] := '{}';
    v_view        record;
    v_col         record;
    v_grant       record;
    v_dropped     boolean := false;  -- the views over the changed columns
BEGIN
    IF pg_catalog.to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL THEN
        EXECUTE 'SELECT coalesce(pg_catalog.array_agg(p.logicalrelid::oid), ''{}'') FROM pg_catalog.pg_dist_partition p'
           INTO v_distributed;
    END IF;
    IF EXISTS (SELECT FROM pg_catalog.pg_class c
                WHERE c.oid = ANY (v_distributed)
                  AND c.relnamespace::pg_catalog.regnamespace::text IN ('attrib', 'partitioning', 'aliasing', 'sessions',
                                                                        'sessions_stages')) THEN
        RAISE NOTICE 'attrib''s tables are distributed by Citus: their id columns keep the database collation';
        RETURN;
    END IF;

    CREATE TEMP TABLE _0026_columns ON COMMIT DROP AS
    SELECT c.oid AS relid, a.attnum, format('%I.%I', n.nspname, c.relname) AS rel, a.attname,
           -- what readers query: the outputs and the tables under a view
           n.nspname = 'sessions'
           OR EXISTS (SELECT FROM pg_catalog.pg_depend d
                       WHERE d.refobjid = c.oid AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
                         AND d.deptype = 'n') AS read
      FROM pg_catalog.pg_attribute a
      JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     WHERE n.nspname IN ('attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages')
       AND c.relkind IN ('r', 'p') AND NOT c.relispartition
       AND a.attnum > 0 AND NOT a.attisdropped AND a.atttypid = 'pg_catalog.text'::pg_catalog.regtype
       AND a.attcollation <> 'pg_catalog."C"'::pg_catalog.regcollation
       AND (a.attname IN ('alias_id', 'anonymous_id', 'user_id', 'message_id', 'first_message_id', 'session_id',
                          'row_hash')
            OR (c.oid = 'attrib.forgotten'::pg_catalog.regclass AND a.attname = 'id'));

    -- every view over a changed column, and the views over those (deepest last)
    CREATE TEMP TABLE _0026_views ON COMMIT DROP AS
    WITH RECURSIVE dependents (view_oid, depth) AS (
        SELECT DISTINCT r.ev_class, 1
          FROM pg_catalog.pg_depend d
          JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
          JOIN _0026_columns k ON k.relid = d.refobjid AND k.attnum = d.refobjsubid
         WHERE d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND r.ev_class <> d.refobjid
        UNION
        SELECT r.ev_class, o.depth + 1
          FROM dependents o
          JOIN pg_catalog.pg_depend d
            ON d.refobjid = o.view_oid AND d.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
          JOIN pg_catalog.pg_rewrite r ON r.oid = d.objid
         WHERE r.ev_class <> o.view_oid
    )
    SELECT format('%I.%I', n.nspname, c.relname) AS name, max(o.depth) AS depth,
           -- what remaking it from its definition would lose
           concat_ws(', ',
               CASE WHEN c.relkind = 'm' THEN 'it is a materialized view (its rows and indexes)' END,
               CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_trigger t WHERE t.tgrelid = c.oid) THEN 'its triggers' END,
               CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_rewrite r WHERE r.ev_class = c.oid AND r.rulename <> '_RETURN')
                    THEN 'its rules' END,
               CASE WHEN EXISTS (SELECT FROM pg_catalog.pg_attrdef ad WHERE ad.adrelid = c.oid)
                    THEN 'its column defaults' END) AS would_lose,
           pg_catalog.pg_get_viewdef(c.oid) AS definition, c.relowner::pg_catalog.regrole::text AS owner,
           c.relacl, c.reloptions, pg_catalog.obj_description(c.oid, 'pg_class') AS comment,
           (SELECT pg_catalog.array_agg(a.attname::text ORDER BY a.attnum)
              FROM pg_catalog.pg_description ds
              JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum = ds.objsubid
             WHERE ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND ds.objsubid > 0) AS commented_columns,
           (SELECT pg_catalog.array_agg(ds.description ORDER BY ds.objsubid)
              FROM pg_catalog.pg_description ds
             WHERE ds.objoid = c.oid AND ds.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
               AND ds.objsubid > 0) AS column_comments
      FROM dependents o
      JOIN pg_catalog.pg_class c ON c.oid = o.view_oid
      JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     GROUP BY n.nspname, c.relname, c.oid;

    SELECT v.name, v.would_lose INTO v_view FROM _0026_views v WHERE v.would_lose <> '' ORDER BY v.name LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'revision 0026 cannot remake the view % over attrib''s ids: %', v_view.name, v_view.would_lose
            USING ERRCODE = '2BP01',
                  DETAIL = 'The revision puts the id columns in byte order (COLLATE "C"); a view over them must be '
                           'dropped and made again from its definition, which would lose that.',
                  HINT = format('Save its definition (pg_get_viewdef(%L::regclass)), drop it, run attrib deploy again, '
                                'then make it again.', v_view.name);
    END IF;

    -- Every table stays locked until the revision commits: the internal ones
    -- (events, the lookups) go first, what readers query last (the views
    -- dropped just before), so a reader of the outputs and the reports waits
    -- for their keys only. One ALTER TABLE per table: an index over two
    -- changed columns (the events' key, the pairs', the sessions') is then
    -- built once, not twice.
    FOR v_col IN SELECT k.rel, k.read,
                        string_agg(format('ALTER COLUMN %I TYPE text COLLATE "C"', k.attname), ', '
                                   ORDER BY k.attnum) AS changes
                   FROM _0026_columns k GROUP BY k.rel, k.read ORDER BY k.read, k.rel LOOP
        IF v_col.read AND NOT v_dropped THEN
            FOR v_view IN SELECT * FROM _0026_views ORDER BY depth DESC, name LOOP
                BEGIN
                    EXECUTE format('DROP VIEW %s', v_view.name);
                EXCEPTION WHEN dependent_objects_still_exist THEN
                    -- a function or a type built on its rows: dropping it would take them along
                    RAISE EXCEPTION 'revision 0026 cannot remake the view % over attrib''s ids: other objects depend on it',
                                    v_view.name
                        USING ERRCODE = '2BP01',
                              DETAIL = 'The revision puts the id columns in byte order (COLLATE "C"); a view over them '
                                       'must be dropped and made again from its definition.',
                              HINT = format('Drop what depends on %s (psql: DROP VIEW %s; lists it), run attrib deploy '
                                            'again, then make them again.', v_view.name, v_view.name);
                END;
            END LOOP;
            v_dropped := true;
        END IF;
        EXECUTE format('ALTER TABLE %s %s', v_col.rel, v_col.changes);
    END LOOP;

    FOR v_view IN SELECT * FROM _0026_views ORDER BY depth, name LOOP
        EXECUTE format('CREATE VIEW %s%s AS %s', v_view.name,
                       CASE WHEN v_view.reloptions IS NOT NULL
                            THEN format(' WITH (%s)', pg_catalog.array_to_string(v_view.reloptions, ', ')) END,
                       v_view.definition);
        EXECUTE format('ALTER VIEW %s OWNER TO %s', v_view.name, v_view.owner);
        -- the privileges it had, and only those (default privileges may have added others)
        FOR v_grant IN
            SELECT DISTINCT g.grantee FROM pg_catalog.pg_class c, pg_catalog.aclexplode(c.relacl) g
             WHERE c.oid = v_view.name::pg_catalog.regclass AND g.grantee <> c.relowner
        LOOP
            EXECUTE format('REVOKE ALL ON %s FROM %s', v_view.name,
                           CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE v_grant.grantee::pg_catalog.regrole::text END);
        END LOOP;
        FOR v_grant IN
            SELECT g.grantee, g.privilege_type, g.is_grantable
              FROM pg_catalog.aclexplode(v_view.relacl) g
             WHERE g.grantee <> v_view.owner::pg_catalog.regrole
        LOOP
            EXECUTE format('GRANT %s ON %s TO %s%s', v_grant.privilege_type, v_view.name,
                           CASE WHEN v_grant.grantee = 0 THEN 'PUBLIC' ELSE v_grant.grantee::pg_catalog.regrole::text END,
                           CASE WHEN v_grant.is_grantable THEN ' WITH GRANT OPTION' ELSE '' END);
        END LOOP;
        EXECUTE format('COMMENT ON VIEW %s IS %L', v_view.name, v_view.comment);
        FOR v_col IN SELECT u.attname, u.description
                       FROM unnest(v_view.commented_columns, v_view.column_comments) u(attname, description)
        LOOP
            EXECUTE format('COMMENT ON COLUMN %s.%I IS %L', v_view.name, v_col.attname, v_col.description);
        END LOOP;
    END LOOP;
END
$$;
