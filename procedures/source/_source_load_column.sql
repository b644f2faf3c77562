-- attrib._source_load_column: which column of a Segment table says when a
-- row was loaded (SPEC 9): uuid_ts where the table has it, else received_at.
-- Ingest reads by it and attrib._grant_source indexes it.
CREATE OR REPLACE FUNCTION attrib._source_load_column(p_schema text, p_table text)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_attribute a
                              WHERE a.attrelid = format('%I.%I', p_schema, p_table)::regclass
                                AND a.attname = 'uuid_ts' AND a.attnum > 0 AND NOT a.attisdropped)
                THEN 'uuid_ts' ELSE 'received_at' END
$$;
COMMENT ON FUNCTION attrib._source_load_column(text, text) IS
  'Private: the load-time column of a source table, uuid_ts where it exists, else received_at';
