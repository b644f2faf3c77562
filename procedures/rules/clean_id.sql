-- attrib.clean_id: definitions §2 ids (id, anonymous_id, user_id) — trimmed; the
-- empty string and the strings SDKs send for "no value" (null, undefined,
-- none, <nil>, in any ASCII case) become NULL. A single expression: the
-- planner inlines it.
CREATE OR REPLACE FUNCTION attrib.clean_id(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
             WHEN octet_length(attrib.trim_ascii(p_value)) <= 9
              AND attrib.lower_ascii(attrib.trim_ascii(p_value))
                  IN ('', 'null', 'undefined', 'none', '<nil>')
               THEN NULL
             ELSE attrib.trim_ascii(p_value)
           END;
END;

COMMENT ON FUNCTION attrib.clean_id(text) IS
  'Definitions §2 id: trimmed; empty, null, undefined, none and <nil> (any ASCII case) are NULL';
