-- definitions §5's 20 channel rules in their order: for each rule a touch it fires
-- on and a near miss it does not (the near miss shows which later rule
-- fires instead), then is_paid per channel, the shop-campaign regex and the
-- medium tests of rules 11 and 19, and referral_exclusions.
-- attrib._touch_detail(landing, referrer, utm_source, utm_medium, utm_campaign)
-- is what attrib.touch returns, with the number of the rule that fired.
BEGIN;
SELECT plan(93);

CREATE FUNCTION pg_temp.fired(p_referrer text, p_source text, p_medium text, p_campaign text)
RETURNS text LANGUAGE sql AS $$
    SELECT d.rule || ' ' || d.channel
      FROM attrib._touch_detail('https://shop.example.com/', p_referrer, p_source, p_medium, p_campaign) d
$$;

-- 1 Direct
SELECT is(pg_temp.fired(NULL, NULL, NULL, NULL), '1 Direct', '1 Direct: no source, medium (none)');
SELECT is(pg_temp.fired(NULL, NULL, 'email', NULL), '14 Email', '1 Direct: not with a medium other than (none)/(not set)');
-- 2 Cross-network
SELECT is(pg_temp.fired(NULL, 'google', 'cpc', 'PMax Cross-Network Q4'), '2 Cross-network',
          '2 Cross-network: campaign contains cross-network (any case), before Paid Search');
SELECT is(pg_temp.fired(NULL, 'google', 'cpc', 'crossnetwork'), '4 Paid Search',
          '2 Cross-network: not without the hyphen');
-- 3 Paid Shopping
SELECT is(pg_temp.fired(NULL, 'amazon', 'cpc', NULL), '3 Paid Shopping', '3 Paid Shopping: class shopping and paid');
SELECT is(pg_temp.fired(NULL, 'google', 'cpc', 'spring_shop'), '3 Paid Shopping',
          '3 Paid Shopping: a shop campaign and paid, before Paid Search');
SELECT is(pg_temp.fired('https://www.etsy.com/', NULL, NULL, NULL), '9 Organic Shopping',
          '3 Paid Shopping: not without a paid signal');
-- 4 Paid Search
SELECT is(pg_temp.fired(NULL, 'bing', 'ppc', NULL), '4 Paid Search', '4 Paid Search: class search and paid');
SELECT is(pg_temp.fired(NULL, 'bing', 'display', NULL), '7 Display', '4 Paid Search: not without a paid signal');
-- 5 Paid Social
SELECT is(pg_temp.fired(NULL, 'facebook', 'paid_social', NULL), '5 Paid Social', '5 Paid Social: class social and paid');
SELECT is(pg_temp.fired(NULL, 'facebook', 'social', NULL), '10 Organic Social', '5 Paid Social: not without a paid signal');
-- 6 Paid Video
SELECT is(pg_temp.fired(NULL, 'youtube', 'cpv', NULL), '6 Paid Video', '6 Paid Video: class video and paid');
SELECT is(pg_temp.fired(NULL, 'youtube', 'video', NULL), '11 Organic Video', '6 Paid Video: not without a paid signal');
-- 7 Display
SELECT is(pg_temp.fired(NULL, 'adnetwork', 'interstitial', NULL), '7 Display', '7 Display: medium interstitial');
SELECT is(pg_temp.fired(NULL, 'adnetwork', 'displays', NULL), '20 Unassigned', '7 Display: not medium displays');
-- 8 Paid Other
SELECT is(pg_temp.fired(NULL, 'partner', 'retargeting', NULL), '8 Paid Other', '8 Paid Other: a paid signal, no class');
SELECT is(pg_temp.fired(NULL, 'partner', 'ppcx', NULL), '20 Unassigned', '8 Paid Other: not without a paid signal');
-- 9 Organic Shopping
SELECT is(pg_temp.fired('https://www.ebay.co.uk/itm/1', NULL, NULL, NULL), '9 Organic Shopping',
          '9 Organic Shopping: a shopping referrer');
SELECT is(pg_temp.fired(NULL, 'newsletter', 'email', 'e-shop launch'), '9 Organic Shopping',
          '9 Organic Shopping: a shop campaign, before Email');
SELECT is(pg_temp.fired(NULL, 'newsletter', 'email', 'workshop'), '14 Email', '9 Organic Shopping: not campaign workshop');
-- 10 Organic Social
SELECT is(pg_temp.fired(NULL, 'partner', 'social network', NULL), '10 Organic Social', '10 Organic Social: medium social network');
SELECT is(pg_temp.fired('https://t.co/x', NULL, NULL, NULL), '10 Organic Social', '10 Organic Social: a social referrer');
SELECT is(pg_temp.fired(NULL, 'partner', 'social-networks', NULL), '20 Unassigned', '10 Organic Social: not medium social-networks');
-- 11 Organic Video
SELECT is(pg_temp.fired('https://vimeo.com/123', NULL, NULL, NULL), '11 Organic Video', '11 Organic Video: a video referrer');
SELECT is(pg_temp.fired(NULL, 'partner', 'vid', NULL), '20 Unassigned', '11 Organic Video: not medium vid');
-- 12 Organic Search
SELECT is(pg_temp.fired('https://duckduckgo.com/', NULL, NULL, NULL), '12 Organic Search', '12 Organic Search: a search referrer');
SELECT is(pg_temp.fired('https://searchengineland.com/post', NULL, NULL, NULL), '15 Referral',
          '12 Organic Search: not a host whose label only contains search');
-- 13 AI Assistants
SELECT is(pg_temp.fired('https://claude.ai/chat/1', NULL, NULL, NULL), '13 AI Assistants', '13 AI Assistants: an ai referrer');
SELECT is(pg_temp.fired(NULL, 'chatgpt.com', 'cpc', NULL), '8 Paid Other', '13 AI Assistants: not when paid (no paid AI rule)');
-- 14 Email
SELECT is(pg_temp.fired(NULL, 'partner', 'e mail', NULL), '14 Email', '14 Email: medium e mail');
SELECT is(pg_temp.fired(NULL, 'partner', 'emails', NULL), '20 Unassigned', '14 Email: not medium emails');
-- 15 Referral
SELECT is(pg_temp.fired(NULL, 'partner', 'app', NULL), '15 Referral', '15 Referral: medium app');
SELECT is(pg_temp.fired(NULL, 'partner', 'apps', NULL), '20 Unassigned', '15 Referral: not medium apps');
-- 16 Affiliates
SELECT is(pg_temp.fired(NULL, 'partner', 'affiliate', NULL), '16 Affiliates', '16 Affiliates: medium affiliate');
SELECT is(pg_temp.fired(NULL, 'partner', 'affiliates', NULL), '20 Unassigned', '16 Affiliates: not medium affiliates');
-- 17 Audio
SELECT is(pg_temp.fired(NULL, 'podcast', 'audio', NULL), '17 Audio', '17 Audio: medium audio');
SELECT is(pg_temp.fired(NULL, 'podcast', 'audio-ad', NULL), '20 Unassigned', '17 Audio: not medium audio-ad');
-- 18 SMS
SELECT is(pg_temp.fired(NULL, 'sms', NULL, NULL), '18 SMS', '18 SMS: source sms');
SELECT is(pg_temp.fired(NULL, 'twilio', 'SMS', NULL), '18 SMS', '18 SMS: medium sms (any case)');
SELECT is(pg_temp.fired(NULL, 'twilio', 'sms-blast', NULL), '20 Unassigned', '18 SMS: not medium sms-blast');
-- 19 Mobile Push Notifications
SELECT is(pg_temp.fired(NULL, 'onesignal', 'web-push', NULL), '19 Mobile Push Notifications', '19 Mobile Push: medium ending in push');
SELECT is(pg_temp.fired(NULL, 'onesignal', 'pushed', NULL), '20 Unassigned', '19 Mobile Push: not push inside the medium');
-- 20 Unassigned
SELECT is(pg_temp.fired(NULL, 'foo', 'bar', NULL), '20 Unassigned', '20 Unassigned: no rule holds');
SELECT is(pg_temp.fired(NULL, 'foo', 'link', NULL), '15 Referral', '20 Unassigned: not when an earlier rule holds');

-- GA4's published definitions of the default channel group, one case per rule,
-- with sources from Google's own source categories (the classes come from
-- attrib.source_classes, which covers that list; see tests/py/test_source_list.py).
SELECT is(pg_temp.fired(NULL, '(direct)', '(not set)', NULL), '1 Direct', 'GA4 1: source (direct), medium (not set)');
SELECT is(pg_temp.fired(NULL, 'some-source', 'some-medium', 'q4-cross-network'), '2 Cross-network',
          'GA4 2: campaign contains cross-network');
SELECT is(pg_temp.fired(NULL, 'IGShopping', 'paid', NULL), '3 Paid Shopping', 'GA4 3: a shopping source (IGShopping), medium paid');
SELECT is(pg_temp.fired(NULL, 'babylon', 'cpc', NULL), '4 Paid Search', 'GA4 4: a search source (babylon), medium cpc');
SELECT is(pg_temp.fired(NULL, 'line', 'retargeting', NULL), '5 Paid Social', 'GA4 5: a social source (line), medium retargeting');
SELECT is(pg_temp.fired(NULL, 'crackle', 'paid-video', NULL), '6 Paid Video', 'GA4 6: a video source (crackle), medium paid-video');
SELECT is(pg_temp.fired(NULL, 'youtube.com', 'display', NULL), '7 Display', 'GA4 7: medium display, before Organic Video');
SELECT is(pg_temp.fired(NULL, 'some-source', 'cpc', NULL), '8 Paid Other', 'GA4 8: medium cpc, no class');
SELECT is(pg_temp.fired(NULL, 'some-source', NULL, 'some-shopping-campaign'), '9 Organic Shopping',
          'GA4 9: a shopping campaign');
SELECT is(pg_temp.fired(NULL, 'hootsuite', NULL, NULL), '10 Organic Social', 'GA4 10: a social source (hootsuite)');
SELECT is(pg_temp.fired(NULL, 'ted', NULL, NULL), '11 Organic Video', 'GA4 11: a video source (ted)');
SELECT is(pg_temp.fired(NULL, 'najdi', NULL, NULL), '12 Organic Search', 'GA4 12: a search source (najdi)');
SELECT is(pg_temp.fired('https://chatgpt.com/c/1', NULL, NULL, NULL), '13 AI Assistants', 'GA4 13 (definitions §5): an AI assistant referrer');
SELECT is(pg_temp.fired(NULL, 'e_mail', NULL, NULL), '14 Email', 'GA4 14: source e_mail');
SELECT is(pg_temp.fired(NULL, 'some-source', 'referral', NULL), '15 Referral', 'GA4 15: medium referral');
SELECT is(pg_temp.fired(NULL, 'some-source', 'affiliate', NULL), '16 Affiliates', 'GA4 16: medium affiliate');
SELECT is(pg_temp.fired(NULL, 'some-source', 'audio', NULL), '17 Audio', 'GA4 17: medium audio');
SELECT is(pg_temp.fired(NULL, 'some-source', 'sms', NULL), '18 SMS', 'GA4 18: medium sms');
SELECT is(pg_temp.fired(NULL, 'some-source', 'app-notification', NULL), '19 Mobile Push Notifications',
          'GA4 19: medium containing notification');
SELECT is(pg_temp.fired(NULL, 'some-source', 'some-medium', NULL), '20 Unassigned', 'GA4 20: no rule holds');
-- GA4's names that are no host, with no medium: Organic Shopping (issue 27: they were Unassigned)
SELECT is(pg_temp.fired(NULL, 'Google Shopping', NULL, NULL), '9 Organic Shopping', 'source Google Shopping, no medium');
SELECT is(pg_temp.fired(NULL, 'IGShopping', NULL, NULL), '9 Organic Shopping', 'source IGShopping, no medium');

-- is_paid: exactly Cross-network, Paid Shopping, Paid Search, Paid Social, Paid Video, Display, Paid Other, Audio
CREATE TEMP TABLE one_per_channel ON COMMIT DROP AS
SELECT v.source, v.medium, v.campaign, d.channel, d.is_paid
  FROM (VALUES ('google', 'cpc', 'cross-network'), ('amazon', 'cpc', NULL), ('bing', 'cpc', NULL),
               ('facebook', 'cpc', NULL), ('youtube', 'cpc', NULL), ('x', 'banner', NULL), ('x', 'ppc', NULL),
               ('amazon', 'referral', NULL), ('facebook', 'referral', NULL), ('youtube', 'referral', NULL),
               ('google', 'referral', NULL), ('chatgpt.com', 'referral', NULL), ('x', 'email', NULL),
               ('x', 'referral', NULL), ('x', 'affiliate', NULL), ('x', 'audio', NULL), ('x', 'sms', NULL),
               ('x', 'push', NULL), ('x', 'y', NULL)) AS v(source, medium, campaign)
 CROSS JOIN LATERAL attrib._touch_detail('https://shop.example.com/', NULL, v.source, v.medium, v.campaign) d;
SELECT is((SELECT count(DISTINCT channel)::int FROM one_per_channel), 19,
          'the is_paid check covers every channel but Direct');
SELECT is_empty($$SELECT * FROM one_per_channel
                   WHERE is_paid IS DISTINCT FROM (channel IN ('Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social',
                                                              'Paid Video', 'Display', 'Paid Other', 'Audio'))$$,
    'is_paid is true for exactly the eight paid channels (Audio included)');

-- shop campaign: ^(.*(([^a-df-z]|^)shop|shopping).*)$, ignoring case
SELECT is(d.shop_campaign, v.expected, format('campaign %s is %sa shop campaign', v.campaign,
                                              CASE WHEN v.expected THEN '' ELSE 'not ' END))
  FROM (VALUES ('workshop', false), ('e-shop', true), ('eshop', true), ('Shop', true), ('holiday shopping', true),
               ('webshop', false), ('bishop', false), ('shopify_sale', true), ('WORKSHOP', false), ('spring_shop', true))
       AS v(campaign, expected)
 CROSS JOIN LATERAL attrib._touch_detail('https://shop.example.com/', NULL, 'x', 'y', v.campaign) d;

-- mediums of rules 11 and 19
SELECT is(pg_temp.fired(NULL, 'partner', 'Promo-Video', NULL), '11 Organic Video', 'medium containing video is Organic Video');
SELECT is(pg_temp.fired(NULL, 'partner', 'mobile_app', NULL), '19 Mobile Push Notifications', 'medium containing mobile');
SELECT is(pg_temp.fired(NULL, 'partner', 'in-app notifications', NULL), '19 Mobile Push Notifications', 'medium containing notification');
SELECT is(pg_temp.fired(NULL, 'partner', 'PUSH', NULL), '19 Mobile Push Notifications', 'medium push (any case)');
SELECT is(pg_temp.fired(NULL, 'firebase', NULL, NULL), '19 Mobile Push Notifications', 'source firebase');

-- referral_exclusions: matched like own_domains, an excluded referrer is internal (no referrer)
SELECT is(pg_temp.fired('https://www.paypal.com/checkoutnow', NULL, NULL, NULL), '15 Referral', 'paypal.com is a referral by default');
UPDATE attrib.settings SET value = '["paypal.com", "checkout.stripe.com"]' WHERE name = 'referral_exclusions';
SELECT is(pg_temp.fired('https://www.paypal.com/checkoutnow', NULL, NULL, NULL), '1 Direct', 'an excluded host is internal: Direct');
SELECT is(pg_temp.fired('https://www.sandbox.paypal.com/', NULL, NULL, NULL), '1 Direct', 'a subdomain of an excluded host is internal');
SELECT is(pg_temp.fired('https://notpaypal.com/', NULL, NULL, NULL), '15 Referral', 'notpaypal.com is not excluded');
SELECT isnt(pg_temp.fired('https://stripe.com/', NULL, NULL, NULL), '1 Direct', 'the parent of an excluded host is not excluded');
SELECT is(pg_temp.fired('https://checkout.stripe.com/pay', 'newsletter', 'email', NULL), '14 Email',
          'an excluded referrer leaves the UTM source alone');
SELECT is((SELECT d.internal FROM attrib._touch_detail('https://shop.example.com/', 'https://www.paypal.com/', NULL, NULL, NULL) d),
          'referral_exclusions', 'the touch says why the referrer is internal');
SELECT throws_ok($$UPDATE attrib.settings SET value = '["https://paypal.com/"]' WHERE name = 'referral_exclusions'$$,
                 '23514', NULL, 'referral_exclusions takes host names only (no scheme or path)');
SELECT throws_ok($$UPDATE attrib.settings SET value = '["www.paypal.com"]' WHERE name = 'referral_exclusions'$$,
                 '23514', NULL, 'referral_exclusions refuses a leading www. (host() removes it from referrers)');
-- the settings trigger (attrib._setting_check) refuses a non-array before the CHECK sees it
SELECT throws_ok($$UPDATE attrib.settings SET value = '"paypal.com"' WHERE name = 'referral_exclusions'$$,
                 '22023', NULL, 'referral_exclusions is a JSON array');

SELECT * FROM finish();
ROLLBACK;
