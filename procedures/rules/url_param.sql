-- attrib.url_param: definitions §2 value of a url's query parameter — the decoded
-- (attrib.url_decode) value of the LAST parameter named p_name, even when
-- that last one is empty (NULL then); NULL when there is none, and for a
-- last parameter without '='.
--   query parameters: the text after the url's first '?' up to its first
--   '#' (a fragment is never read), split on '&'; a name is the raw text
--   before the first '=' (not decoded, case-sensitive), the value all after.
--
-- Called five times per event at ingest, so it is one expression that the
-- planner inlines, with a cheap exit when p_name is not in the url at all.
-- Otherwise the query q is reversed and framed by '&': R = '&' || reverse(q)
-- || '&', where the url's last parameter comes first. With n = reverse(name):
--   '=' n '&' marks a parameter named p_name with a value (n holds no '=',
--             so this '=' is the parameter's first one), its value reversed
--             is the text between the preceding '&' and that '=';
--   '&' n '&' marks one without '='.
-- The first of the two in R is the url's last parameter named p_name. Only
-- strpos, no regular expression, so no quoting of p_name; R is rebuilt for
-- each use (an inline expression has no variables), which stays linear in
-- the url's length. A name holding '&' or '=' can name no parameter.
CREATE OR REPLACE FUNCTION attrib.url_param(p_url text, p_name text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
      WHEN strpos(p_url, p_name) > 0
       AND strpos(p_name, '&') = 0
       AND strpos(p_name, '=') = 0
       -- a parameter p_name with a value ...
       AND strpos('&' || reverse(substr(split_part(p_url, '#', 1), nullif(strpos(split_part(p_url, '#', 1), '?'), 0) + 1)) || '&',
                  '=' || reverse(p_name) || '&') > 0
       -- ... that is not followed, later in the url, by one without '='
       AND NOT strpos('&' || reverse(substr(split_part(p_url, '#', 1), nullif(strpos(split_part(p_url, '#', 1), '?'), 0) + 1)) || '&',
                      '&' || reverse(p_name) || '&')
               BETWEEN 1
                   AND strpos('&' || reverse(substr(split_part(p_url, '#', 1), nullif(strpos(split_part(p_url, '#', 1), '?'), 0) + 1)) || '&',
                              '=' || reverse(p_name) || '&')
        THEN attrib.url_decode(reverse(split_part(left(
               '&' || reverse(substr(split_part(p_url, '#', 1), nullif(strpos(split_part(p_url, '#', 1), '?'), 0) + 1)) || '&',
               strpos('&' || reverse(substr(split_part(p_url, '#', 1), nullif(strpos(split_part(p_url, '#', 1), '?'), 0) + 1)) || '&',
                      '=' || reverse(p_name) || '&') - 1),
               '&', -1)))
    END;
END;

COMMENT ON FUNCTION attrib.url_param(text, text) IS
  'Definitions §2: the decoded value of the last query parameter p_name of the url (fragment ignored, name case-sensitive); '
  'NULL when absent, empty or without =';
