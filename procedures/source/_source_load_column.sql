-- attrib._source_load_column: which column of a Segment table says when a
-- row was loaded (definitions §9): uuid_ts where the table has it, else received_at.
-- Ingest reads by it (p_rel: the view attrib._bind_relation bound to the
-- table) and attrib._grant_source indexes it.
CREATE OR REPLACE FUNCTION attrib._source_load_column(p_rel regclass)
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE WHEN EXISTS (SELECT FROM pg_attribute a
                              WHERE a.attrelid = p_rel
                                AND a.attname = 'uuid_ts' AND a.attnum > 0 AND NOT a.attisdropped)
                THEN 'uuid_ts' ELSE 'received_at' END
$$;
COMMENT ON FUNCTION attrib._source_load_column(regclass) IS
  'Private: the load-time column of a source table, uuid_ts where it exists, else received_at';
