-- attrib.setting_text: a scalar setting as text (jsonb string unwrapped).
CREATE OR REPLACE FUNCTION attrib.setting_text(p_name text)
RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT attrib.setting(p_name) #>> '{}';
END;
COMMENT ON FUNCTION attrib.setting_text(text) IS 'A scalar setting of attrib.settings as text';
