-- attrib._domain_match: definitions §5's domain test, shared by own_domains and
-- referral_exclusions: the domains d of the setting p_setting (a JSON
-- array) that p_host equals or ends in '.'+d for, ASCII case ignored, empty
-- entries skipped. '.'+host ends in '.'+d exactly when host is d or ends in
-- '.'+d. attrib._touch_detail asks EXISTS (SELECT FROM ...).
--
-- An inlinable SQL table function (STABLE, not STRICT, no SET; every name
-- schema-qualified). It takes the setting's name, not its value: a
-- sub-select in a call's arguments would stop the inlining, while the one
-- in the body becomes an InitPlan, read once per query.
CREATE OR REPLACE FUNCTION attrib._domain_match(p_host text, p_setting text)
RETURNS SETOF text
LANGUAGE sql
STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT d.domain
      FROM pg_catalog.jsonb_array_elements_text((SELECT attrib.setting(p_setting))) AS d(domain)
     WHERE d.domain <> ''
       AND pg_catalog.right('.' || p_host, pg_catalog.length(d.domain) + 1) = '.' || attrib.lower_ascii(d.domain);
END;

COMMENT ON FUNCTION attrib._domain_match(text, text) IS
  'Private: the domains of a setting (own_domains, referral_exclusions) that the host equals or is a subdomain of';
