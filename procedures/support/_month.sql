-- attrib._month: the UTC month (its first day) of an event time, the key of
-- partitioning.alias_months. UTC, so the key never depends on the session's
-- TimeZone. Reads turn it back into a time range with attrib._month_start
-- and attrib._month_end.
CREATE OR REPLACE FUNCTION attrib._month(p_ts timestamptz)
RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT date_trunc('month', p_ts AT TIME ZONE 'UTC')::date;
END;
COMMENT ON FUNCTION attrib._month(timestamptz) IS
  'Private: the UTC month (first day) of an event time, as kept in partitioning.alias_months';
