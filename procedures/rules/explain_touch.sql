-- attrib.explain_touch: how attrib computes the touch of a landing url
-- (and referrer): every step of definitions §5 as attrib._touch_detail, the same
-- rules attrib.touch applies, computes it — the hosts, whether the
-- referrer is internal and why, the click id and its network, source,
-- medium and campaign, the class and the name of attrib.source_classes that
-- decided it (matched on the source or on the referrer host), the paid
-- signal, and the channel rule that fired (its number in definitions §5's list and
-- its name). The UTM values come from the url's query parameters as in
-- definitions §2 (the last utm_source=..., decoded; source and medium lower-cased).
-- `attrib sources explain URL --referrer R` prints it.
CREATE OR REPLACE FUNCTION attrib.explain_touch(p_url text, p_referrer text DEFAULT NULL)
RETURNS TABLE (landing_host text, referrer_host text, internal text, click_id text, click_network text,
               utm_source text, utm_medium text, utm_campaign text,
               source text, medium text, campaign text, class_of text, class_name text, class text,
               paid_medium boolean, paid_signal boolean, shop_campaign boolean, rule int, channel text,
               is_paid boolean)
LANGUAGE sql
STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT d.landing_host, d.referrer_host, d.internal, d.click_id, d.click_network,
           u.utm_source, u.utm_medium, u.utm_campaign,
           d.source, d.medium, d.campaign, d.class_of, d.class_name, d.class,
           d.paid_medium, d.paid_signal, d.shop_campaign, d.rule, d.channel, d.is_paid
      FROM (SELECT attrib.lower_ascii(attrib.url_param(p_url, 'utm_source')) AS utm_source,
                   attrib.lower_ascii(attrib.url_param(p_url, 'utm_medium')) AS utm_medium,
                   attrib.url_param(p_url, 'utm_campaign') AS utm_campaign) u
     CROSS JOIN LATERAL attrib._touch_detail(p_url, nullif(p_referrer, ''), u.utm_source, u.utm_medium,
                                             u.utm_campaign) d
$$;

COMMENT ON FUNCTION attrib.explain_touch(text, text) IS
  'Definitions §5 touch of a landing url (UTMs read from it) and referrer, step by step: hosts, internal, click id, source, '
  'medium, campaign, the class and the name that decided it, paid signal, and the channel rule that fired';
