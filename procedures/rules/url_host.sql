-- attrib.url_host: definitions §5 host(u) — attrib._url_host_unbounded(u) (the
-- host as the text after the scheme spells it), and NULL when that is
-- longer than 253 characters or has a dot-separated label longer than 63:
-- no DNS name is, and a referrer without a host counts as none. The limits
-- also bound what a hostile referrer costs the class lookup downstream
-- (attrib.source_match).
--
-- Almost every url has a '/' within 64 characters after its '://': its
-- authority, and so its host, is then at most 63 characters long and
-- within both limits, and the host is computed once. Only a longer
-- authority (or one with no '/' after it) pays for the checks, which
-- compute the host again: one CASE keeps the function a single expression
-- that the planner inlines (a sub-select would not be).
CREATE OR REPLACE FUNCTION attrib.url_host(p_url text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT CASE
             WHEN pg_catalog.strpos(pg_catalog.substr(p_url, pg_catalog.strpos(p_url, '://') + 3, 64), '/') > 0
               THEN attrib._url_host_unbounded(p_url)
             WHEN pg_catalog.length(attrib._url_host_unbounded(p_url)) <= 253
              AND attrib._url_host_unbounded(p_url) !~ '[^.]{64}'
               THEN attrib._url_host_unbounded(p_url)
           END;
END;

COMMENT ON FUNCTION attrib.url_host(text) IS
  'Definitions §5 host(): authority of a url with a scheme, without userinfo and port, lower-cased, one trailing dot and '
  'one leading www. removed; NULL without a scheme, when empty, longer than 253 characters or with a label longer '
  'than 63';
