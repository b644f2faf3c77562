-- attrib._source_ts: the expression, over the row `s` that
-- attrib._source_expr's columns form, that gives a source timestamp column
-- as timestamptz: the column itself when it is timestamptz (or timestamp,
-- which _source_expr already read as UTC), else its text parsed without
-- stopping the run (NULL when it is not a timestamp). NULL when the table
-- has no such column (p_rel: in ingest, the view attrib._bind_relation
-- bound to the source table). p_row NULL gives the expression over the
-- source table itself (for the WHERE that picks rows by load time).
CREATE OR REPLACE FUNCTION attrib._source_ts(p_rel regclass, p_column text, p_row text DEFAULT 's')
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT CASE
             WHEN a.atttypid IS NULL THEN 'NULL::timestamptz'
             WHEN a.atttypid IN ('timestamptz'::regtype, 'timestamp'::regtype)
               THEN concat(p_row || '.', quote_ident(p_column))
             ELSE format('attrib._timestamptz_or_null(%s%I::text)', p_row || '.', p_column)
           END
      FROM (SELECT 1) one
      LEFT JOIN pg_attribute a
        ON a.attrelid = p_rel
       AND a.attname = p_column AND a.attnum > 0 AND NOT a.attisdropped
$$;
COMMENT ON FUNCTION attrib._source_ts(regclass, text, text) IS
  'Private: expression reading a source timestamp column as timestamptz, NULL where it does not parse';
