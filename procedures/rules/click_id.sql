-- attrib.click_id: definitions §5 click id — the name of the FIRST query parameter
-- of the url, in url order, that is a key of p_click_ids (the setting
-- paid_click_ids, e.g. {"gclid": "google", "msclkid": "bing"}) and whose
-- decoded value (attrib.url_decode) is not NULL; NULL when there is none.
-- Each parameter counts on its own: in ?gclid=&gclid=abc the second one is
-- the click id. Query parameters as in attrib.url_param: after the first
-- '?', before the first '#', split on '&', name = raw text before the first
-- '='. attrib.click_network maps the name to its ad network.
--
-- PL/pgSQL rather than SQL: the loop over parameters needs a FROM clause
-- in SQL, which is never inlined, and a non-inlined SQL function sets its
-- query up again on every call; PL/pgSQL prepares its expressions once per
-- transaction. attrib.url_decode is inlined into them.
CREATE OR REPLACE FUNCTION attrib.click_id(p_url text, p_click_ids jsonb)
RETURNS text
LANGUAGE plpgsql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_query text;
    v_param text;
    v_eq    int;
BEGIN
    -- the query: after the first '?', before the first '#'
    v_query := split_part(p_url, '#', 1);
    IF v_query IS NULL OR strpos(v_query, '?') = 0 OR p_click_ids IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH v_param IN ARRAY string_to_array(substr(v_query, strpos(v_query, '?') + 1), '&') LOOP
        v_eq := strpos(v_param, '=');
        IF v_eq > 0
           AND p_click_ids ? left(v_param, v_eq - 1)
           AND attrib.url_decode(substr(v_param, v_eq + 1)) IS NOT NULL THEN
            RETURN left(v_param, v_eq - 1);
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

COMMENT ON FUNCTION attrib.click_id(text, jsonb) IS
  'Definitions §5 click id: the first query parameter of the url named by a key of p_click_ids whose decoded value is not NULL; '
  'else NULL';
