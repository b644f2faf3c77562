-- attrib._check_settings: every stored setting against its rule, raising on
-- the first bad one (attrib._setting_check names it). The trigger on
-- attrib.settings refuses bad values when written; this catches a value
-- stored before the trigger existed (an upgraded database), or a relation a
-- setting names that was dropped since. attrib._run_begin calls it, so a
-- run (CALL attrib.run_attribution() or `attrib run`) stops before its
-- first stage rather than halfway.
CREATE OR REPLACE FUNCTION attrib._check_settings()
RETURNS void
LANGUAGE plpgsql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_setting record;
BEGIN
    FOR v_setting IN SELECT s.name, s.value FROM attrib.settings s ORDER BY s.name COLLATE "C" LOOP
        PERFORM attrib._setting_check(v_setting.name, v_setting.value);
    END LOOP;
END
$$;
COMMENT ON FUNCTION attrib._check_settings() IS
  'Private: checks every setting in attrib.settings against its rule; raises 22023 on the first bad one';
