-- attrib._month_end: the first instant after a UTC month of
-- partitioning.alias_months (see attrib._month_start).
CREATE OR REPLACE FUNCTION attrib._month_end(p_month date)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT (p_month + interval '1 month') AT TIME ZONE 'UTC';
END;
COMMENT ON FUNCTION attrib._month_end(date) IS
  'Private: first instant after a UTC month (partitioning.alias_months.month); events are < it';
