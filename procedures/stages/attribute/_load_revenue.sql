-- attrib._load_revenue: reads the relation named by the setting
-- revenue_source (definitions §10) into attrib.user_revenue (one row per signed-up
-- alias with revenue) and attrib.revenue_unmatched (rows of no signed-up
-- alias), which the sessions.* revenue views read. attrib.attribute calls it
-- right after publishing, in the same transaction, so the revenue matches
-- the outputs it is joined with; every run calls it, because revenue rows
-- change without any event changing.
--   * The relation is the user's: attrib._bind_relation locks it, binds it
--     by oid and refuses a view or an RLS table of an untrusted owner (their
--     code would run as attrib's owner) and a missing one (42P01, naming
--     the setting); it is read only through the view that returns.
--   * Columns user_id, amount and occurred_at must exist with built-in types:
--     amount a number, occurred_at a timestamp or date (a timestamp without
--     zone is read as UTC), user_id anything castable to text; otherwise the
--     run stops with an error naming the setting and the column
--     (attrib._bind_source, shared by every optional source).
--   * user_id is cleaned as an event's (attrib.clean_id); a row with a NULL
--     or non-finite amount or occurred_at is ignored, and so is a row of a
--     user id in attrib.forgotten (definitions §11).
-- Returns how many rows of the two tables differ from before, so a run can
-- tell its user whether the outputs changed.
CREATE OR REPLACE FUNCTION attrib._load_revenue()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_rel     regclass;
    v_before  attrib.revenue_unmatched;
    v_changed bigint := 0;
    v_count   bigint;
BEGIN
    SELECT u.* INTO v_before FROM attrib.revenue_unmatched u;
    -- The new per-alias rows are computed aside, then only the rows that
    -- differ are deleted and inserted: every run reads the source again, but
    -- on a day when revenue did not change nothing is rewritten (and the
    -- count of changed rows falls out of the same statements).
    DROP TABLE IF EXISTS pg_temp._revenue_new;
    CREATE TEMP TABLE _revenue_new (LIKE attrib.user_revenue) ON COMMIT DROP;
    DROP TABLE IF EXISTS pg_temp._revenue_horizon_new;
    CREATE TEMP TABLE _revenue_horizon_new (LIKE attrib.user_revenue_horizon) ON COMMIT DROP;
    UPDATE attrib.revenue_unmatched SET rows = 0, amount = 0;
    v_rel := attrib._bind_source('revenue_source', ARRAY['user_id', 'amount', 'occurred_at'],
                                 ARRAY['text', 'number', 'timestamptz'],
                                 'A revenue relation needs the columns user_id (text), amount (numeric) and '
                                 'occurred_at (timestamptz, timestamp read as UTC, or date).');
    IF v_rel IS NOT NULL THEN
        DROP TABLE IF EXISTS pg_temp._revenue_rows;
        EXECUTE format(
            'CREATE TEMP TABLE _revenue_rows ON COMMIT DROP AS '
            'SELECT attrib.clean_id(r.user_id::text) AS user_id, r.amount::numeric AS amount, '
            '       r.occurred_at::timestamptz AS occurred_at '
            '  FROM %s r '
            ' WHERE r.amount IS NOT NULL AND r.occurred_at IS NOT NULL',
            v_rel);
        -- definitions §11: a forgotten user's rows are not read at all (not even counted as unmatched)
        DELETE FROM pg_temp._revenue_rows r
         WHERE r.user_id IN (SELECT f.id FROM attrib.forgotten f WHERE f.kind = 'user_id');
        EXECUTE format('DROP VIEW %s', v_rel);  -- read: it must not hold the relation against its owner
        -- non-finite amounts and times count as missing
        DELETE FROM pg_temp._revenue_rows r
         WHERE r.amount IN ('NaN'::numeric, 'Infinity'::numeric, '-Infinity'::numeric) OR NOT isfinite(r.occurred_at);
        ANALYZE pg_temp._revenue_rows;

        INSERT INTO pg_temp._revenue_new (alias_id, revenue, orders, first_order_at, last_order_at)
        SELECT r.user_id, sum(r.amount), count(*), min(r.occurred_at), max(r.occurred_at)
          FROM pg_temp._revenue_rows r
          JOIN sessions.attribution a ON a.alias_id = r.user_id
         GROUP BY r.user_id;

        -- definitions §11: the rows before signup + N days (N x 24 h), per horizon; no row when none
        -- (one pass over the rows for the three horizons, then a row per horizon that has any)
        INSERT INTO pg_temp._revenue_horizon_new (alias_id, horizon_days, revenue, orders)
        SELECT g.user_id, h.horizon_days, h.revenue, h.orders
          FROM (SELECT r.user_id,
                       sum(r.amount) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '720 hours') AS r30,
                       count(*) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '720 hours') AS n30,
                       sum(r.amount) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '2160 hours') AS r90,
                       count(*) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '2160 hours') AS n90,
                       sum(r.amount) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '8760 hours') AS r365,
                       count(*) FILTER (WHERE r.occurred_at < a.signup_timestamp + interval '8760 hours') AS n365
                  FROM pg_temp._revenue_rows r
                  JOIN sessions.attribution a ON a.alias_id = r.user_id
                 GROUP BY r.user_id) g
         CROSS JOIN LATERAL (VALUES (30, g.r30, g.n30), (90, g.r90, g.n90), (365, g.r365, g.n365))
               AS h(horizon_days, revenue, orders)
         WHERE h.orders > 0;

        -- the unmatched rows: all of them less the matched ones (attribution has one row per alias;
        -- on Citus a distributed table cannot be read correlated to a temp table)
        UPDATE attrib.revenue_unmatched u
           SET rows = x.n - y.n, amount = x.amount - y.amount
          FROM (SELECT count(*) AS n, coalesce(sum(r.amount), 0) AS amount FROM pg_temp._revenue_rows r) x,
               (SELECT count(*) AS n, coalesce(sum(r.amount), 0) AS amount
                  FROM pg_temp._revenue_rows r JOIN sessions.attribution a ON a.alias_id = r.user_id) y;
    END IF;

    -- a changed row counts twice (the old one out, the new one in), a new or a gone one once;
    -- the rows that stay are found by an anti-join, and the new rows skip them by their key
    -- (on Citus a distributed table cannot be read correlated to a temp table)
    DELETE FROM attrib.user_revenue o
     WHERE o.alias_id IN (SELECT x.alias_id FROM attrib.user_revenue x
                            LEFT JOIN pg_temp._revenue_new n
                              ON n.alias_id = x.alias_id AND n.revenue = x.revenue AND n.orders = x.orders
                             AND n.first_order_at = x.first_order_at AND n.last_order_at = x.last_order_at
                           WHERE n.alias_id IS NULL);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;
    INSERT INTO attrib.user_revenue (alias_id, revenue, orders, first_order_at, last_order_at)
    SELECT n.alias_id, n.revenue, n.orders, n.first_order_at, n.last_order_at
      FROM pg_temp._revenue_new n
    ON CONFLICT (alias_id) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;

    DELETE FROM attrib.user_revenue_horizon o
     WHERE (o.alias_id, o.horizon_days) IN (
           SELECT x.alias_id, x.horizon_days FROM attrib.user_revenue_horizon x
             LEFT JOIN pg_temp._revenue_horizon_new n
               ON n.alias_id = x.alias_id AND n.horizon_days = x.horizon_days
              AND n.revenue = x.revenue AND n.orders = x.orders
            WHERE n.alias_id IS NULL);
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;
    INSERT INTO attrib.user_revenue_horizon (alias_id, horizon_days, revenue, orders)
    SELECT n.alias_id, n.horizon_days, n.revenue, n.orders
      FROM pg_temp._revenue_horizon_new n
    ON CONFLICT (alias_id, horizon_days) DO NOTHING;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    v_changed := v_changed + v_count;

    RETURN v_changed
           + (SELECT count(*) FROM attrib.revenue_unmatched u
               WHERE (u.rows, u.amount) IS DISTINCT FROM (v_before.rows, v_before.amount));
END
$$;
COMMENT ON FUNCTION attrib._load_revenue() IS
  'Private: reads the relation of setting revenue_source into attrib.user_revenue and attrib.revenue_unmatched '
  '(called by attribute); returns how many of their rows changed';
