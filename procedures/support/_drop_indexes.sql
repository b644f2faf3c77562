-- attrib._drop_indexes: drops every index of a table (those behind a
-- primary key or unique constraint through the constraint) and returns the
-- statements that build them again as they were: names, definitions,
-- storage parameters and comments (attrib._build_indexes runs them). A
-- bulk write into an emptied table then builds each B-tree once from
-- sorted input instead of inserting every key into it, several times
-- faster for a first load. The caller holds the table exclusively from the
-- drop to the build (it is one transaction), so no one sees it without.
CREATE OR REPLACE FUNCTION attrib._drop_indexes(p_table regclass)
RETURNS text[]
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_index record;
    v_build text[] := '{}';
BEGIN
    FOR v_index IN
        SELECT i.indexrelid::regclass AS index_name, c.oid AS constraint_oid, c.conname,
               obj_description(i.indexrelid, 'pg_class') AS index_comment,
               obj_description(c.oid, 'pg_constraint') AS constraint_comment
          FROM pg_catalog.pg_index i
          LEFT JOIN pg_catalog.pg_constraint c
            ON c.conindid = i.indexrelid AND c.conrelid = i.indrelid AND c.contype IN ('p', 'u')
         WHERE i.indrelid = p_table
         ORDER BY i.indexrelid
    LOOP
        IF v_index.conname IS NOT NULL THEN
            v_build := v_build || format('ALTER TABLE %s ADD CONSTRAINT %I %s', p_table, v_index.conname,
                                         pg_get_constraintdef(v_index.constraint_oid));
            IF v_index.constraint_comment IS NOT NULL THEN
                v_build := v_build || format('COMMENT ON CONSTRAINT %I ON %s IS %L', v_index.conname, p_table,
                                             v_index.constraint_comment);
            END IF;
            EXECUTE format('ALTER TABLE %s DROP CONSTRAINT %I', p_table, v_index.conname);
        ELSE
            v_build := v_build || pg_get_indexdef(v_index.index_name);
            EXECUTE format('DROP INDEX %s', v_index.index_name);
        END IF;
        IF v_index.index_comment IS NOT NULL THEN
            v_build := v_build || format('COMMENT ON INDEX %s IS %L', v_index.index_name, v_index.index_comment);
        END IF;
    END LOOP;
    RETURN v_build;
END
$$;
COMMENT ON FUNCTION attrib._drop_indexes(regclass) IS
  'Private: drops a table''s indexes and returns the statements that build them again as they were';
