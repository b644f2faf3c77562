-- attrib._distribution: where each of attrib's tables lives on Citus
-- (docs/scale-out.md, "The tables"), in the order attrib._distribute makes
-- them so: reference tables first (attrib.setting_rules before
-- attrib.settings, whose guard reads it), then partitioning.events and every
-- per-person table co-located with it by alias_id, then the tables
-- distributed by a column of their own. Every other table of attrib's
-- schemas stays a plain table on the coordinator.
-- tests/py/test_scale_out_rules.py checks this list against its own.
CREATE OR REPLACE FUNCTION attrib._distribution(
    OUT ordinal        int,
    OUT table_name     text,
    OUT kind           text,   -- 'reference' or 'distributed'
    OUT column_name    text,   -- distribution column (NULL for a reference table)
    OUT colocate_with  text)   -- a table, or 'none' for a group of its own
RETURNS SETOF record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT t.ordinal::int, t.table_name, t.kind, t.column_name, t.colocate_with
      FROM (VALUES
        (1, 'attrib.setting_rules', 'reference', NULL, NULL),
        (2, 'attrib.settings', 'reference', NULL, NULL),
        (3, 'attrib.source_classes', 'reference', NULL, NULL),
        (4, 'aliasing.identify_pairs', 'reference', NULL, NULL),
        (5, 'aliasing.known_pairs', 'reference', NULL, NULL),
        (6, 'aliasing.owners', 'reference', NULL, NULL),
        (7, 'sessions_stages.touched_anonymous_ids', 'reference', NULL, NULL),
        (8, 'attrib.forgotten', 'reference', NULL, NULL),
        (9, 'attrib.spend', 'reference', NULL, NULL),
        (20, 'partitioning.events', 'distributed', 'alias_id', 'none'),
        (21, 'partitioning.alias_months', 'distributed', 'alias_id', 'partitioning.events'),
        (22, 'sessions.all_sessions', 'distributed', 'alias_id', 'partitioning.events'),
        (23, 'sessions.useful_sessions', 'distributed', 'alias_id', 'partitioning.events'),
        (24, 'sessions.attribution', 'distributed', 'alias_id', 'partitioning.events'),
        (25, 'sessions.attribution_credit', 'distributed', 'alias_id', 'partitioning.events'),
        (26, 'sessions.user_session_counts', 'distributed', 'alias_id', 'partitioning.events'),
        (27, 'sessions_stages.all_sessions', 'distributed', 'alias_id', 'partitioning.events'),
        (28, 'sessions_stages.useful_sessions', 'distributed', 'alias_id', 'partitioning.events'),
        (29, 'sessions_stages.attribution', 'distributed', 'alias_id', 'partitioning.events'),
        (30, 'sessions_stages.attribution_credit', 'distributed', 'alias_id', 'partitioning.events'),
        (31, 'sessions_stages.user_session_counts', 'distributed', 'alias_id', 'partitioning.events'),
        (32, 'sessions_stages.signups', 'distributed', 'alias_id', 'partitioning.events'),
        (33, 'sessions_stages.dirty_aliases', 'distributed', 'alias_id', 'partitioning.events'),
        (34, 'sessions_stages.changed_identities', 'distributed', 'alias_id', 'partitioning.events'),
        (35, 'attrib.user_revenue', 'distributed', 'alias_id', 'partitioning.events'),
        (36, 'attrib.user_revenue_horizon', 'distributed', 'alias_id', 'partitioning.events'),
        (37, 'attrib.survey_answers', 'distributed', 'alias_id', 'partitioning.events'),
        (38, 'attrib.content_before_signup', 'distributed', 'alias_id', 'partitioning.events'),
        (39, 'sessions_stages.session_bounds', 'distributed', 'alias_id', 'partitioning.events'),
        (40, 'sessions_stages.session_landings', 'distributed', 'alias_id', 'partitioning.events'),
        (50, 'partitioning.message_index', 'distributed', 'message_id', 'none'),
        (51, 'attrib.rejects', 'distributed', 'row_hash', 'none'),
        (52, 'attrib.duplicates', 'distributed', 'row_hash', 'attrib.rejects')
      ) AS t(ordinal, table_name, kind, column_name, colocate_with)
     ORDER BY t.ordinal;
END;
COMMENT ON FUNCTION attrib._distribution() IS
  'Private: the planned Citus distribution of attrib''s tables (docs/scale-out.md), in the order it is made; '
  'tables not listed stay on the coordinator';
