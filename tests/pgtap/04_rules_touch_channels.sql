-- definitions §5 touches: source, medium, campaign, channel and is_paid from a
-- landing url, referrer and UTM values. Every expected row is worked out
-- from definitions §5 by hand (the comment above each says how).
BEGIN;
SELECT plan(52);

-- attrib.touch(landing_url, referrer, utm_source, utm_medium, utm_campaign)
-- returns (source, medium, campaign, channel, is_paid).

-- Paid --------------------------------------------------------------------------------
-- utm google/cpc: class of google is search, cpc matches .*cp.* -> rule 4
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'google', 'cpc', 'spring')$$,
                  $$VALUES ('google', 'cpc', 'spring', 'Paid Search', true)$$,
                  'utm google + cpc is Paid Search');
-- gclid, no UTMs: source = network google, medium cpc, paid by the click id
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?gclid=Cj0KCQ', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('google', 'cpc', NULL::text, 'Paid Search', true)$$,
                  'gclid without UTMs: source google, medium cpc, Paid Search');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?msclkid=abc', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('bing', 'cpc', NULL::text, 'Paid Search', true)$$,
                  'msclkid: source bing, medium cpc, Paid Search');
-- ttclid -> tiktok (social) + click id -> rule 5
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?ttclid=abc', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('tiktok', 'cpc', NULL::text, 'Paid Social', true)$$,
                  'ttclid: source tiktok, Paid Social');
-- the click id wins over the referrer for source and medium
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?gclid=abc', 'https://www.google.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('google', 'cpc', NULL::text, 'Paid Search', true)$$,
                  'gclid with a google referrer: source google, medium cpc');
-- utm facebook/paidsocial: social + paid.* -> rule 5
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'facebook', 'paidsocial', NULL)$$,
                  $$VALUES ('facebook', 'paidsocial', NULL::text, 'Paid Social', true)$$,
                  'paidsocial + facebook is Paid Social');
-- display medium, source without class: not paid by the pattern, rule 7
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'adnetwork', 'display', NULL)$$,
                  $$VALUES ('adnetwork', 'display', NULL::text, 'Display', true)$$,
                  'display medium is Display (and paid)');
-- cpm matches .*cp.* (paid signal) but no search/social class: rule 7 comes before rule 8
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'adnetwork', 'cpm', NULL)$$,
                  $$VALUES ('adnetwork', 'cpm', NULL::text, 'Display', true)$$,
                  'cpm is Display, not Paid Other');
-- google + cpm: rule 4 comes before rule 7
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'google', 'cpm', NULL)$$,
                  $$VALUES ('google', 'cpm', NULL::text, 'Paid Search', true)$$,
                  'google + cpm is Paid Search (rule 4 before Display)');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'partner', 'ppc', NULL)$$,
                  $$VALUES ('partner', 'ppc', NULL::text, 'Paid Other', true)$$,
                  'ppc with a source without class is Paid Other');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'partner', 'retargeting', NULL)$$,
                  $$VALUES ('partner', 'retargeting', NULL::text, 'Paid Other', true)$$,
                  'retargeting is a paid medium');
-- a click id makes any touch paid: newsletter/email with gclid -> rule 8 before Email
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?gclid=abc', NULL, 'newsletter', 'email', 'may')$$,
                  $$VALUES ('newsletter', 'email', 'may', 'Paid Other', true)$$,
                  'a click id with utm newsletter/email: UTMs kept, Paid Other');
-- source without class falls back to the referrer's class: t.co is social, cpc paid -> rule 5
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://t.co/abc', 'partner', 'cpc', NULL)$$,
                  $$VALUES ('partner', 'cpc', NULL::text, 'Paid Social', true)$$,
                  'the class comes from the referrer when the source has none');
-- the source's class wins over the referrer's
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://t.co/abc', 'google', 'cpc', NULL)$$,
                  $$VALUES ('google', 'cpc', NULL::text, 'Paid Search', true)$$,
                  'the class of the source wins over the referrer''s');
-- source and medium are compared lower-cased; touch returns them as given
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'Google', 'CPC', NULL)$$,
                  $$VALUES ('Google', 'CPC', NULL::text, 'Paid Search', true)$$,
                  'source and medium are compared ignoring ASCII case');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'adnetwork', 'Banner', NULL)$$,
                  $$VALUES ('adnetwork', 'Banner', NULL::text, 'Display', true)$$,
                  'the Display mediums are compared lower-cased');

-- Click ids that are not -------------------------------------------------------------
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?fbclid=IwAR', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'fbclid is not a click id: Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?fbclid=IwAR', 'https://l.facebook.com/l.php?u=x', NULL, NULL, NULL)$$,
                  $$VALUES ('l.facebook.com', 'referral', NULL::text, 'Organic Social', false)$$,
                  'fbclid with a facebook referrer is Organic Social');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?gclid=', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a click id with an empty value is no click id');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?gclid=%20', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a click id whose value decodes to blank is no click id');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/#gclid=abc', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a click id in the fragment is not read');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/?GCLID=abc', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'GCLID (upper case) is not a click id');

-- Organic -----------------------------------------------------------------------------
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://www.google.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('google.com', 'organic', NULL::text, 'Organic Search', false)$$,
                  'a google referrer: source google.com, medium organic, Organic Search');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://news.google.co.uk/', NULL, NULL, NULL)$$,
                  $$VALUES ('news.google.co.uk', 'organic', NULL::text, 'Organic Search', false)$$,
                  'a google subdomain referrer is Organic Search');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://t.co/xyz', NULL, NULL, NULL)$$,
                  $$VALUES ('t.co', 'referral', NULL::text, 'Organic Social', false)$$,
                  'a t.co referrer is Organic Social, medium referral');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'someforum', 'social', NULL)$$,
                  $$VALUES ('someforum', 'social', NULL::text, 'Organic Social', false)$$,
                  'medium social is Organic Social');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'newsletter', 'organic', NULL)$$,
                  $$VALUES ('newsletter', 'organic', NULL::text, 'Organic Search', false)$$,
                  'medium organic is Organic Search');

-- AI assistants and email -------------------------------------------------------------
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://chatgpt.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('chatgpt.com', 'referral', NULL::text, 'AI Assistants', false)$$,
                  'a chatgpt.com referrer: source chatgpt.com, medium referral, AI Assistants');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://gemini.google.com/app', NULL, NULL, NULL)$$,
                  $$VALUES ('gemini.google.com', 'referral', NULL::text, 'AI Assistants', false)$$,
                  'a gemini.google.com referrer is AI Assistants with medium referral (not organic)');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://mail.google.com/mail/u/0/', NULL, NULL, NULL)$$,
                  $$VALUES ('mail.google.com', 'referral', NULL::text, 'Email', false)$$,
                  'a webmail referrer (mail.google.com) is Email, medium referral');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'android-app://com.google.android.gm/', NULL, NULL, NULL)$$,
                  $$VALUES ('com.google.android.gm', 'referral', NULL::text, 'Email', false)$$,
                  'the Gmail app referrer is Email');
-- no source, no referrer: source (direct); medium email is not (none) -> not Direct -> rule 14
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, NULL, 'email', NULL)$$,
                  $$VALUES ('(direct)', 'email', NULL::text, 'Email', false)$$,
                  'utm_medium email without a source is Email');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'e-mail', NULL, NULL)$$,
                  $$VALUES ('e-mail', '(none)', NULL::text, 'Email', false)$$,
                  'utm_source e-mail without a medium is Email');

-- Referral, affiliates, other -----------------------------------------------------------
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://blog.somewhere-else.org/post', NULL, NULL, NULL)$$,
                  $$VALUES ('blog.somewhere-else.org', 'referral', NULL::text, 'Referral', false)$$,
                  'an unknown referrer is Referral');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'partner', 'link', NULL)$$,
                  $$VALUES ('partner', 'link', NULL::text, 'Referral', false)$$,
                  'medium link is Referral');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'partner', 'affiliate', NULL)$$,
                  $$VALUES ('partner', 'affiliate', NULL::text, 'Affiliates', false)$$,
                  'medium affiliate is Affiliates');
-- utm_source foo, no medium, no referrer: medium (none); not Direct (source is not (direct)); no rule -> Unassigned
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, 'foo', NULL, NULL)$$,
                  $$VALUES ('foo', '(none)', NULL::text, 'Unassigned', false)$$,
                  'utm_source foo without a medium is Unassigned');

-- Direct and internal referrers -----------------------------------------------------------
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'no referrer, no UTMs is Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', NULL, NULL, '(not set)', NULL)$$,
                  $$VALUES ('(direct)', '(not set)', NULL::text, 'Direct', false)$$,
                  'medium (not set) without a source is Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/pricing', 'https://shop.example.com/cart', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a referrer on the landing url''s host is internal: Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://www.Shop.example.com/', 'https://shop.example.com./cart', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'hosts compare after host() (www., case, trailing dot): internal');
SELECT results_eq($$SELECT * FROM attrib.touch(NULL, NULL, NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'no landing url, no referrer, no UTMs is Direct');
SELECT results_eq($$SELECT * FROM attrib.touch(NULL, 'https://www.google.com/', 'google', NULL, NULL)$$,
                  $$VALUES ('google', 'organic', NULL::text, 'Organic Search', false)$$,
                  'without a landing url the referrer still counts (utm google, google referrer: organic)');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'www.google.com/x', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a referrer without a scheme has no host: Direct');
-- host() of more than 253 characters, or with a label over 63, is none:
-- such a referrer counts as no referrer, even when google stands in it
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://' || repeat('a.', 122) || 'google.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a referrer whose host is longer than 253 characters has no host: Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://shop.example.com/', 'https://' || repeat('x', 64) || '.google.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'a referrer with a label longer than 63 characters has no host: Direct');
-- a utm_source longer than 253 characters matches no name: no class, and
-- medium zzz fits no rule -> Unassigned
SELECT results_eq($$SELECT channel FROM attrib.touch('https://shop.example.com/', NULL, repeat('a.', 122) || 'google.com', 'zzz', NULL)$$,
                  $$VALUES ('Unassigned')$$,
                  'a utm_source longer than 253 characters has no class');
-- an internal referrer gives no class either: source partner has none -> cpc is Paid Other
SELECT results_eq($$SELECT * FROM attrib.touch('https://t.co/landing', 'https://t.co/abc', 'partner', 'cpc', NULL)$$,
                  $$VALUES ('partner', 'cpc', NULL::text, 'Paid Other', true)$$,
                  'an internal referrer is not used for the class');

-- own_domains: a subdomain of an own domain is internal
SELECT results_eq($$SELECT * FROM attrib.touch('https://app.example.org/', 'https://blog.example.com/post', NULL, NULL, NULL)$$,
                  $$VALUES ('blog.example.com', 'referral', NULL::text, 'Referral', false)$$,
                  'without own_domains a sister site is a Referral');
UPDATE attrib.settings SET value = '["example.com"]' WHERE name = 'own_domains';
SELECT results_eq($$SELECT * FROM attrib.touch('https://app.example.org/', 'https://blog.example.com/post', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'own_domains example.com: a referrer on its subdomain is internal: Direct');
SELECT results_eq($$SELECT * FROM attrib.touch('https://app.example.org/', 'https://www.example.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('(direct)', '(none)', NULL::text, 'Direct', false)$$,
                  'own_domains example.com: the domain itself is internal');
SELECT results_eq($$SELECT * FROM attrib.touch('https://app.example.org/', 'https://notexample.com/', NULL, NULL, NULL)$$,
                  $$VALUES ('notexample.com', 'referral', NULL::text, 'Referral', false)$$,
                  'own_domains example.com: notexample.com is not internal');

SELECT * FROM finish();
ROLLBACK;
