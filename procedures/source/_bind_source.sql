-- attrib._bind_source: the checks every optional source (definitions §10, §11:
-- revenue_source, spend_source, survey_source, content_source) goes
-- through before its loader reads it, written once. Returns NULL when the
-- setting is JSON null (the source is not used); else the temporary view
-- attrib._bind_relation bound to the relation (locked, bound by oid, its
-- owner trusted), which the loader reads and then drops.
--   * p_columns are the columns the relation must have; p_kinds says, for
--     each, which built-in types attrib reads there: 'text' any built-in
--     type (read as text), 'number' an integer, numeric, real or double
--     precision, 'timestamptz' a timestamptz, a timestamp (read as UTC) or a
--     date (00:00 UTC), 'date' a date or a timestamp of either kind (its UTC
--     date). A user-defined type (domain, enum, composite) is never read:
--     its cast would run code its owner wrote.
--   * A missing column (42703) or a type it does not read (42804) stops the
--     run with an error naming the relation, the setting and the column;
--     p_detail says what the relation needs, for the error's DETAIL.
CREATE OR REPLACE FUNCTION attrib._bind_source(
    p_setting text,
    p_columns text[],
    p_kinds   text[],
    p_detail  text)
RETURNS regclass
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_value  jsonb := (SELECT s.value FROM attrib.settings s WHERE s.name = p_setting);
    v_parts  text[];
    v_rel    regclass;
    v_type   oid;
    v_types  oid[];
    v_kind   text;
    v_cast   text;
BEGIN
    IF v_value IS NULL OR jsonb_typeof(v_value) = 'null' THEN
        RETURN NULL;
    END IF;
    v_parts := parse_ident(v_value #>> '{}');
    IF cardinality(v_parts) <> 2 THEN
        RAISE EXCEPTION 'setting % must name a relation as schema.name, not %', p_setting, v_value
            USING ERRCODE = '22023',
                  HINT = format('UPDATE attrib.settings SET value = %L WHERE name = %L;',
                                (SELECT r.example::text FROM attrib.setting_rules r WHERE r.name = p_setting), p_setting);
    END IF;
    -- locked and bound by oid, then checked, then read through v_rel (never by its name again)
    v_rel := attrib._bind_relation(v_parts[1], v_parts[2], p_setting);

    FOR i IN 1 .. cardinality(p_columns) LOOP
        v_kind := p_kinds[i];
        v_type := NULL;
        SELECT a.atttypid INTO v_type
          FROM pg_catalog.pg_attribute a
         WHERE a.attrelid = v_rel AND a.attname = p_columns[i] AND a.attnum > 0 AND NOT a.attisdropped;
        IF v_type IS NULL THEN
            RAISE EXCEPTION 'relation %.% (setting %) has no column %', v_parts[1], v_parts[2], p_setting, p_columns[i]
                USING ERRCODE = '42703',
                      DETAIL = p_detail,
                      HINT = format('Name a view that renames its columns, e.g. CREATE VIEW %I.%I_for_attrib AS '
                                    'SELECT ..., some_column AS %I FROM %I.%I;',
                                    v_parts[1], v_parts[2], p_columns[i], v_parts[1], v_parts[2]);
        END IF;
        v_types := CASE v_kind
                     WHEN 'number' THEN ARRAY['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']::regtype[]::oid[]
                     WHEN 'timestamptz' THEN ARRAY['timestamptz', 'timestamp', 'date']::regtype[]::oid[]
                     WHEN 'date' THEN ARRAY['date', 'timestamp', 'timestamptz']::regtype[]::oid[]
                   END;
        IF v_type >= 16384 OR (v_types IS NOT NULL AND v_type <> ALL (v_types)) THEN
            v_cast := CASE v_kind WHEN 'number' THEN 'numeric' WHEN 'timestamptz' THEN 'timestamptz'
                                  WHEN 'date' THEN 'date' ELSE 'text' END;
            RAISE EXCEPTION 'column % of %.% (setting %) has type %, which attrib does not read there',
                            p_columns[i], v_parts[1], v_parts[2], p_setting, format_type(v_type, NULL)
                USING ERRCODE = '42804',
                      DETAIL = p_detail,
                      HINT = format('Cast it in a view, e.g. SELECT ..., %I::%s AS %I FROM %I.%I;',
                                    p_columns[i], v_cast, p_columns[i], v_parts[1], v_parts[2]);
        END IF;
    END LOOP;
    RETURN v_rel;
END
$$;
COMMENT ON FUNCTION attrib._bind_source(text, text[], text[], text) IS
  'Private: binds the relation an optional-source setting names (NULL when the setting is null) and checks '
  'its columns'' built-in types; errors name the setting and the column';
