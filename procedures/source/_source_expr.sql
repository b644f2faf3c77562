-- attrib._source_expr: the SELECT expression that reads one column of a
-- Segment source table as it is today: the columns of p_rel, the view
-- attrib._bind_relation bound to the table p_schema.p_table names (the
-- names are for the messages). Segment adds columns as they first
-- appear and may create them with a non-text type, so columns are looked up
-- in the catalog on every run: a present column is cast to the type the
-- pipeline reads, a missing optional one reads as NULL, a missing required
-- one stops the run with an error naming table and column. Timestamp
-- columns are read without casting text (see below).
--
-- A column whose type is not built into PostgreSQL (a domain, composite,
-- enum, range or base type someone created) also stops the run, naming
-- table, column and type (definitions §1): its cast or output function is code the
-- type's owner wrote, and reading the column would run it as attrib's owner.
CREATE OR REPLACE FUNCTION attrib._source_expr(
    p_rel      regclass,
    p_schema   text,
    p_table    text,
    p_column   text,
    p_type     text,
    p_required boolean DEFAULT false)
RETURNS text
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_type oid;
BEGIN
    SELECT a.atttypid INTO v_type
      FROM pg_catalog.pg_attribute a
     WHERE a.attrelid = p_rel
       AND a.attname = p_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF v_type >= 16384 THEN  -- FirstNormalObjectId: every built-in type's oid is below it
        RAISE EXCEPTION 'source column %.%.% has type %, which is not built into PostgreSQL',
                        p_schema, p_table, p_column, v_type::regtype
            USING ERRCODE = '42804',
                  DETAIL = 'attrib reads only columns of built-in types: a user-defined type''s casts and output '
                           'functions are code its owner wrote, and attrib never runs it (definitions §1).',
                  HINT = format('Change the column to a built-in type, e.g. ALTER TABLE %I.%I ALTER COLUMN %I TYPE %s '
                                'USING %I::text; or point source_schema at tables that have one.',
                                p_schema, p_table, p_column, p_type, p_column);
    END IF;
    -- Timestamps: a timestamptz column as it is, a timestamp without time
    -- zone read as UTC (definitions §1), anything else kept as text for
    -- attrib._source_ts to parse, so that a value that is not a timestamp
    -- becomes a bad_timestamp reject instead of stopping the run.
    IF v_type IS NOT NULL AND p_type = 'timestamptz' THEN
        RETURN CASE v_type
                 WHEN 'timestamptz'::regtype THEN format('%I', p_column)
                 WHEN 'timestamp'::regtype THEN format('(%I AT TIME ZONE ''UTC'') AS %I', p_column, p_column)
                 ELSE format('%I::text AS %I', p_column, p_column)
               END;
    END IF;
    IF v_type IS NOT NULL THEN
        RETURN format('%I::%s AS %I', p_column, p_type, p_column);
    END IF;
    IF p_required THEN
        RAISE EXCEPTION 'source table %.% has no column "%"', p_schema, p_table, p_column
            USING ERRCODE = '42703',
                  DETAIL = 'attrib reads this column from every Segment row (definitions §1).',
                  HINT = format('Check that %I.%I is a Segment warehouse table, or set attrib.settings source_schema to the schema that holds it.',
                                p_schema, p_table);
    END IF;
    RETURN format('NULL::%s AS %I', p_type, p_column);
END
$$;
COMMENT ON FUNCTION attrib._source_expr(regclass, text, text, text, text, boolean) IS
  'Private: SELECT expression for a source column (cast, NULL when optional and absent, error when required and absent '
  'or of a type that is not built in)';
