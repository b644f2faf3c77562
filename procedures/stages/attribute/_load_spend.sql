-- attrib._load_spend: reads the relation named by the setting spend_source
-- (definitions §11: day, source, medium, campaign, amount) into attrib.spend, which
-- the sessions.* CAC and ROAS views read, and records in
-- attrib.optional_sources whether a spend source was read (those views are
-- empty without one). attrib.attribute calls it after publishing, in the
-- same transaction, like attrib._load_revenue; every run calls it, because
-- spend changes without any event changing.
--   * attrib._bind_source binds and checks the relation: day a date or
--     timestamp (its UTC date), amount a number, the rest any built-in type.
--   * Text is trimmed and empty is NULL; source and medium are lower-cased
--     (ASCII), a NULL one reads as '(not set)'. Identical rows add up; a row
--     with a NULL or non-finite day or amount is ignored.
--   * A row's channel is definitions §5's, from attrib.touch with no url and no
--     referrer (so no click id, and the class from source alone): the rules
--     are written once, there.
-- Returns how many rows of attrib.spend (and the flag) differ from before.
CREATE OR REPLACE FUNCTION attrib._load_spend()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_rel    regclass;
    v_before  boolean := (SELECT o.spend_read FROM attrib.optional_sources o);
    v_changed bigint;
    v_count   bigint;
BEGIN
    -- the rows are computed aside; only those that differ are written (as _load_revenue does)
    DROP TABLE IF EXISTS pg_temp._spend_new;
    CREATE TEMP TABLE _spend_new (LIKE attrib.spend) ON COMMIT DROP;
    v_rel := attrib._bind_source('spend_source', ARRAY['day', 'source', 'medium', 'campaign', 'amount'],
                                 ARRAY['date', 'text', 'text', 'text', 'number'],
                                 'A spend relation needs the columns day (date), source, medium, campaign (text) '
                                 'and amount (numeric).');
    IF v_rel IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp._spend_rows;
        EXECUTE format(
            'CREATE TEMP TABLE _spend_rows ON COMMIT DROP AS '
            'SELECT r.day::date AS day, '
            '       coalesce(attrib.lower_ascii(nullif(attrib.trim_ascii(r.source::text), %L)), %L) AS source, '
            '       coalesce(attrib.lower_ascii(nullif(attrib.trim_ascii(r.medium::text), %L)), %L) AS medium, '
            '       nullif(attrib.trim_ascii(r.campaign::text), %L) AS campaign, '
            '       r.amount::numeric AS amount '
            '  FROM %s r '
            ' WHERE r.day IS NOT NULL AND r.amount IS NOT NULL',
            '', '(not set)', '', '(not set)', '', v_rel);
        EXECUTE format('DROP VIEW %s', v_rel);  -- read: it must not hold the relation against its owner
        DELETE FROM pg_temp._spend_rows r
         WHERE r.amount IN ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric) OR NOT isfinite(r.day);

        INSERT INTO pg_temp._spend_new (day, source, medium, campaign, channel, amount)
        SELECT g.day, g.source, g.medium, g.campaign, t.channel, g.amount
          FROM (SELECT r.day, r.source, r.medium, r.campaign, sum(r.amount) AS amount
                  FROM pg_temp._spend_rows r
                 GROUP BY r.day, r.source, r.medium, r.campaign) g
         CROSS JOIN LATERAL attrib.touch(NULL, NULL, g.source, g.medium, g.campaign) t;
    END IF;
    UPDATE attrib.optional_sources o SET spend_read = (v_rel IS NOT NULL);
    -- one row per (day, source, medium, campaign), campaign possibly NULL: matched NULL-safely.
    -- The rows that stay are found by an anti-join, and the new rows skip them by their key
    -- (on Citus a reference table cannot be changed correlated to a temp table).
    DELETE FROM attrib.spend o
     WHERE (o.day, o.source, o.medium, o.campaign IS NULL, coalesce(o.campaign, '')) IN (
           SELECT x.day, x.source, x.medium, x.campaign IS NULL, coalesce(x.campaign, '')
             FROM attrib.spend x
             LEFT JOIN pg_temp._spend_new n
               ON n.day = x.day AND n.source = x.source AND n.medium = x.medium
              AND n.campaign IS NOT DISTINCT FROM x.campaign
              AND n.channel = x.channel AND n.amount = x.amount
            WHERE n.day IS NULL);
    GET DIAGNOSTICS v_changed = ROW_COUNT;
    INSERT INTO attrib.spend (day, source, medium, campaign, channel, amount)
    SELECT n.day, n.source, n.medium, n.campaign, n.channel, n.amount
      FROM pg_temp._spend_new n
    ON CONFLICT (day, source, medium, campaign) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    RETURN v_changed + v_count + CASE WHEN v_before IS DISTINCT FROM (v_rel IS NOT NULL) THEN 1 ELSE 0 END;
END
$$;
COMMENT ON FUNCTION attrib._load_spend() IS
  'Private: reads the relation of setting spend_source into attrib.spend, with each row''s definitions §5 channel '
  '(called by attribute); returns how many rows changed';
