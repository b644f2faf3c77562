-- attrib._started_by: who starts a run, as attrib.run_log.started_by records
-- it: 'retry' for the pg_cron retry job (it sets attrib.started_by), else
-- the session's application_name, else the session user.
CREATE OR REPLACE FUNCTION attrib._started_by()
RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT coalesce(nullif(current_setting('attrib.started_by', true), ''),
                    nullif(current_setting('application_name', true), ''),
                    session_user::text);
END;
COMMENT ON FUNCTION attrib._started_by() IS
  'Private: started_by of a run: retry, else application_name, else the session user';
