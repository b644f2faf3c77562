-- attrib._bind_relation: the one way attrib reads a relation a setting
-- names (the Segment source tables, revenue_source): lock it, then check
-- it, then read it, in one transaction, with nothing in between that could
-- make its name mean something else.
--
-- A name is looked up again by every statement: while ingest waited for a
-- source table's lock, its owner could rename the table and put a view of
-- its own in its place, or rename the whole schema and create another of
-- the same name, after attrib had checked the table and before it read it.
-- So this creates a temporary view over the relation, `SELECT *` from it:
-- creating it takes the relation's ACCESS SHARE lock (held until the
-- transaction ends; a lock wait looks the name up again afterwards) and
-- records the relation by oid, which no rename changes. The relation the
-- view reads is then checked (attrib._trusted_relation) and the view's
-- regclass returned: callers read through it and look its columns up
-- (same names and types), and drop it before they commit, since it would
-- otherwise hold the source table against its owner's DROP or ALTER.
-- Creating a view over a view runs none of its code. A missing relation
-- is an error (42P01) naming the setting.
CREATE OR REPLACE FUNCTION attrib._bind_relation(p_schema text, p_name text, p_setting text)
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_view  text := left(format('_read_%s_%s', p_setting, p_name), 63);
    v_bound regclass;
BEGIN
    EXECUTE format('DROP VIEW IF EXISTS pg_temp.%I', v_view);
    BEGIN
        EXECUTE format('CREATE TEMP VIEW %I AS SELECT * FROM %I.%I', v_view, p_schema, p_name);
    EXCEPTION WHEN undefined_table OR invalid_schema_name THEN
        RAISE EXCEPTION 'relation %.% named by setting % does not exist', p_schema, p_name, p_setting
            USING ERRCODE = '42P01',
                  HINT = format('Create it, or change the setting: UPDATE attrib.settings SET value = ... WHERE name = %L;',
                                p_setting);
    END;
    -- the one relation the view's rule depends on (by its columns, or as a whole when it has none)
    SELECT DISTINCT d.refobjid::regclass INTO STRICT v_bound
      FROM pg_depend d JOIN pg_rewrite r ON r.oid = d.objid
     WHERE d.classid = 'pg_rewrite'::regclass AND r.ev_class = format('pg_temp.%I', v_view)::regclass
       AND d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class;
    PERFORM attrib._trusted_relation(v_bound, p_setting);
    RETURN format('pg_temp.%I', v_view)::regclass;
END
$$;
COMMENT ON FUNCTION attrib._bind_relation(text, text, text) IS
  'Private: locks the relation a setting names, checks it and returns a temporary view bound to it by oid, '
  'to read it through';
