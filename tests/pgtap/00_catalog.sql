-- The deployed catalog: schemas, tables, extensions and the attrib functions.
BEGIN;
SELECT plan(13);

SELECT has_extension('pg_partman', 'pg_partman is installed');
SELECT has_schema(s, format('schema %s exists', s))
  FROM unnest(ARRAY['attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages']) AS s;
SELECT tables_are('sessions',
    ARRAY['all_sessions', 'useful_sessions', 'attribution', 'attribution_credit', 'user_session_counts'],
    'sessions holds exactly the published outputs');
SELECT views_are('sessions',
    ARRAY['signups_by_week', 'conversions_by_channel', 'retention_by_first_touch', 'user_revenue',
          'ltv_by_first_touch', 'revenue_by_channel', 'revenue_unmatched',
          'retention_by_signup_day', 'ltv_by_signup_day', 'report_settings',
          'ltv_horizon_by_first_touch', 'cac_by_channel', 'roas_by_channel', 'cac_by_campaign',
          'survey_vs_first_touch', 'survey_unmatched', 'content_before_signup', 'ltv_by_content'],
    'sessions holds exactly the reports, their per-signup-day forms, signups_by_week and report_settings as views');
SELECT is_empty($$SELECT c.relname || '.' || a.attname FROM pg_class c
                    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   WHERE c.relnamespace = 'sessions'::regnamespace AND c.relkind IN ('r', 'v', 'p')
                     AND coalesce(col_description(c.oid, a.attnum), '') = ''$$,
    'every column of every sessions relation has a comment (docs/outputs.md is made from them)');
-- byte order for every id and key (migration 0026): sorts and B-trees compare bytes,
-- and a comparison with a default-collated value still uses the column's index
SELECT is_empty($$SELECT format('%s.%s is %s', c.oid::regclass, a.attname, a.attcollation::regcollation)
                    FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
                   WHERE c.relnamespace::regnamespace::text IN ('attrib', 'partitioning', 'aliasing', 'sessions',
                                                                 'sessions_stages')
                     AND c.relkind IN ('r', 'p') AND a.atttypid = 'text'::regtype
                     AND a.attname IN ('alias_id', 'anonymous_id', 'user_id', 'message_id', 'first_message_id',
                                       'session_id', 'row_hash')
                     AND a.attcollation <> 'pg_catalog."C"'::regcollation$$,
    'every id and key column of attrib''s tables is COLLATE "C"');
SELECT is((SELECT count(*)::int FROM attrib.settings WHERE name IN ('session_gap', 'ingest_overlap',
    'future_tolerance', 'bot_user_agent_pattern', 'paid_medium_pattern', 'paid_click_ids', 'own_domains',
    'referral_exclusions', 'signup_events', 'blog_url_pattern', 'time_decay_half_life', 'source_schema')), 12,
    'every setting has a row');

SELECT functions_are('attrib', ARRAY[
    '_bind_relation', '_bind_source', '_build_indexes', '_check_partman_schema', '_check_settings', '_check_temp_schema',
    '_citus', '_citus_owner_login', '_distribute', '_distribution', '_domain_match', '_drop_indexes', '_drop_indexes_for_bulk', '_grant_privileges', '_grant_source', '_index_load_time',
    '_ingest_collapse', '_ingest_dedupe', '_ingest_pairs', '_ingest_read', '_ingest_reject',
    '_ingest_remember', '_ingest_write', '_is_bulk', '_is_few', '_load_content', '_load_revenue', '_load_spend', '_load_survey', '_month', '_month_end', '_month_start',
    '_outputs_fingerprint', '_partman_done', '_plan_for_few', '_publish', '_raise', '_row_estimate', '_row_image',
    '_is_transient', '_run_begin', '_run_guard', '_run_holder', '_run_lock', '_run_mark_abandoned', '_run_notify',
    '_run_one_stage', '_run_retry_due', '_run_stage_begin', '_run_stage_exec',
    '_run_stage_failed', '_run_stages', '_run_unlock', '_setting_check', '_settings_guard', '_source_class_rows', '_source_expr', '_source_load_column',
    '_source_ts', '_started_by', '_timestamptz_or_null', '_touch_detail', '_touch_rules_version',
    '_trusted_relation', '_url_decode_percent', '_url_host_unbounded', '_url_param_last', 'alias', 'attribute', 'clean_id', 'click_id',
    'click_network', 'explain_touch', 'forget', 'ingest', 'lower_ascii', 'maintain', 'reset',
    'retry_policy', 'run_attribution', 'run_attribution_retry', 'run_begin', 'run_end', 'run_stage', 'sessionize', 'setting', 'setting_interval',
    'setting_text', 'signup', 'source_class', 'source_match', 'touch', 'trim_ascii', 'url_clean',
    'url_decode', 'url_host', 'url_param'],
    'attrib holds exactly the functions and procedures of procedures/');
SELECT is_empty($$SELECT p.proname FROM pg_proc p WHERE p.pronamespace = 'attrib'::regnamespace
                  GROUP BY p.proname HAVING count(*) > 1$$,
    'no function in attrib has a stray overload');

SELECT * FROM finish();
ROLLBACK;
