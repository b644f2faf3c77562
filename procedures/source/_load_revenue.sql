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
    v_rel    regclass;
    v_before attrib.revenue_unmatched;
BEGIN
    SELECT u.* INTO v_before FROM attrib.revenue_unmatched u;
    DROP TABLE IF EXISTS pg_temp._revenue_before;
    CREATE TEMP TABLE _revenue_before ON COMMIT DROP AS SELECT r.* FROM attrib.user_revenue r;
    DROP TABLE IF EXISTS pg_temp._revenue_horizon_before;
    CREATE TEMP TABLE _revenue_horizon_before ON COMMIT DROP AS SELECT h.* FROM attrib.user_revenue_horizon h;
    DELETE FROM attrib.user_revenue;
    DELETE FROM attrib.user_revenue_horizon;
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

        INSERT INTO attrib.user_revenue (alias_id, revenue, orders, first_order_at, last_order_at)
        SELECT r.user_id, sum(r.amount), count(*), min(r.occurred_at), max(r.occurred_at)
          FROM pg_temp._revenue_rows r
          JOIN sessions.attribution a ON a.alias_id = r.user_id
         GROUP BY r.user_id;

        -- definitions §11: the rows before signup + N days (N x 24 h), per horizon; no row when none
        INSERT INTO attrib.user_revenue_horizon (alias_id, horizon_days, revenue, orders)
        SELECT r.user_id, h.horizon_days, sum(r.amount), count(*)
          FROM pg_temp._revenue_rows r
          JOIN sessions.attribution a ON a.alias_id = r.user_id
         CROSS JOIN (VALUES (30), (90), (365)) h(horizon_days)
         WHERE r.occurred_at < a.signup_timestamp + h.horizon_days * interval '24 hours'
         GROUP BY r.user_id, h.horizon_days;

        UPDATE attrib.revenue_unmatched u
           SET rows = x.n, amount = x.amount
          FROM (SELECT count(*) AS n, coalesce(sum(r.amount), 0) AS amount
                  FROM pg_temp._revenue_rows r
                 WHERE NOT EXISTS (SELECT FROM sessions.attribution a WHERE a.alias_id = r.user_id)) x;
    END IF;
    RETURN (SELECT count(*) FROM ((TABLE attrib.user_revenue EXCEPT ALL TABLE pg_temp._revenue_before)
                                  UNION ALL
                                  (TABLE pg_temp._revenue_before EXCEPT ALL TABLE attrib.user_revenue)) d)
           + (SELECT count(*) FROM ((TABLE attrib.user_revenue_horizon EXCEPT ALL TABLE pg_temp._revenue_horizon_before)
                                    UNION ALL
                                    (TABLE pg_temp._revenue_horizon_before EXCEPT ALL TABLE attrib.user_revenue_horizon)) d)
           + (SELECT count(*) FROM attrib.revenue_unmatched u
               WHERE (u.rows, u.amount) IS DISTINCT FROM (v_before.rows, v_before.amount));
END
$$;
COMMENT ON FUNCTION attrib._load_revenue() IS
  'Private: reads the relation of setting revenue_source into attrib.user_revenue and attrib.revenue_unmatched '
  '(called by attribute); returns how many of their rows changed';
