-- attrib._grant_source: lets attrib read the Segment tables of a source
-- schema (default: the setting source_schema), as `attrib deploy
-- --grant-source` does. The stages read them as attrib's owner role, so
-- that role gets USAGE on the schema and SELECT on pages, tracks and
-- identifies. While the caller (the deploying user) still has the rights,
-- it also gives each table the BRIN index on its load-time column that
-- ingest would otherwise ask for in vain on every run (the owner role
-- cannot index tables it does not own; without it every increment scans
-- the whole source). Tables that do not exist yet are skipped with a
-- NOTICE; run it again once they are loaded. Columns of types that are not
-- built in are refused before anything is indexed.
--
-- Each table is indexed *before* it is granted on, and never waited for
-- again: CREATE INDEX waits for a VACUUM or ANALYZE of the table (autovacuum
-- right after a load), and that ANALYZE waits for any open transaction that
-- changed the table's pg_class row, as a GRANT does. Granting first made the
-- two wait for each other (a deadlock); in this order nothing waits in a
-- circle. Returns one line per thing it did, nothing when all was in place.
CREATE OR REPLACE FUNCTION attrib._grant_source(p_schema text DEFAULT NULL)
RETURNS SETOF text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_schema text := coalesce(p_schema, attrib.setting_text('source_schema'));
    v_owner  text := (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner');
    v_table  text;
    v_done   text;
BEGIN
    IF to_regnamespace(quote_ident(v_schema)) IS NULL THEN
        RAISE NOTICE 'attrib: source schema % does not exist yet; grant again once it is loaded', v_schema;
        RETURN;
    END IF;
    FOREACH v_table IN ARRAY ARRAY['pages', 'tracks', 'identifies'] LOOP
        IF to_regclass(format('%I.%I', v_schema, v_table)) IS NULL THEN
            RAISE NOTICE 'attrib: source table %.% does not exist yet; grant again once it is loaded', v_schema, v_table;
            CONTINUE;
        END IF;
        PERFORM attrib._trusted_relation(format('%I.%I', v_schema, v_table)::regclass, 'source_schema');
        v_done := attrib._index_load_time(v_schema, v_table,
                                          attrib._source_load_column(format('%I.%I', v_schema, v_table)::regclass));
        IF v_done IS NOT NULL THEN
            RETURN NEXT v_done;
        END IF;
        IF NOT has_schema_privilege(v_owner, v_schema, 'USAGE') THEN
            EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', v_schema, v_owner);
            RETURN NEXT format('granted USAGE on schema %I to %I', v_schema, v_owner);
        END IF;
        IF NOT has_table_privilege(v_owner, format('%I.%I', v_schema, v_table), 'SELECT') THEN
            EXECUTE format('GRANT SELECT ON %I.%I TO %I', v_schema, v_table, v_owner);
            RETURN NEXT format('granted SELECT on %I.%I to %I', v_schema, v_table, v_owner);
        END IF;
    END LOOP;
END
$$;
COMMENT ON FUNCTION attrib._grant_source(text) IS
  'Private, run by attrib deploy --grant-source: load-time BRIN indexes, then the owner role may read the source '
  'tables; returns what it did';
