-- attrib.url_clean: definitions §2 url_clean — the url cut at its first '?' or '#'
-- (no query, no fragment). A single expression: the planner inlines it.
CREATE OR REPLACE FUNCTION attrib.url_clean(p_url text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT split_part(split_part(p_url, '?', 1), '#', 1);
END;

COMMENT ON FUNCTION attrib.url_clean(text) IS
  'Definitions §2 url_clean: the url cut at its first ? or #';
