-- attrib.touch: SPEC 5 entirely — the source, medium, campaign, channel and
-- paid flag of a touch (a session's landing event), from its landing url,
-- referrer and UTM values (already cleaned and lower-cased as in SPEC 2).
--
--   host(u): attrib.url_host. The referrer is internal, and counts as no
--   referrer, when its host equals the landing url's host, or equals or
--   ends in '.'+d for a domain d of the setting own_domains.
--   click id: attrib.click_network over the setting paid_click_ids.
--   source   = utm_source, else the click id's network, else the
--              referrer's host, else '(direct)'.
--   medium   = utm_medium, else 'cpc' with a click id, else by the class
--              of the referrer host: search 'organic', other 'referral',
--              no (non-internal) referrer host '(none)'.
--   campaign = utm_campaign.
--   paid signal: medium ~* paid_medium_pattern, or a click id.
--   class: of source (attrib.source_class's rule), else of the referrer
--   host; then GA4's channel rules in SPEC order; is_paid = Paid Search,
--   Paid Social, Display or Paid Other.
--
-- Built for one INSERT ... SELECT over every session: an inlinable SQL
-- table function (one SELECT, STABLE, not STRICT, no SET, no SECURITY
-- DEFINER), so the planner expands it into the caller's query. Settings are
-- read with attrib.setting (a missing one is an error, not a silent NULL)
-- in uncorrelated sub-selects: InitPlans, evaluated once per query. Each
-- step sits in its own LATERAL sub-select with OFFSET 0 so that a value
-- used several times (a host, the paid signal) is computed once per row
-- rather than copied into every expression that uses it. The class lookup
-- is attrib.source_class's query written inline as a lateral join, which
-- the planner can run with one shared hash of attrib.source_classes (or
-- memoize per host) instead of one function call per row;
-- tests/pgtap/11_source_class.sql checks the two agree.
CREATE OR REPLACE FUNCTION attrib.touch(
    p_landing_url  text,
    p_referrer     text,
    p_utm_source   text,
    p_utm_medium   text,
    p_utm_campaign text)
RETURNS TABLE (source text, medium text, campaign text, channel text, is_paid boolean)
LANGUAGE sql
STABLE
BEGIN ATOMIC
    SELECT m.source, m.medium, m.campaign, ch.channel,
           ch.channel IN ('Paid Search', 'Paid Social', 'Display', 'Paid Other')
      FROM
           -- hosts and click id
           (SELECT attrib.url_host(p_landing_url) AS landing_host,
                   attrib.url_host(p_referrer) AS referrer_host,
                   attrib.click_network(p_landing_url, (SELECT attrib.setting('paid_click_ids'))) AS network
            OFFSET 0) h
           -- an internal referrer counts as none
     CROSS JOIN LATERAL
           (SELECT CASE
                     WHEN h.referrer_host = h.landing_host
                       OR EXISTS (SELECT
                                    FROM jsonb_array_elements_text((SELECT attrib.setting('own_domains'))) AS d(domain)
                                   WHERE d.domain <> ''
                                     AND (h.referrer_host = attrib.lower_ascii(d.domain)
                                          OR right(h.referrer_host, length(d.domain) + 1) = '.' || attrib.lower_ascii(d.domain)))
                       THEN NULL
                     ELSE h.referrer_host
                   END AS referrer_host
            OFFSET 0) r
           -- class of the referrer host (attrib.source_class inline)
      LEFT JOIN LATERAL
           (SELECT c.class
              FROM (SELECT string_to_array(r.referrer_host, '.') AS labels) v
             CROSS JOIN LATERAL unnest(v.labels) WITH ORDINALITY AS i(label, first_label)
             CROSS JOIN LATERAL unnest(v.labels[i.first_label:]) WITH ORDINALITY AS j(label, label_count)
              JOIN attrib.source_classes c
                ON c.name = array_to_string(v.labels[i.first_label:i.first_label + j.label_count - 1], '.')
             ORDER BY j.label_count DESC, array_position(ARRAY['search', 'social', 'email', 'ai'], c.class)
             LIMIT 1) rc ON true
           -- source, medium, campaign
     CROSS JOIN LATERAL
           (SELECT coalesce(nullif(p_utm_source, ''), h.network, r.referrer_host, '(direct)') AS source,
                   coalesce(nullif(p_utm_medium, ''),
                            CASE
                              WHEN h.network IS NOT NULL THEN 'cpc'
                              WHEN r.referrer_host IS NULL THEN '(none)'
                              WHEN rc.class = 'search' THEN 'organic'
                              ELSE 'referral'
                            END) AS medium,
                   nullif(p_utm_campaign, '') AS campaign,
                   -- the source to classify when it is not the referrer host
                   coalesce(nullif(p_utm_source, ''), h.network) AS named_source
            OFFSET 0) m
           -- class of the source (attrib.source_class inline)
      LEFT JOIN LATERAL
           (SELECT c.class
              FROM (SELECT string_to_array(attrib.lower_ascii(m.named_source), '.') AS labels) v
             CROSS JOIN LATERAL unnest(v.labels) WITH ORDINALITY AS i(label, first_label)
             CROSS JOIN LATERAL unnest(v.labels[i.first_label:]) WITH ORDINALITY AS j(label, label_count)
              JOIN attrib.source_classes c
                ON c.name = array_to_string(v.labels[i.first_label:i.first_label + j.label_count - 1], '.')
             ORDER BY j.label_count DESC, array_position(ARRAY['search', 'social', 'email', 'ai'], c.class)
             LIMIT 1) sc ON true
           -- what the channel rules read
     CROSS JOIN LATERAL
           (SELECT coalesce(sc.class, rc.class) AS class,
                   attrib.lower_ascii(m.source) AS source,
                   attrib.lower_ascii(m.medium) AS medium,
                   coalesce(m.medium ~* (SELECT attrib.setting('paid_medium_pattern') #>> '{}'), false)
                     OR h.network IS NOT NULL AS paid
            OFFSET 0) k
     CROSS JOIN LATERAL
           (SELECT CASE
                     WHEN k.source = '(direct)' AND k.medium IN ('(none)', '(not set)') THEN 'Direct'
                     WHEN k.class = 'search' AND k.paid THEN 'Paid Search'
                     WHEN k.class = 'social' AND k.paid THEN 'Paid Social'
                     WHEN k.medium IN ('display', 'banner', 'expandable', 'interstitial', 'cpm') THEN 'Display'
                     WHEN k.paid THEN 'Paid Other'
                     WHEN k.class = 'social'
                       OR k.medium IN ('social', 'social-network', 'social-media', 'sm') THEN 'Organic Social'
                     WHEN k.class = 'search' OR k.medium = 'organic' THEN 'Organic Search'
                     WHEN k.class = 'ai' THEN 'AI Assistants'
                     WHEN k.class = 'email'
                       OR k.source IN ('email', 'e-mail', 'e_mail', 'e mail')
                       OR k.medium IN ('email', 'e-mail', 'e_mail', 'e mail') THEN 'Email'
                     WHEN k.medium IN ('referral', 'app', 'link') THEN 'Referral'
                     WHEN k.medium = 'affiliate' THEN 'Affiliates'
                     ELSE 'Other'
                   END AS channel
            OFFSET 0) ch;
END;

COMMENT ON FUNCTION attrib.touch(text, text, text, text, text) IS
  'SPEC 5 touch of a landing event: source, medium, campaign, GA4 default channel and is_paid, '
  'from landing url, referrer and UTM values; an inlinable SQL table function (call it LATERAL in one INSERT ... SELECT)';
