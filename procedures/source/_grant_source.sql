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
CREATE OR REPLACE FUNCTION attrib._grant_source(p_schema text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_schema text := coalesce(p_schema, attrib.setting_text('source_schema'));
    v_owner  text := (SELECT r.role_name FROM attrib.roles r WHERE r.kind = 'owner');
    v_table  text;
BEGIN
    IF to_regnamespace(quote_ident(v_schema)) IS NULL THEN
        RAISE NOTICE 'attrib: source schema % does not exist yet; grant again once it is loaded', v_schema;
        RETURN;
    END IF;
    EXECUTE format('GRANT USAGE ON SCHEMA %I TO %I', v_schema, v_owner);
    FOREACH v_table IN ARRAY ARRAY['pages', 'tracks', 'identifies'] LOOP
        IF to_regclass(format('%I.%I', v_schema, v_table)) IS NULL THEN
            RAISE NOTICE 'attrib: source table %.% does not exist yet; grant again once it is loaded', v_schema, v_table;
            CONTINUE;
        END IF;
        PERFORM attrib._trusted_relation(v_schema, v_table, 'source_schema');
        EXECUTE format('GRANT SELECT ON %I.%I TO %I', v_schema, v_table, v_owner);
        PERFORM attrib._index_load_time(v_schema, v_table, attrib._source_load_column(v_schema, v_table));
    END LOOP;
END
$$;
COMMENT ON FUNCTION attrib._grant_source(text) IS
  'Private, run by attrib deploy --grant-source: the owner role may read the source tables; load-time BRIN indexes';
