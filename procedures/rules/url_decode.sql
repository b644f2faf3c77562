-- attrib.url_decode: definitions §2 decoding of a query parameter value.
--   '+' becomes a space; then, when every '%' starts a %XX hex pair and the
--   bytes so decoded are valid UTF-8, the value is decoded, otherwise it is
--   kept as it stands (after the '+' step); decoded NUL bytes (%00) are
--   removed; the result is trimmed (ASCII white space) and empty is NULL.
--
-- Pure SQL, one expression, so the planner inlines it (where the argument
-- is cheap): a value without '%', the common case, costs a replace and a
-- trim. A value with '%' goes to attrib._url_decode_percent (PL/pgSQL),
-- which holds the decoding itself.
CREATE OR REPLACE FUNCTION attrib.url_decode(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
             WHEN strpos(p_value, '%') = 0 THEN nullif(attrib.trim_ascii(replace(p_value, '+', ' ')), '')
             ELSE attrib._url_decode_percent(p_value)
           END;
END;

COMMENT ON FUNCTION attrib.url_decode(text) IS
  'Definitions §2 decoded parameter value: + is a space, %XX decoded when all pairs are valid and the bytes valid UTF-8 '
  '(else kept as written), NUL removed, trimmed, empty is NULL';
