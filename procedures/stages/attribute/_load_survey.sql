-- attrib._load_survey: reads the relation named by the setting
-- survey_source (definitions §11: user_id, answer, answered_at) into
-- attrib.survey_answers (each signed-up alias's answer) and the count of
-- rows of no signed-up alias (attrib.optional_sources.survey_unmatched),
-- which sessions.survey_vs_first_touch and survey_unmatched read.
-- attrib.attribute calls it after publishing, in the same transaction,
-- like attrib._load_revenue; every run calls it.
--   * attrib._bind_source binds and checks the relation: answered_at a
--     timestamp or date (read as UTC), the rest any built-in type.
--   * user_id is cleaned as an event's (attrib.clean_id); a row of a user id
--     in attrib.forgotten is not read. The answer is trimmed, empty is NULL,
--     and lower-cased (ASCII); rows with a NULL answer are dropped first,
--     and rows with a NULL or non-finite answered_at are ignored.
--   * An alias's answer is that of its row with the largest answered_at
--     (ties: the smallest answer in byte order).
-- Returns how many rows (and the unmatched count) differ from before.
CREATE OR REPLACE FUNCTION attrib._load_survey()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_rel       regclass;
    v_unmatched bigint := 0;
    v_before    bigint := (SELECT o.survey_unmatched FROM attrib.optional_sources o);
    v_changed   bigint := 0;
    v_count     bigint;
BEGIN
    -- the answers are computed aside; only those that differ are written (as _load_revenue does)
    DROP TABLE IF EXISTS pg_temp._survey_new;
    CREATE TEMP TABLE _survey_new (LIKE attrib.survey_answers) ON COMMIT DROP;
    v_rel := attrib._bind_source('survey_source', ARRAY['user_id', 'answer', 'answered_at'],
                                 ARRAY['text', 'text', 'timestamptz'],
                                 'A survey relation needs the columns user_id (text), answer (text) and '
                                 'answered_at (timestamptz, timestamp read as UTC, or date).');
    IF v_rel IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp._survey_rows;
        EXECUTE format(
            'CREATE TEMP TABLE _survey_rows ON COMMIT DROP AS '
            'SELECT x.user_id, x.answer, x.answered_at '
            '  FROM (SELECT attrib.clean_id(r.user_id::text) AS user_id, '
            '               attrib.lower_ascii(nullif(attrib.trim_ascii(r.answer::text), %L)) AS answer, '
            '               r.answered_at::timestamptz AS answered_at '
            '          FROM %s r) x '
            ' WHERE x.answer IS NOT NULL AND x.answered_at IS NOT NULL AND isfinite(x.answered_at)',
            '', v_rel);
        EXECUTE format('DROP VIEW %s', v_rel);  -- read: it must not hold the relation against its owner
        DELETE FROM pg_temp._survey_rows r
         WHERE r.user_id IN (SELECT f.id FROM attrib.forgotten f WHERE f.kind = 'user_id');
        ANALYZE pg_temp._survey_rows;

        INSERT INTO pg_temp._survey_new (alias_id, answer)
        SELECT DISTINCT ON (r.user_id) r.user_id, r.answer
          FROM pg_temp._survey_rows r
          JOIN sessions.attribution a ON a.alias_id = r.user_id
         ORDER BY r.user_id, r.answered_at DESC, r.answer COLLATE "C";

        -- all rows less the matched ones (on Citus a distributed table cannot be read
        -- correlated to a temp table; attribution has one row per alias)
        v_unmatched := (SELECT count(*) FROM pg_temp._survey_rows r)
                       - (SELECT count(*) FROM pg_temp._survey_rows r JOIN sessions.attribution a ON a.alias_id = r.user_id);
    END IF;
    UPDATE attrib.optional_sources o SET survey_unmatched = v_unmatched;
    -- the answers that stay are found by an anti-join, and the new ones skip them by their key
    DELETE FROM attrib.survey_answers o
     WHERE o.alias_id IN (SELECT x.alias_id FROM attrib.survey_answers x
                            LEFT JOIN pg_temp._survey_new n ON n.alias_id = x.alias_id AND n.answer = x.answer
                           WHERE n.alias_id IS NULL);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;
    INSERT INTO attrib.survey_answers (alias_id, answer)
    SELECT n.alias_id, n.answer FROM pg_temp._survey_new n
    ON CONFLICT (alias_id) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_changed + v_count + CASE WHEN v_before IS DISTINCT FROM v_unmatched THEN 1 ELSE 0 END;
END
$$;
COMMENT ON FUNCTION attrib._load_survey() IS
  'Private: reads the relation of setting survey_source into attrib.survey_answers and the unmatched count '
  '(called by attribute); returns how many rows changed';
