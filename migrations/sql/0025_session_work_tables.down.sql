-- Revision 0025 down.
DROP TABLE IF EXISTS sessions_stages.session_landings, sessions_stages.session_bounds;
