-- attrib._touch_detail: definitions §5 entirely, the one place its rules are
-- written — a touch (a session's landing event) from its landing url,
-- referrer and UTM values (already cleaned and lower-cased as in definitions §2),
-- with every intermediate value: attrib.touch returns the five outputs,
-- attrib.explain_touch all of it ("why is this user Organic Social?").
--
--   host(u): attrib.url_host. The referrer is internal, and counts as no
--   referrer, when its host equals the landing url's host ('landing host'),
--   or equals or ends in '.'+d for a domain d of the setting own_domains
--   ('own_domains') or of the setting referral_exclusions
--   ('referral_exclusions'); internal says which.
--   click id: attrib.click_id over the setting paid_click_ids, mapped to its
--   network.
--   source   = utm_source, else the click id's network, else the
--              referrer's host, else '(direct)'.
--   medium   = utm_medium, else 'cpc' with a click id, else by the class
--              of the referrer host: search 'organic', other 'referral',
--              no (non-internal) referrer host '(none)'.
--   campaign = utm_campaign.
--   paid signal: medium ~* paid_medium_pattern (paid_medium), or a click id.
--   class: attrib.source_match of the source, else of the referrer host
--   (class_of says which, class_name the name that decided).
--   rule: the first of definitions §5's 20 channel rules that holds; channel its
--   name; is_paid for Cross-network, Paid Shopping, Paid Search, Paid
--   Social, Paid Video, Display, Paid Other and Audio.
--
-- Changing what a touch is (a rule, an order, a default)? Bump
-- attrib._touch_rules_version: the outputs' fingerprint holds it, so the
-- next run after the deploy recomputes every alias from stored events.
--
-- Built for one INSERT ... SELECT over every session: an inlinable SQL
-- table function (one SELECT, STABLE, not STRICT, no SET, no SECURITY
-- DEFINER; every name schema-qualified), so the planner expands it, and
-- attrib.touch around it, into the caller's query. Settings are read with
-- attrib.setting (a missing one is an error, not a silent NULL) in
-- uncorrelated sub-selects: InitPlans, evaluated once per query. Each step
-- sits in its own LATERAL sub-select with OFFSET 0 so that a value used
-- several times (a host, the paid signal) is computed once per row rather
-- than copied into every expression that uses it; columns a caller does
-- not read are dropped by the planner. The class lookups are
-- attrib.source_match called LATERAL, inlined in turn.
CREATE OR REPLACE FUNCTION attrib._touch_detail(
    p_landing_url  text,
    p_referrer     text,
    p_utm_source   text,
    p_utm_medium   text,
    p_utm_campaign text)
RETURNS TABLE (landing_host text, referrer_host text, internal text, click_id text, click_network text,
               source text, medium text, campaign text, class_of text, class_name text, class text,
               paid_medium boolean, paid_signal boolean, shop_campaign boolean, rule int, channel text,
               is_paid boolean)
LANGUAGE sql
STABLE
BEGIN ATOMIC
    SELECT h.landing_host, h.referrer_host, r.internal, h.click_id, r.network,
           m.source, m.medium, m.campaign,
           CASE WHEN sc.class IS NOT NULL THEN 'source' WHEN rc.class IS NOT NULL THEN 'referrer' END,
           coalesce(sc.name, rc.name), k.class, k.paid_medium, k.paid, k.shop, ch.rule, ch.channel,
           ch.channel IN ('Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social', 'Paid Video',
                          'Display', 'Paid Other', 'Audio')
      FROM
           -- hosts and click id
           (SELECT attrib.url_host(p_landing_url) AS landing_host,
                   attrib.url_host(p_referrer) AS referrer_host,
                   attrib.click_id(p_landing_url, (SELECT attrib.setting('paid_click_ids'))) AS click_id
            OFFSET 0) h
           -- an internal referrer counts as none
     CROSS JOIN LATERAL
           (SELECT i.internal,
                   CASE WHEN i.internal IS NULL THEN h.referrer_host END AS referrer_host,
                   (SELECT attrib.setting('paid_click_ids')) ->> h.click_id AS network
              FROM (SELECT CASE
                             WHEN h.referrer_host IS NULL THEN NULL
                             WHEN h.referrer_host = h.landing_host THEN 'landing host'
                             WHEN EXISTS (SELECT FROM attrib._domain_match(h.referrer_host, 'own_domains'))
                               THEN 'own_domains'
                             WHEN EXISTS (SELECT FROM attrib._domain_match(h.referrer_host, 'referral_exclusions'))
                               THEN 'referral_exclusions'
                           END AS internal) i
            OFFSET 0) r
           -- class of the referrer host
      LEFT JOIN LATERAL attrib.source_match(r.referrer_host) rc ON true
           -- source, medium, campaign
     CROSS JOIN LATERAL
           (SELECT coalesce(nullif(p_utm_source, ''), r.network, r.referrer_host, '(direct)') AS source,
                   coalesce(nullif(p_utm_medium, ''),
                            CASE
                              WHEN r.network IS NOT NULL THEN 'cpc'
                              WHEN r.referrer_host IS NULL THEN '(none)'
                              WHEN rc.class = 'search' THEN 'organic'
                              ELSE 'referral'
                            END) AS medium,
                   nullif(p_utm_campaign, '') AS campaign,
                   -- the source to classify when it is not the referrer host
                   coalesce(nullif(p_utm_source, ''), r.network) AS named_source
            OFFSET 0) m
           -- class of the source
      LEFT JOIN LATERAL attrib.source_match(m.named_source) sc ON true
           -- what the channel rules read
     CROSS JOIN LATERAL
           (SELECT coalesce(sc.class, rc.class) AS class,
                   attrib.lower_ascii(m.source) AS source,
                   attrib.lower_ascii(m.medium) AS medium,
                   attrib.lower_ascii(m.campaign) AS campaign,
                   p.paid_medium,
                   p.paid_medium OR r.network IS NOT NULL AS paid,
                   coalesce(m.campaign ~* '^(.*(([^a-df-z]|^)shop|shopping).*)$', false) AS shop
              FROM (SELECT coalesce(m.medium ~* (SELECT attrib.setting('paid_medium_pattern') #>> '{}'), false)
                             AS paid_medium) p
            OFFSET 0) k
     CROSS JOIN LATERAL
           (SELECT CASE
                     WHEN k.source = '(direct)' AND k.medium IN ('(none)', '(not set)') THEN 1
                     WHEN pg_catalog.strpos(k.campaign, 'cross-network') > 0 THEN 2
                     WHEN (k.class = 'shopping' OR k.shop) AND k.paid THEN 3
                     WHEN k.class = 'search' AND k.paid THEN 4
                     WHEN k.class = 'social' AND k.paid THEN 5
                     WHEN k.class = 'video' AND k.paid THEN 6
                     WHEN k.medium IN ('display', 'banner', 'expandable', 'interstitial', 'cpm') THEN 7
                     WHEN k.paid THEN 8
                     WHEN k.class = 'shopping' OR k.shop THEN 9
                     WHEN k.class = 'social'
                       OR k.medium IN ('social', 'social-network', 'social-media', 'sm', 'social network', 'social media')
                       THEN 10
                     WHEN k.class = 'video' OR pg_catalog.strpos(k.medium, 'video') > 0 THEN 11
                     WHEN k.class = 'search' OR k.medium = 'organic' THEN 12
                     WHEN k.class = 'ai' THEN 13
                     WHEN k.class = 'email'
                       OR k.source IN ('email', 'e-mail', 'e_mail', 'e mail')
                       OR k.medium IN ('email', 'e-mail', 'e_mail', 'e mail') THEN 14
                     WHEN k.medium IN ('referral', 'app', 'link') THEN 15
                     WHEN k.medium = 'affiliate' THEN 16
                     WHEN k.medium = 'audio' THEN 17
                     WHEN k.source = 'sms' OR k.medium = 'sms' THEN 18
                     WHEN pg_catalog.right(k.medium, 4) = 'push'
                       OR pg_catalog.strpos(k.medium, 'mobile') > 0
                       OR pg_catalog.strpos(k.medium, 'notification') > 0
                       OR k.source = 'firebase' THEN 19
                     ELSE 20
                   END AS rule
            OFFSET 0) n
     CROSS JOIN LATERAL
           (SELECT n.rule,
                   (ARRAY['Direct', 'Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social', 'Paid Video',
                          'Display', 'Paid Other', 'Organic Shopping', 'Organic Social', 'Organic Video',
                          'Organic Search', 'AI Assistants', 'Email', 'Referral', 'Affiliates', 'Audio', 'SMS',
                          'Mobile Push Notifications', 'Unassigned'])[n.rule] AS channel) ch;
END;

COMMENT ON FUNCTION attrib._touch_detail(text, text, text, text, text) IS
  'Private: definitions §5 touch with every step (hosts, internal, click id, source, medium, campaign, class and the name '
  'that decided it, paid signal, the channel rule that fired); attrib.touch and attrib.explain_touch read it';
