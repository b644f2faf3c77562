-- definitions §5 classes: the shipped reference list, the label-matching rule
-- (attrib.source_match, read by attrib.source_class), and that attrib.touch
-- classifies every shipped name and the hosts built around them as
-- attrib.source_class does.
BEGIN;
SELECT plan(46);

-- the shipped list holds definitions §5's minimum, each with its class
SELECT is_empty(
    $$SELECT m.name, m.class
        FROM (VALUES ('google', 'search'), ('bing', 'search'), ('yahoo', 'search'), ('duckduckgo', 'search'),
                     ('baidu', 'search'), ('yandex', 'search'), ('ecosia', 'search'), ('ask', 'search'),
                     ('naver', 'search'), ('seznam', 'search'),
                     ('facebook', 'social'), ('fb', 'social'), ('instagram', 'social'), ('t.co', 'social'),
                     ('twitter', 'social'), ('x.com', 'social'), ('linkedin', 'social'), ('lnkd.in', 'social'),
                     ('reddit', 'social'), ('pinterest', 'social'), ('tiktok', 'social'), ('quora', 'social'),
                     ('youtube', 'video'), ('youtu.be', 'video'), ('vimeo', 'video'), ('twitch', 'video'),
                     ('dailymotion', 'video'),
                     ('amazon', 'shopping'), ('ebay', 'shopping'), ('etsy', 'shopping'), ('walmart', 'shopping'),
                     ('shopify', 'shopping'), ('aliexpress', 'shopping'), ('shopping.google.com', 'shopping'),
                     ('mail.google.com', 'email'), ('com.google.android.gm', 'email'), ('outlook.live.com', 'email'),
                     ('outlook.office.com', 'email'), ('outlook.office365.com', 'email'), ('mail.yahoo.com', 'email'),
                     ('mail.yahoo.net', 'email'), ('mail.aol.com', 'email'), ('mail.proton.me', 'email'),
                     ('webmail', 'email'),
                     ('chatgpt.com', 'ai'), ('chat.openai.com', 'ai'), ('perplexity.ai', 'ai'),
                     ('gemini.google.com', 'ai'), ('claude.ai', 'ai'), ('copilot.microsoft.com', 'ai')) AS m(name, class)
       WHERE NOT EXISTS (SELECT FROM attrib.source_classes c WHERE c.name = m.name AND c.class = m.class)$$,
    'attrib.source_classes holds the definitions §5 minimum list with the right classes');

-- matching by whole, contiguous labels
SELECT is(attrib.source_class('google'), 'search', 'google is search');
SELECT is(attrib.source_class('google.co.uk'), 'search', 'google matches google.co.uk');
SELECT is(attrib.source_class('news.google.com'), 'search', 'google matches news.google.com');
SELECT is(attrib.source_class('t.co'), 'social', 't.co is social');
SELECT is(attrib.source_class('t.com'), NULL, 't.co does not match t.com');
SELECT is(attrib.source_class('facebook'), 'social', 'facebook is social');
SELECT is(attrib.source_class('facebook_ads'), NULL, 'facebook does not match facebook_ads');
SELECT is(attrib.source_class('notgoogle.com'), NULL, 'google does not match notgoogle.com');
SELECT is(attrib.source_class('google ads'), NULL, 'labels are split on dots only: "google ads" is one label');
SELECT is(attrib.source_class('l.facebook.com'), 'social', 'l.facebook.com is social');
SELECT is(attrib.source_class('x.com'), 'social', 'x.com is social');
SELECT is(attrib.source_class('box.com'), NULL, 'x.com does not match box.com');
SELECT is(attrib.source_class('chatgpt.com'), 'ai', 'chatgpt.com is ai');
SELECT is(attrib.source_class('com.google.android.gm'), 'email', 'the Gmail app is email');
SELECT is(attrib.source_class('GOOGLE.Co.UK'), 'search', 'matching ignores ASCII case');
SELECT is(attrib.source_class('foo.example'), NULL, 'an unknown host has no class');
SELECT is(attrib.source_class(''), NULL, 'the empty string has no class');
SELECT is(attrib.source_class(NULL), NULL, 'NULL has no class');

-- the name with most labels wins, whatever its class
SELECT is(attrib.source_class('mail.google.com'), 'email', 'mail.google.com is email although google is search');
SELECT is(attrib.source_class('gemini.google.com'), 'ai', 'gemini.google.com is ai although google is search');
SELECT is(attrib.source_class('mail.yahoo.com'), 'email', 'mail.yahoo.com is email although yahoo is search');

SELECT is(attrib.source_class('m.youtube.com'), 'video', 'youtube is video (no longer social)');
SELECT is(attrib.source_class('shopping.google.com'), 'shopping', 'shopping.google.com is shopping although google is search');
SELECT results_eq($$SELECT * FROM attrib.source_match('Mail.Google.com')$$, $$VALUES ('mail.google.com', 'email')$$,
                  'source_match names the deciding name and its class');
SELECT is_empty($$SELECT * FROM attrib.source_match('foo.example')$$, 'source_match returns no row when nothing matches');

-- ties on label count: search, social, video, shopping, email, ai
INSERT INTO attrib.source_classes (name, class)
VALUES ('tiea', 'ai'), ('tieb', 'search'), ('tiec', 'email'), ('tied', 'social'), ('tiee.tief', 'ai'),
       ('tiev', 'video'), ('ties', 'shopping');
SELECT is(attrib.source_class('tiea.tieb.com'), 'search', 'a tie between ai and search goes to search');
SELECT is(attrib.source_class('tiev.tieb.com'), 'search', 'a tie between video and search goes to search');
SELECT is(attrib.source_class('tiev.tied.com'), 'social', 'a tie between video and social goes to social');
SELECT is(attrib.source_class('ties.tiev.com'), 'video', 'a tie between shopping and video goes to video');
SELECT is(attrib.source_class('tiec.ties.com'), 'shopping', 'a tie between email and shopping goes to shopping');
SELECT is(attrib.source_class('tiec.tied.com'), 'social', 'a tie between email and social goes to social');
SELECT is(attrib.source_class('tiea.tiec.net'), 'email', 'a tie between ai and email goes to email');
SELECT is(attrib.source_class('tieb.tiee.tief'), 'ai', 'two labels beat one whatever the class order');
-- the list is data: a row added is matched at once
SELECT is(attrib.source_class('www.tiee.tief.org'), 'ai', 'an added name is matched');

-- a value longer than 253 characters matches no name (definitions §5)
SELECT is(attrib.source_class(repeat('a.', 121) || 'google.com'), 'search',
          'a value of 252 characters is matched');
SELECT is(attrib.source_class(repeat('a.', 122) || 'google.com'), NULL,
          'a value of 254 characters matches no name');

-- The work per value is bounded: source_match tries each run of contiguous
-- labels as a name, but only runs of up to as many labels as the longest
-- name of the list has. Counted, not timed: the rows that reach the join
-- with attrib.source_classes, from EXPLAIN ANALYZE of source_match.
CREATE FUNCTION pg_temp.candidates(p_value text) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    v_plan jsonb;
BEGIN
    EXECUTE format('EXPLAIN (ANALYZE, TIMING OFF, FORMAT JSON) SELECT * FROM attrib.source_match(%L)', p_value)
       INTO v_plan;
    -- the join whose one side reads attrib.source_classes: the rows of its
    -- other side (none when the plan has no such join: nothing to compare)
    RETURN coalesce((WITH RECURSIVE node(plan) AS (
                SELECT v_plan -> 0 -> 'Plan'
                UNION ALL
                SELECT child FROM node, jsonb_array_elements(node.plan -> 'Plans') AS child)
            SELECT sum((side ->> 'Actual Rows')::bigint * (side ->> 'Actual Loops')::bigint)
              FROM node, jsonb_array_elements(node.plan -> 'Plans') AS side
             WHERE node.plan ->> 'Node Type' IN ('Hash Join', 'Nested Loop', 'Merge Join')
               AND side ->> 'Parent Relationship' IN ('Outer', 'Inner')
               AND NOT jsonb_path_exists(side, '$.** ? (@."Relation Name" == "source_classes")')
               AND jsonb_path_exists(node.plan, ('$.Plans[*] ? (@."Parent Relationship" != "InitPlan")'
                                                 || '.** ? (@."Relation Name" == "source_classes")')::jsonpath)), 0);
END
$$;
CREATE FUNCTION pg_temp.longest_name() RETURNS int LANGUAGE sql AS $$
    SELECT max(array_length(string_to_array(name, '.'), 1)) FROM attrib.source_classes
$$;

SELECT cmp_ok(pg_temp.candidates('a.b.c.google.com'), '>', 0::bigint,
              'the candidate count is read from the plan (a value with matches has candidates)');
SELECT cmp_ok(pg_temp.candidates(rtrim(repeat('a.', 127), '.')), '<=', 127 * pg_temp.longest_name()::bigint,
              'a value of 127 labels (253 characters) has at most 127 x (labels of the longest name) candidates, '
              'not the 8,128 runs of every length');
SELECT is(pg_temp.candidates(rtrim(repeat('a.', 500), '.')), 0::bigint,
          'a value of 500 labels (999 characters) has no candidate at all, not 125,250');
-- the bound follows the list, not a constant: a name longer than any
-- shipped one is matched at once, and the bound grows with it
INSERT INTO attrib.source_classes (name, class) VALUES ('l1.l2.l3.l4.l5.l6.l7.l8.l9', 'email');
SELECT is(attrib.source_class('x.l1.l2.l3.l4.l5.l6.l7.l8.l9.y'), 'email', 'an added name of 9 labels is matched');
SELECT is(attrib.source_class('x.l1.l2.l3.l4.l5.l6.l7.l8.y'), NULL, 'eight of its nine labels do not match it');
SELECT cmp_ok(pg_temp.candidates(rtrim(repeat('a.', 127), '.')), '<=', 127 * 9::bigint,
              'with a 9-label name the 127-label value has at most 127 x 9 candidates');
DELETE FROM attrib.source_classes WHERE name = 'l1.l2.l3.l4.l5.l6.l7.l8.l9';

-- attrib.touch reads the same rule; the channel of a referral shows the
-- class: search -> Organic Search, social -> Organic Social, video ->
-- Organic Video, shopping -> Organic Shopping, email -> Email, ai -> AI
-- Assistants, none -> Referral (definitions §5 channel rules)
CREATE TEMP TABLE class_probe ON COMMIT DROP AS
SELECT DISTINCT v.value
  FROM attrib.source_classes c
 CROSS JOIN LATERAL (VALUES (c.name), ('a.' || c.name), (c.name || '.example'), ('b.' || upper(c.name) || '.co.uk'),
                            (replace(c.name, '.', '-')), (c.name || 'x'), ('mail.' || c.name)) AS v(value);

SELECT is_empty(
    $$SELECT p.value, attrib.source_class(p.value) AS class, t.channel
        FROM class_probe p
       CROSS JOIN LATERAL attrib.touch('https://landing.example.org/', 'https://' || p.value || '/', NULL, NULL, NULL) t
       WHERE t.channel IS DISTINCT FROM CASE attrib.source_class(p.value)
                                          WHEN 'search' THEN 'Organic Search'
                                          WHEN 'social' THEN 'Organic Social'
                                          WHEN 'video' THEN 'Organic Video'
                                          WHEN 'shopping' THEN 'Organic Shopping'
                                          WHEN 'email' THEN 'Email'
                                          WHEN 'ai' THEN 'AI Assistants'
                                          ELSE 'Referral'
                                        END$$,
    'touch classifies every referrer host (shipped names and hosts around them) as source_class does');

-- and the same through utm_source (a medium no rule knows: the class decides)
SELECT is_empty(
    $$SELECT p.value, attrib.source_class(p.value) AS class, t.channel
        FROM class_probe p
       CROSS JOIN LATERAL attrib.touch('https://landing.example.org/', NULL, p.value, 'zzz', NULL) t
       WHERE t.channel IS DISTINCT FROM CASE attrib.source_class(p.value)
                                          WHEN 'search' THEN 'Organic Search'
                                          WHEN 'social' THEN 'Organic Social'
                                          WHEN 'video' THEN 'Organic Video'
                                          WHEN 'shopping' THEN 'Organic Shopping'
                                          WHEN 'email' THEN 'Email'
                                          WHEN 'ai' THEN 'AI Assistants'
                                          ELSE 'Unassigned'
                                        END$$,
    'touch classifies every utm_source as source_class does');

SELECT cmp_ok((SELECT count(*) FROM class_probe), '>', 10000::bigint, 'the agreement checks cover over ten thousand values');

SELECT * FROM finish();
ROLLBACK;
