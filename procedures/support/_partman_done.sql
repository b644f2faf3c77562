-- attrib._partman_done: the last statement of a stage that called
-- pg_partman. pg_partman 4.7 saves the search_path, sets its own and then
-- restores the saved one at *session* level; inside a function that pins
-- search_path that saved value is the pinned one, and a session-level set
-- outlives the function's SET clause, so the caller would be left with
-- attrib's `pg_catalog, pg_temp` instead of its own path. This sets the
-- session's own default back (its reset value: what the connection started
-- with). It must be the last statement: after it, the rest of the calling
-- function would run on that path (attrib._run_stage_exec pins it again).
CREATE OR REPLACE FUNCTION attrib._partman_done()
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
    SELECT set_config('search_path', s.reset_val, false) FROM pg_settings s WHERE s.name = 'search_path';
END;
COMMENT ON FUNCTION attrib._partman_done() IS
  'Private: gives the session back its own search_path after pg_partman set it at session level';
