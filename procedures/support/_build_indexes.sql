-- attrib._build_indexes: runs the statements attrib._drop_indexes returned,
-- in their order, after a bulk write.
CREATE OR REPLACE FUNCTION attrib._build_indexes(p_statements text[])
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_statement text;
BEGIN
    FOREACH v_statement IN ARRAY p_statements LOOP
        EXECUTE v_statement;
    END LOOP;
END
$$;
COMMENT ON FUNCTION attrib._build_indexes(text[]) IS
  'Private: builds again the indexes attrib._drop_indexes dropped';
