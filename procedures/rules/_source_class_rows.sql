-- attrib._source_class_rows: the rows of attrib.source_classes, read by a
-- PL/pgSQL function. On Citus the view attrib._source_classes (what
-- attrib.source_match reads) selects from it instead of from the reference
-- table, so that the inlined SQL functions of the class lookup bring no
-- Citus table into the caller's query (see migrations/sql/0023); on
-- PostgreSQL nothing calls it.
CREATE OR REPLACE FUNCTION attrib._source_class_rows()
RETURNS TABLE (name text, class text)
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
ROWS 250
AS $$
BEGIN
    RETURN QUERY SELECT c.name, c.class FROM attrib.source_classes c;
END
$$;
COMMENT ON FUNCTION attrib._source_class_rows() IS
  'Private: the rows of attrib.source_classes (what the view attrib._source_classes reads on Citus)';
