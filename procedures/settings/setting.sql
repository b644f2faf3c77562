-- attrib.setting: one setting's value, or an error that names it.
-- Every stage reads its settings through this so a typo in attrib.settings
-- fails loudly instead of silently using NULL.
CREATE OR REPLACE FUNCTION attrib.setting(p_name text)
RETURNS jsonb
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_value jsonb;
BEGIN
    SELECT s.value INTO v_value FROM attrib.settings s WHERE s.name = p_name;
    IF v_value IS NULL THEN
        RAISE EXCEPTION 'setting "%" is missing from attrib.settings', p_name
            USING ERRCODE = '22023',
                  HINT = 'Deploy again (attrib deploy) to restore the default, or INSERT it into attrib.settings.';
    END IF;
    RETURN v_value;
END
$$;
COMMENT ON FUNCTION attrib.setting(text) IS 'The value (jsonb) of a setting in attrib.settings; raises 22023 when it is missing';
