-- attrib.url_param: definitions §2 value of a url's query parameter — the decoded
-- (attrib.url_decode) value of the LAST parameter named p_name, even when
-- that last one is empty (NULL then); NULL when there is none, and for a
-- last parameter without '='.
--   query parameters: the text after the url's first '?' up to its first
--   '#' (a fragment is never read), split on '&'; a name is the raw text
--   before the first '=' (not decoded, case-sensitive), the value all after.
--
-- Called five times per event at ingest, so it is one expression that the
-- planner inlines, with a cheap exit when p_name is not in the url at all
-- (nine urls in ten carry no UTM value). Past it, attrib._url_param_last
-- finds the parameter: R = '&' || reverse(q) || '&' for the query q, where
-- the url's last parameter comes first. With n = reverse(name):
--   '=' n '&' marks a parameter named p_name with a value (n holds no '=',
--             so this '=' is the parameter's first one), its value reversed
--             is the text between the preceding '&' and that '=';
--   '&' n '&' marks one without '='.
-- The first of the two in R is the url's last parameter named p_name. Only
-- strpos, no regular expression, so no quoting of p_name, and linear in the
-- url's length. A name holding '&' or '=' can name no parameter.
CREATE OR REPLACE FUNCTION attrib.url_param(p_url text, p_name text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
      WHEN strpos(p_url, p_name) > 0
       AND strpos(p_name, '&') = 0
       AND strpos(p_name, '=') = 0
        THEN attrib._url_param_last(p_url, p_name)
    END;
END;

COMMENT ON FUNCTION attrib.url_param(text, text) IS
  'Definitions §2: the decoded value of the last query parameter p_name of the url (fragment ignored, name case-sensitive); '
  'NULL when absent, empty or without =';
