-- attrib._url_host_unbounded: definitions §5 host(u) before its two limits
-- (attrib.url_host applies them) — NULL unless u starts with a scheme
-- ([A-Za-z][A-Za-z0-9+.-]*://); else the text after :// up to the first
-- '/', '?' or '#', without userinfo (up to the last '@') and port (':digits'
-- at the end), lower-cased (ASCII), one trailing '.' and then one leading
-- 'www.' removed; empty is NULL. So android-app://com.google.android.gm/
-- has host com.google.android.gm and www.google.com/x (no scheme) has none.
-- One expression (each step applied once, string functions rather than a
-- capturing regex where they do the same): the planner inlines it.
CREATE OR REPLACE FUNCTION attrib._url_host_unbounded(p_url text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT nullif(
             regexp_replace(
               regexp_replace(
                 attrib.lower_ascii(
                   regexp_replace(
                     split_part(
                       CASE WHEN p_url ~ '^[A-Za-z][A-Za-z0-9+.-]*://'
                            -- the first :// is the scheme's (a scheme holds no ':' or '/')
                            THEN split_part(split_part(split_part(substr(p_url, strpos(p_url, '://') + 3),
                                                                  '/', 1), '?', 1), '#', 1)
                       END,
                       '@', -1),
                     ':[0-9]*$', '')),
                 '\.$', ''),
               '^www\.', ''),
             '');
END;

COMMENT ON FUNCTION attrib._url_host_unbounded(text) IS
  'Private: definitions §5 host() before its length limits (attrib.url_host applies them): authority of a url with a '
  'scheme, without userinfo and port, lower-cased, one trailing dot and one leading www. removed; NULL without a '
  'scheme or when empty';
