-- attrib._settings_guard: the trigger on attrib.settings. A value written
-- (INSERT, UPDATE) must keep its setting's rule (attrib._setting_check); a
-- setting cannot be renamed, deleted or truncated away, since every stage
-- reads every setting. It runs as whoever writes attrib.settings (the
-- deployer or the owner role): it only reads attrib.setting_rules.
-- The trigger is created with its function (CREATE OR REPLACE TRIGGER), so
-- deploying this file again keeps one trigger of each.
CREATE OR REPLACE FUNCTION attrib._settings_guard()
RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE') THEN
        RAISE EXCEPTION 'settings cannot be deleted (%)', CASE WHEN TG_OP = 'DELETE' THEN format('setting "%s"', OLD.name)
                                                              ELSE 'TRUNCATE attrib.settings' END
            USING ERRCODE = '22023',
                  DETAIL = 'Every stage reads every setting; a missing one stops the run.',
                  HINT = 'Change its value instead, e.g. UPDATE attrib.settings SET value = ''"20 minutes"'' WHERE name = ''session_gap'';';
    END IF;
    IF TG_OP = 'UPDATE' AND NEW.name IS DISTINCT FROM OLD.name THEN
        RAISE EXCEPTION 'setting "%" cannot be renamed (to "%")', OLD.name, NEW.name
            USING ERRCODE = '22023',
                  HINT = format('Change its value instead, e.g. UPDATE attrib.settings SET value = ... WHERE name = %L;', OLD.name);
    END IF;
    PERFORM attrib._setting_check(NEW.name, NEW.value);
    RETURN NEW;
END
$$;
COMMENT ON FUNCTION attrib._settings_guard() IS
  'Private: trigger on attrib.settings; refuses a value that breaks its setting''s rule, an unknown name, a rename or a delete';

CREATE OR REPLACE TRIGGER settings_guard
    BEFORE INSERT OR UPDATE OR DELETE ON attrib.settings
    FOR EACH ROW EXECUTE FUNCTION attrib._settings_guard();
CREATE OR REPLACE TRIGGER settings_guard_truncate
    BEFORE TRUNCATE ON attrib.settings
    FOR EACH STATEMENT EXECUTE FUNCTION attrib._settings_guard();
