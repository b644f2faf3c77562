-- attrib._month_start: the first instant of a UTC month of
-- partitioning.alias_months. With attrib._month_end it bounds an alias's
-- events of that month; both are inlined plain expressions, so run-time
-- partition pruning still opens the one monthly partition.
CREATE OR REPLACE FUNCTION attrib._month_start(p_month date)
RETURNS timestamptz
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT p_month::timestamp AT TIME ZONE 'UTC';
END;
COMMENT ON FUNCTION attrib._month_start(date) IS
  'Private: first instant of a UTC month (partitioning.alias_months.month); events are >= it';
