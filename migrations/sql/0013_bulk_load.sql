-- Revision 0013 up: what a fast first load (issue 16) needs in the schema.
--  * sessions_stages.ingest_agents: the distinct user agents of a load and
--    whether each is a bot. It was a temp table; the batch is now read by
--    parallel workers, which cannot see temp tables. Unlogged: it is rebuilt
--    by every ingest and worth nothing after a crash.
CREATE UNLOGGED TABLE sessions_stages.ingest_agents (
    user_agent text NOT NULL,
    is_bot     boolean NOT NULL
);
COMMENT ON TABLE sessions_stages.ingest_agents IS
  'Ingest work table: the distinct user agents of the current load and whether each matches bot_user_agent_pattern';

--  * sessions_stages.dirty_aliases at fillfactor 50: sessionize marks every
--    row it recomputed (sessionized = true), after a first load every
--    alias; with room left on each page the updates stay heap-only (HOT)
--    instead of adding an index entry per row.
ALTER TABLE sessions_stages.dirty_aliases SET (fillfactor = 50);
