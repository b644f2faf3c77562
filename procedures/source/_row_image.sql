-- attrib._row_image: a rejected source row as attrib.rejects keeps it, at
-- most 8 KB: Segment's write key is public, so anyone can send rows of any
-- size, and keeping each whole would let them fill the database. A larger
-- image keeps its first 8,000 characters as text, marked as cut.
CREATE OR REPLACE FUNCTION attrib._row_image(p_row jsonb)
RETURNS jsonb
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
             WHEN octet_length(p_row::text) <= 8192 THEN p_row
             ELSE jsonb_build_object('truncated', true, 'bytes', octet_length(p_row::text),
                                     'image', left(p_row::text, 8000))
           END;
END;
COMMENT ON FUNCTION attrib._row_image(jsonb) IS
  'Private: a reject''s row image, cut to 8,000 characters (with a marker) when over 8 KB';
