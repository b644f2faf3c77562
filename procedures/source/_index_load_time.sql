-- attrib._index_load_time: makes sure a source table can be read by load
-- time without scanning all of it. Segment's loader appends rows in load
-- order, so a BRIN index on the load-time column is tiny and cheap to keep,
-- and lets each run read only the newly loaded block ranges: the cost of a
-- run then follows new data, not history. Does nothing when any index
-- already starts with that column or the setting index_source_load_time is
-- false; without the right to create it, says so and carries on (scanning).
-- Returns what it did (for attrib deploy to report), NULL when nothing.
CREATE OR REPLACE FUNCTION attrib._index_load_time(p_schema text, p_table text, p_column text)
RETURNS text
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_table regclass := format('%I.%I', p_schema, p_table)::regclass;
BEGIN
    IF NOT (attrib.setting('index_source_load_time'))::text::boolean
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_index i
                    JOIN pg_catalog.pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
                   WHERE i.indrelid = v_table AND a.attname = p_column) THEN
        RETURN NULL;
    END IF;
    BEGIN
        EXECUTE format('CREATE INDEX %I ON %I.%I USING brin (%I)',
                       left(p_table, 40) || '_attrib_load_time', p_schema, p_table, p_column);
    EXCEPTION WHEN insufficient_privilege THEN
        RAISE NOTICE 'attrib: cannot index %.%(%): every run scans the whole table', p_schema, p_table, p_column
            USING HINT = format('As the table owner: CREATE INDEX ON %I.%I USING brin (%I);', p_schema, p_table, p_column);
        RETURN NULL;
    END;
    RETURN format('created a BRIN index on %I.%I(%I) so runs read only new rows', p_schema, p_table, p_column);
END
$$;
COMMENT ON FUNCTION attrib._index_load_time(text, text, text) IS
  'Private: a BRIN index on a source table''s load-time column, unless one exists or index_source_load_time is false; '
  'returns what it did';
