-- attrib._is_bulk: whether a write of p_rows rows into empty tables goes the
-- bulk way (indexes dropped, then built again after the rows are in). Below
-- ten thousand rows, maintaining the keys row by row costs less than the
-- catalog work of dropping and building them on every partition; the
-- session setting attrib.bulk_min_rows moves that floor (tests set it to 0
-- to take the bulk way with a handful of rows; both ways write the same).
CREATE OR REPLACE FUNCTION attrib._is_bulk(p_rows bigint)
RETURNS boolean
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_rows >= CASE WHEN current_setting('attrib.bulk_min_rows', true) ~ '^[0-9]{1,15}$'
                          THEN current_setting('attrib.bulk_min_rows', true)::bigint
                          ELSE 10000 END
$$;
COMMENT ON FUNCTION attrib._is_bulk(bigint) IS
  'Private: true when p_rows rows are enough for a bulk write (attrib.bulk_min_rows, default 10000)';
