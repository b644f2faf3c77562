-- attrib.clean_id: definitions §2 ids (id, anonymous_id, user_id) — trimmed; the
-- empty string and the strings SDKs send for "no value" (null, undefined,
-- none, <nil>, in any ASCII case) become NULL. A single expression: the
-- planner inlines it.
--
-- Ingest cleans three ids per source row. Most ids have nothing to trim:
-- their first and last characters are above ASCII 32 (the white space
-- trimmed is at or below it), which ascii() and right() see cheaply; only
-- the others go through trim_ascii, which in a UTF-8 database scans every
-- character and, inlined, runs two or three times per id (about 0.5 s of
-- CPU per million ids, saved).
CREATE OR REPLACE FUNCTION attrib.clean_id(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
             WHEN ascii(p_value) > 32 AND ascii(right(p_value, 1)) > 32
               THEN CASE WHEN octet_length(p_value) <= 9
                          AND attrib.lower_ascii(p_value) IN ('null', 'undefined', 'none', '<nil>')
                         THEN NULL ELSE p_value END
             WHEN octet_length(attrib.trim_ascii(p_value)) <= 9
              AND attrib.lower_ascii(attrib.trim_ascii(p_value))
                  IN ('', 'null', 'undefined', 'none', '<nil>')
               THEN NULL
             ELSE attrib.trim_ascii(p_value)
           END;
END;

COMMENT ON FUNCTION attrib.clean_id(text) IS
  'Definitions §2 id: trimmed; empty, null, undefined, none and <nil> (any ASCII case) are NULL';
