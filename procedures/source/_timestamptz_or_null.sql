-- attrib._timestamptz_or_null: a text timestamp as PostgreSQL reads it (the
-- stages run with TimeZone UTC and DateStyle ISO, MDY, so a value without a
-- zone is UTC), or NULL when it does not read as one at all. Source columns
-- of text type hold whatever a visitor sent ('not a date'): a cast would
-- stop the run, this lets ingest reject the row as bad_timestamp instead.
CREATE OR REPLACE FUNCTION attrib._timestamptz_or_null(p_value text)
RETURNS timestamptz
LANGUAGE plpgsql STABLE PARALLEL UNSAFE  -- its EXCEPTION block is a subtransaction, which PostgreSQL 15 refuses in parallel mode
SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
    RETURN p_value::timestamptz;
EXCEPTION WHEN data_exception THEN
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION attrib._timestamptz_or_null(text) IS
  'Private: text read as timestamptz (UTC when it names no zone), NULL when it is not a timestamp';
