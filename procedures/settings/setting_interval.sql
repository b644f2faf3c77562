-- attrib.setting_interval: a duration setting, with an error that says which
-- setting holds a value PostgreSQL cannot read as an interval.
CREATE OR REPLACE FUNCTION attrib.setting_interval(p_name text)
RETURNS interval
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_text text := attrib.setting_text(p_name);
BEGIN
    RETURN v_text::interval;
EXCEPTION WHEN invalid_datetime_format OR datetime_field_overflow THEN
    RAISE EXCEPTION 'setting "%" is not a duration: %', p_name, v_text
        USING ERRCODE = '22023',
              HINT = format('UPDATE attrib.settings SET value = to_jsonb(%L::text) WHERE name = %L;', '20 minutes', p_name);
END
$$;
COMMENT ON FUNCTION attrib.setting_interval(text) IS 'A duration setting of attrib.settings as interval; raises 22023 when unreadable';
