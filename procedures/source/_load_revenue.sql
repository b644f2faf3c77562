-- attrib._load_revenue: reads the relation named by the setting
-- revenue_source (SPEC 10) into attrib.user_revenue (one row per signed-up
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
--     run stops with an error naming the setting and the column.
--   * user_id is cleaned as an event's (attrib.clean_id); a row with a NULL
--     or non-finite amount or occurred_at is ignored.
-- Returns how many rows of the two tables differ from before, so a run can
-- tell its user whether the outputs changed.
CREATE OR REPLACE FUNCTION attrib._load_revenue()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_value  jsonb := (SELECT s.value FROM attrib.settings s WHERE s.name = 'revenue_source');
    v_parts  text[];
    v_rel    regclass;
    v_column text;
    v_type   oid;
    v_types  oid[];
    v_before attrib.revenue_unmatched;
BEGIN
    SELECT u.* INTO v_before FROM attrib.revenue_unmatched u;
    DROP TABLE IF EXISTS pg_temp._revenue_before;
    CREATE TEMP TABLE _revenue_before ON COMMIT DROP AS SELECT r.* FROM attrib.user_revenue r;
    DELETE FROM attrib.user_revenue;
    UPDATE attrib.revenue_unmatched SET rows = 0, amount = 0;
    IF v_value IS NOT NULL AND jsonb_typeof(v_value) <> 'null' THEN
        v_parts := parse_ident(v_value #>> '{}');
        IF cardinality(v_parts) <> 2 THEN
            RAISE EXCEPTION 'setting revenue_source must name a relation as schema.name, not %', v_value
                USING ERRCODE = '22023',
                      HINT = 'UPDATE attrib.settings SET value = ''"billing.revenue"'' WHERE name = ''revenue_source'';';
        END IF;
        -- locked and bound by oid, then checked, then read through v_rel (never by its name again)
        v_rel := attrib._bind_relation(v_parts[1], v_parts[2], 'revenue_source');

        FOREACH v_column IN ARRAY ARRAY['user_id', 'amount', 'occurred_at'] LOOP
            SELECT a.atttypid INTO v_type
              FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = v_rel AND a.attname = v_column AND a.attnum > 0 AND NOT a.attisdropped;
            IF v_type IS NULL THEN
                RAISE EXCEPTION 'relation %.% (setting revenue_source) has no column %', v_parts[1], v_parts[2], v_column
                    USING ERRCODE = '42703',
                          DETAIL = 'A revenue relation needs the columns user_id (text), amount (numeric) and occurred_at (timestamptz).',
                          HINT = format('Name a view that renames its columns, e.g. CREATE VIEW %I.%I_for_attrib AS '
                                        'SELECT customer_id AS user_id, total AS amount, created_at AS occurred_at FROM %I.%I;',
                                        v_parts[1], v_parts[2], v_parts[1], v_parts[2]);
            END IF;
            v_types := CASE v_column
                         WHEN 'amount' THEN ARRAY['int2', 'int4', 'int8', 'numeric', 'float4', 'float8']::regtype[]::oid[]
                         WHEN 'occurred_at' THEN ARRAY['timestamptz', 'timestamp', 'date']::regtype[]::oid[]
                       END;
            IF v_type >= 16384 OR (v_types IS NOT NULL AND v_type <> ALL (v_types)) THEN
                RAISE EXCEPTION 'column % of %.% (setting revenue_source) has type %, which attrib does not read there',
                                v_column, v_parts[1], v_parts[2], format_type(v_type, NULL)
                    USING ERRCODE = '42804',
                          DETAIL = 'user_id: a built-in type; amount: a number (integer, numeric, real, double precision); '
                                   'occurred_at: timestamptz, timestamp (read as UTC) or date.',
                          HINT = format('Cast it in a view, e.g. SELECT ..., %I::%s AS %I FROM %I.%I;', v_column,
                                        CASE v_column WHEN 'amount' THEN 'numeric' WHEN 'occurred_at' THEN 'timestamptz'
                                                      ELSE 'text' END, v_column, v_parts[1], v_parts[2]);
            END IF;
        END LOOP;

        DROP TABLE IF EXISTS pg_temp._revenue_rows;
        EXECUTE format(
            'CREATE TEMP TABLE _revenue_rows ON COMMIT DROP AS '
            'SELECT attrib.clean_id(r.user_id::text) AS user_id, r.amount::numeric AS amount, '
            '       r.occurred_at::timestamptz AS occurred_at '
            '  FROM %s r '
            ' WHERE r.amount IS NOT NULL AND r.occurred_at IS NOT NULL',
            v_rel);
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

        UPDATE attrib.revenue_unmatched u
           SET rows = x.n, amount = x.amount
          FROM (SELECT count(*) AS n, coalesce(sum(r.amount), 0) AS amount
                  FROM pg_temp._revenue_rows r
                 WHERE NOT EXISTS (SELECT FROM sessions.attribution a WHERE a.alias_id = r.user_id)) x;
    END IF;
    RETURN (SELECT count(*) FROM ((TABLE attrib.user_revenue EXCEPT ALL TABLE pg_temp._revenue_before)
                                  UNION ALL
                                  (TABLE pg_temp._revenue_before EXCEPT ALL TABLE attrib.user_revenue)) d)
           + (SELECT count(*) FROM attrib.revenue_unmatched u
               WHERE (u.rows, u.amount) IS DISTINCT FROM (v_before.rows, v_before.amount));
END
$$;
COMMENT ON FUNCTION attrib._load_revenue() IS
  'Private: reads the relation of setting revenue_source into attrib.user_revenue and attrib.revenue_unmatched '
  '(called by attribute); returns how many of their rows changed';
