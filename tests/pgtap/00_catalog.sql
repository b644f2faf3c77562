-- The deployed catalog: schemas, tables, extensions and the attrib functions.
BEGIN;
SELECT plan(8);

SELECT has_extension('pg_partman', 'pg_partman is installed');
SELECT has_schema(s, format('schema %s exists', s))
  FROM unnest(ARRAY['attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages']) AS s;
SELECT tables_are('sessions',
    ARRAY['all_sessions', 'useful_sessions', 'attribution', 'attribution_credit', 'user_session_counts'],
    'sessions holds exactly the published outputs');
SELECT is((SELECT count(*)::int FROM attrib.settings WHERE name IN ('session_gap', 'ingest_overlap',
    'future_tolerance', 'bot_user_agent_pattern', 'paid_medium_pattern', 'paid_click_ids', 'own_domains',
    'signup_events', 'blog_url_pattern', 'time_decay_half_life', 'source_schema')), 11,
    'every SPEC setting has a row');

SELECT * FROM finish();
ROLLBACK;
