-- Revision 0009 up: every setting has a rule, and a value that breaks it is
-- refused when written.
--  * attrib.setting_rules: one row per setting name, saying what its value
--    must be (kind, bounds) in words (rule) and with a correct example (for
--    the HINT). attrib._setting_check reads it; the trigger on attrib.settings
--    (procedures/_settings_guard.sql) refuses a name without a rule, so a
--    migration that adds a setting inserts its rule first, in the same
--    migration, with one of the kinds below.
--  * Rules are here too for settings other changes add (max_id_length,
--    oldest_event_ts, referral_exclusions, revenue_source): their rows are
--    inserted by the migrations that add them.
-- A value stored before this revision is not rewritten: `attrib run` checks
-- every setting before the first stage (attrib._check_settings).

CREATE TABLE attrib.setting_rules (
    name          text PRIMARY KEY,
    kind          text NOT NULL CHECK (kind IN ('regex', 'duration', 'text_list', 'text_map', 'name',
                                                'boolean', 'integer', 'timestamptz', 'relation')),
    min_value     text,
    min_exclusive boolean NOT NULL DEFAULT false,
    max_value     text,
    nullable      boolean NOT NULL DEFAULT false,
    rule          text NOT NULL,
    example       jsonb NOT NULL,
    CHECK (min_value IS NULL OR kind IN ('duration', 'integer')),
    CHECK (max_value IS NULL OR kind = 'integer')
);
COMMENT ON TABLE attrib.setting_rules IS
  'What each setting of attrib.settings must hold (kind and bounds, the rule in words, a correct example); '
  'a setting without a rule cannot be written';

INSERT INTO attrib.setting_rules (name, kind, min_value, min_exclusive, max_value, nullable, rule, example) VALUES
  ('source_schema', 'name', NULL, false, NULL, false,
   'a schema name: a non-empty JSON string of at most 63 bytes', '"segment"'),
  ('ingest_overlap', 'duration', '0', false, NULL, false,
   'a duration of zero or more, as a JSON string PostgreSQL reads as an interval', '"1 day"'),
  ('future_tolerance', 'duration', '0', false, NULL, false,
   'a duration of zero or more, as a JSON string PostgreSQL reads as an interval', '"1 day"'),
  ('session_gap', 'duration', '0', true, NULL, false,
   'a duration greater than zero, as a JSON string PostgreSQL reads as an interval', '"20 minutes"'),
  ('time_decay_half_life', 'duration', '0', true, NULL, false,
   'a duration greater than zero, as a JSON string PostgreSQL reads as an interval', '"7 days"'),
  ('bot_user_agent_pattern', 'regex', NULL, false, NULL, false,
   'a regular expression that compiles, as a JSON string', '"bot|crawler|spider"'),
  ('paid_medium_pattern', 'regex', NULL, false, NULL, false,
   'a regular expression that compiles, as a JSON string', '"^(.*cp.*|ppc|retargeting|paid.*)$"'),
  ('blog_url_pattern', 'regex', NULL, false, NULL, false,
   'a regular expression that compiles, as a JSON string', '"^https?://[^/]+/blog/.+"'),
  ('signup_events', 'text_list', NULL, false, NULL, false,
   'a JSON array of non-empty strings', '["signed_up", "Signed Up"]'),
  ('own_domains', 'text_list', NULL, false, NULL, false,
   'a JSON array of non-empty strings', '["example.com", "example.io"]'),
  ('referral_exclusions', 'text_list', NULL, false, NULL, false,
   'a JSON array of non-empty strings', '["checkout.stripe.com", "paypal.com"]'),
  ('paid_click_ids', 'text_map', NULL, false, NULL, false,
   'a JSON object mapping non-empty parameter names to non-empty network names (strings)',
   '{"gclid": "google", "msclkid": "bing"}'),
  ('index_source_load_time', 'boolean', NULL, false, NULL, false,
   'JSON true or false', 'true'),
  ('max_id_length', 'integer', '1', false, '300', false,
   'an integer from 1 to 300 (two ids of 300 four-byte characters still fit one index key)', '255'),
  ('oldest_event_ts', 'timestamptz', NULL, false, NULL, false,
   'a finite timestamp with time zone, as a JSON string', '"2000-01-01 00:00:00+00"'),
  ('revenue_source', 'relation', NULL, false, NULL, true,
   'JSON null, or a JSON string schema.name naming an existing table or view', '"billing.revenue"');
