-- attrib._url_param_last: private helper of attrib.url_param, reached only
-- when the url holds p_name at all (url_param's cheap exit, inlined). Finds
-- the url's last query parameter named p_name as url_param describes (the
-- reversed query framed by '&'; '=' n '&' a parameter with a value, '&' n
-- '&' one without '=') and returns its decoded value.
--
-- PL/pgSQL for its variables: the framed query is built once and each
-- position found once. As one inlined expression (PostgreSQL shares no
-- common subexpressions) the query was sliced, reversed and searched four
-- times per call: 12.5 microseconds a call then, 6.7 now, on the 61 K page
-- urls of the 1 M bench that hold utm_source (docs/benchmarks.md, round 9).
CREATE OR REPLACE FUNCTION attrib._url_param_last(p_url text, p_name text)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_query      text := split_part(p_url, '#', 1);  -- a fragment is never read
    v_reversed   text;
    v_with_value int;
BEGIN
    v_reversed := '&' || reverse(substr(v_query, nullif(strpos(v_query, '?'), 0) + 1)) || '&';
    -- the first in v_reversed is the url's last parameter named p_name
    v_with_value := strpos(v_reversed, '=' || reverse(p_name) || '&');
    IF v_with_value > 0
       AND NOT strpos(v_reversed, '&' || reverse(p_name) || '&') BETWEEN 1 AND v_with_value THEN
        -- its value reversed: between the '&' before that '=' and the '='
        RETURN attrib.url_decode(reverse(split_part(left(v_reversed, v_with_value - 1), '&', -1)));
    END IF;
    RETURN NULL;  -- none with a value, or the last one has no '=', or no query at all
END
$$;

COMMENT ON FUNCTION attrib._url_param_last(text, text) IS
  'Private helper of attrib.url_param: the decoded value of the url''s last query parameter p_name, NULL when absent, '
  'empty or without = (PL/pgSQL: the query is framed once)';
