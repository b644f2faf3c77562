-- attrib.click_network: the ad network of a url's definitions §5 click id — the
-- value p_click_ids maps attrib.click_id's parameter name to; NULL when
-- the url has no click id. One expression: the planner inlines it.
CREATE OR REPLACE FUNCTION attrib.click_network(p_url text, p_click_ids jsonb)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT p_click_ids ->> attrib.click_id(p_url, p_click_ids)
$$;

COMMENT ON FUNCTION attrib.click_network(text, jsonb) IS
  'Definitions §5 click id: the network mapped in p_click_ids of the first query parameter of the url named by one of its keys '
  'whose decoded value is not NULL; else NULL';
