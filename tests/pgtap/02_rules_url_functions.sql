-- definitions §2 and §5 text helpers: trimming, ASCII lower-casing, id cleaning,
-- parameter decoding, query parameters, url_clean, host() and click ids.
BEGIN;
SELECT plan(115);

-- trim_ascii ---------------------------------------------------------------
SELECT is(attrib.trim_ascii(E' \t\n\x0B\f\rabc \t\n\x0B\f\r'), 'abc',
          'trim_ascii removes space, tab, LF, VT, FF and CR at both ends');
SELECT is(attrib.trim_ascii('  a  b  '), 'a  b', 'trim_ascii keeps inner white space');
SELECT is(attrib.trim_ascii(E'\u00A0abc\u2003'), E'\u00A0abc\u2003',
          'trim_ascii keeps non-ASCII spaces (no-break space, em space)');
SELECT is(attrib.trim_ascii(NULL), NULL, 'trim_ascii(NULL) is NULL');

-- lower_ascii --------------------------------------------------------------
SELECT is(attrib.lower_ascii('ABC xyZ 09-_'), 'abc xyz 09-_', 'lower_ascii lower-cases A-Z');
SELECT is(attrib.lower_ascii('ÉCOLE Ünï STRAẞE'), 'École Ünï straẞe',
          'lower_ascii leaves non-ASCII letters as they are');
SELECT is(attrib.lower_ascii(NULL), NULL, 'lower_ascii(NULL) is NULL');

-- clean_id (definitions §2 ids) --------------------------------------------------------
SELECT is(attrib.clean_id(' NULL '), NULL, 'clean_id: '' NULL '' (padded, upper case) is NULL');
SELECT is(attrib.clean_id('null'), NULL, 'clean_id: null is NULL');
SELECT is(attrib.clean_id('Undefined'), NULL, 'clean_id: Undefined is NULL');
SELECT is(attrib.clean_id('NONE'), NULL, 'clean_id: NONE is NULL');
SELECT is(attrib.clean_id('<nil>'), NULL, 'clean_id: <nil> is NULL');
SELECT is(attrib.clean_id('<NIL>'), NULL, 'clean_id: <NIL> is NULL');
SELECT is(attrib.clean_id(E'\tundefined\r\n'), NULL, 'clean_id: undefined padded with tab and CR LF is NULL');
SELECT is(attrib.clean_id(''), NULL, 'clean_id: empty string is NULL');
SELECT is(attrib.clean_id(E' \t\x0B\f '), NULL, 'clean_id: white space only is NULL');
SELECT is(attrib.clean_id(NULL), NULL, 'clean_id(NULL) is NULL');
SELECT is(attrib.clean_id(E'\t user-42 \r'), 'user-42', 'clean_id trims an id');
SELECT is(attrib.clean_id('nil'), 'nil', 'clean_id: nil (without <>) is an id');
SELECT is(attrib.clean_id('nullable'), 'nullable', 'clean_id: a word starting with null is an id');
SELECT is(attrib.clean_id('Null-1'), 'Null-1', 'clean_id: null with a suffix is an id');
SELECT is(attrib.clean_id(E'\u00A0null'), E'\u00A0null',
          'clean_id: a non-ASCII space is not trimmed, so the value is an id');

-- url_decode (definitions §2 decoding) -----------------------------------------------
SELECT is(attrib.url_decode('spring+sale'), 'spring sale', 'url_decode: + is a space');
SELECT is(attrib.url_decode('spring%20sale'), 'spring sale', 'url_decode: %20 is a space');
SELECT is(attrib.url_decode('a%2Bb'), 'a+b', 'url_decode: %2B is a literal +');
SELECT is(attrib.url_decode('a%2bb%2fc'), 'a+b/c', 'url_decode: lower-case hex digits decode');
SELECT is(attrib.url_decode('caf%C3%A9'), 'café', 'url_decode: UTF-8 sequences decode');
SELECT is(attrib.url_decode('%F0%9F%98%80'), '😀', 'url_decode: a 4-byte UTF-8 sequence decodes');
SELECT is(attrib.url_decode('%C3%28'), '%C3%28', 'url_decode: invalid UTF-8 (%C3%28) is kept as written');
SELECT is(attrib.url_decode('%ED%A0%80'), '%ED%A0%80', 'url_decode: an encoded surrogate is not valid UTF-8: kept');
SELECT is(attrib.url_decode('%C0%AF'), '%C0%AF', 'url_decode: an overlong sequence is not valid UTF-8: kept');
SELECT is(attrib.url_decode('50%off'), '50%off', 'url_decode: % without a hex pair is kept as written');
SELECT is(attrib.url_decode('100%'), '100%', 'url_decode: a trailing % is kept as written');
SELECT is(attrib.url_decode('%2'), '%2', 'url_decode: % with one hex digit is kept as written');
SELECT is(attrib.url_decode('a%20b%zz+c'), 'a%20b%zz c',
          'url_decode: one malformed % keeps the whole value as written (+ still a space)');
SELECT is(attrib.url_decode('go%00ogle'), 'google', 'url_decode: %00 (NUL) is removed');
SELECT is(attrib.url_decode('%00'), NULL, 'url_decode: a value that is only NUL is NULL');
SELECT is(attrib.url_decode('%C3%00%A9'), '%C3%00%A9',
          'url_decode: NUL inside a UTF-8 sequence makes it invalid: kept as written');
SELECT is(attrib.url_decode('+%20%09+x%0A'), 'x', 'url_decode: decoded white space is trimmed');
SELECT is(attrib.url_decode('+%20%09+'), NULL, 'url_decode: a value of white space only is NULL');
SELECT is(attrib.url_decode(''), NULL, 'url_decode: empty is NULL');
SELECT is(attrib.url_decode(NULL), NULL, 'url_decode(NULL) is NULL');
SELECT is(attrib.url_decode('%25'), '%', 'url_decode: %25 is a literal %');
SELECT is(attrib.url_decode('%2541'), '%41', 'url_decode decodes once');
SELECT is(attrib.url_decode('é%20x'), 'é x', 'url_decode keeps literal non-ASCII characters');
SELECT is(attrib.url_decode('%E2%82%ac10+%2f%20mois%C3%A9'), '€10 / moisé',
          'url_decode: pairs of either case between literal characters, each decoded once in place');

-- url_param (definitions §2 query parameters) --------------------------------------------
SELECT is(attrib.url_param('https://x.com/p?utm_source=news+letter&b=2', 'utm_source'), 'news letter',
          'url_param: value decoded (+ is a space)');
SELECT is(attrib.url_param('https://x.com/?utm_campaign=spring%20sale', 'utm_campaign'), 'spring sale',
          'url_param: %20 decodes to a space');
SELECT is(attrib.url_param('https://x.com/?q=a%2Bb', 'q'), 'a+b', 'url_param: %2B decodes to +');
SELECT is(attrib.url_param('https://x.com/?utm_source=a&utm_source=b', 'utm_source'), 'b',
          'url_param: the last of repeated parameters wins');
SELECT is(attrib.url_param('https://x.com/?utm_source=a&utm_source=', 'utm_source'), NULL,
          'url_param: the last parameter wins even when empty (NULL)');
SELECT is(attrib.url_param('https://x.com/?utm_source=a&utm_source=+', 'utm_source'), NULL,
          'url_param: the last parameter wins even when it decodes to blank (NULL)');
SELECT is(attrib.url_param('https://x.com/?utm_source=a&utm_source', 'utm_source'), NULL,
          'url_param: a last parameter without = has no value (NULL)');
SELECT is(attrib.url_param('https://x.com/?utm_source&utm_source=a', 'utm_source'), 'a',
          'url_param: an earlier parameter without = does not hide the last one');
SELECT is(attrib.url_param('https://x.com/?flag&utm_medium=email', 'utm_medium'), 'email',
          'url_param: a parameter without = does not disturb the others');
SELECT is(attrib.url_param('https://x.com/?a=1#utm_source=x', 'utm_source'), NULL,
          'url_param: the fragment is never read');
SELECT is(attrib.url_param('https://x.com/?utm_source=x#frag', 'utm_source'), 'x',
          'url_param: the value ends at #');
SELECT is(attrib.url_param('https://x.com/#/page?utm_source=x', 'utm_source'), NULL,
          'url_param: a ? inside the fragment starts no query');
SELECT is(attrib.url_param('https://x.com/?UTM_SOURCE=x', 'utm_source'), NULL,
          'url_param: names are case-sensitive (UTM_SOURCE is not utm_source)');
SELECT is(attrib.url_param('https://x.com/?utm%5Fsource=x', 'utm_source'), NULL,
          'url_param: names are not decoded');
SELECT is(attrib.url_param('https://x.com/?xutm_source=a&utm_source_id=b', 'utm_source'), NULL,
          'url_param: a name must match whole, not as part of another');
SELECT is(attrib.url_param('https://x.com/utm_source=y?x=1', 'utm_source'), NULL,
          'url_param: text before the ? is not a parameter');
SELECT is(attrib.url_param('https://x.com/?a=1?utm_source=x', 'utm_source'), NULL,
          'url_param: only the first ? starts the query (a later ? is part of a value)');
SELECT is(attrib.url_param('https://x.com/?utm_source=a?b', 'utm_source'), 'a?b',
          'url_param: a ? inside a value is kept');
SELECT is(attrib.url_param('https://x.com/?utm_campaign=a=b', 'utm_campaign'), 'a=b',
          'url_param: the value is everything after the first =');
SELECT is(attrib.url_param('https://x.com/?utm_campaign=50%off', 'utm_campaign'), '50%off',
          'url_param: a malformed % is kept as written');
SELECT is(attrib.url_param('https://x.com/?utm_campaign=%C3%28', 'utm_campaign'), '%C3%28',
          'url_param: invalid UTF-8 (%C3%28) is kept as written');
SELECT is(attrib.url_param('https://x.com/?utm_source=go%00ogle', 'utm_source'), 'google',
          'url_param: %00 is removed');
SELECT is(attrib.url_param('https://x.com/?a.b=1&axb=2', 'a.b'), '1',
          'url_param: a name with a regex metacharacter matches literally');
SELECT is(attrib.url_param('https://x.com/?axb=2', 'a.b'), NULL,
          'url_param: a . in the name is not a wildcard');
SELECT is(attrib.url_param('https://x.com/?a&b=1', 'a&b'), NULL, 'url_param: a name holding & names no parameter');
SELECT is(attrib.url_param('https://x.com/?a=b=c', 'a=b'), NULL, 'url_param: a name holding = names no parameter');
SELECT is(attrib.url_param('https://x.com/p', 'utm_source'), NULL, 'url_param: no query, no value');
SELECT is(attrib.url_param(NULL, 'utm_source'), NULL, 'url_param(NULL, name) is NULL');
SELECT is(attrib.url_param('https://x.com/?p=caf%C3%A9&utm_source=%F0%9F%98%80', 'utm_source'), '😀',
          'url_param decodes multi-byte characters');

-- a 50 KB url: still right, and quick
SELECT is(attrib.url_param('https://x.com/p?utm_source=first&'
                           || (SELECT string_agg('p' || g || '=' || repeat('v', 40), '&') FROM generate_series(1, 1100) g)
                           || '&utm_source=last', 'utm_source'),
          'last', 'url_param on a 50 KB url finds the last parameter');
SELECT is(attrib.url_param('https://x.com/p?utm_source=first&'
                           || (SELECT string_agg('p' || g || '=' || repeat('%41', 14), '&') FROM generate_series(1, 1100) g),
                           'p1100'),
          repeat('A', 14), 'url_param on a 50 KB url decodes the value of a parameter at its end');
SELECT is(attrib.url_param('https://x.com/' || repeat('p', 50000) || '?x=1', 'utm_source'), NULL,
          'url_param on a 50 KB url without the parameter is NULL');
SELECT performs_ok(
    $$SELECT attrib.url_param('https://x.com/p?' || string_agg('p' || g || '=' || repeat('v', 40), '&')
                              || '&utm_source=last' || n, 'utm_source')
        FROM generate_series(1, 1100) g, generate_series(1, 50) n GROUP BY n$$,
    5000, 'url_param: 50 calls on a 50 KB url take well under 5 s');

-- url_clean ----------------------------------------------------------------------
SELECT is(attrib.url_clean('https://x.com/p?a=1#f'), 'https://x.com/p', 'url_clean cuts at the first ?');
SELECT is(attrib.url_clean('https://x.com/p#f?a=1'), 'https://x.com/p', 'url_clean cuts at the first #');
SELECT is(attrib.url_clean('https://x.com/p'), 'https://x.com/p', 'url_clean keeps a url without ? or #');
SELECT is(attrib.url_clean(NULL), NULL, 'url_clean(NULL) is NULL');

-- url_host (definitions §5 host()) ------------------------------------------------------
SELECT is(attrib.url_host('https://user:pw@WWW.Example.COM.:8080/x?y#z'), 'example.com',
          'url_host drops userinfo and port, lower-cases, drops one trailing . and one leading www.');
SELECT is(attrib.url_host('https://a@b@host.com/'), 'host.com', 'url_host: userinfo runs up to the last @');
SELECT is(attrib.url_host('http://host.com:8080'), 'host.com', 'url_host drops the port');
SELECT is(attrib.url_host('https://www.google.com./search'), 'google.com', 'url_host drops a trailing dot');
SELECT is(attrib.url_host('https://www.www.x.org/'), 'www.x.org', 'url_host drops one leading www. only');
SELECT is(attrib.url_host('https://shop.example.com?x=1'), 'shop.example.com', 'url_host: the host ends at ?');
SELECT is(attrib.url_host('https://shop.example.com#top'), 'shop.example.com', 'url_host: the host ends at #');
SELECT is(attrib.url_host('android-app://com.google.android.gm/'), 'com.google.android.gm',
          'url_host reads any scheme (android-app://)');
SELECT is(attrib.url_host('www.google.com/x'), NULL, 'url_host: no scheme, no host');
SELECT is(attrib.url_host('//cdn.x.com/a'), NULL, 'url_host: a scheme-relative url has no host');
SELECT is(attrib.url_host('mailto:someone@x.com'), NULL, 'url_host: a scheme without // has no host');
SELECT is(attrib.url_host('1http://x.org/'), NULL, 'url_host: a scheme starts with a letter');
SELECT is(attrib.url_host('http:///path'), NULL, 'url_host: an empty host is NULL');
SELECT is(attrib.url_host('https://[::1]:443/'), '[::1]', 'url_host keeps an IPv6 literal, without its port');
-- no DNS name is longer than 253 characters or has a label longer than 63:
-- such a host is none. The limits apply to the host itself, after userinfo,
-- port, trailing dot and www. are gone, and with or without a '/' after it.
SELECT is(attrib.url_host('https://' || repeat('a.', 126) || 'b/x'), repeat('a.', 126) || 'b',
          'url_host keeps a host of 253 characters (127 labels)');
SELECT is(attrib.url_host('https://' || repeat('a.', 126) || 'bb/x'), NULL,
          'url_host: a host of 254 characters is none');
SELECT is(attrib.url_host('https://' || repeat('a.', 126) || 'bb'), NULL,
          'url_host: a host of 254 characters is none without a path too');
SELECT is(attrib.url_host('https://user:secret@WWW.' || repeat('a.', 126) || 'b.:8080/x'), repeat('a.', 126) || 'b',
          'url_host: the 253 characters are counted without userinfo, port, trailing dot and www.');
SELECT is(attrib.url_host('https://' || repeat('x', 63) || '.example.com/'), repeat('x', 63) || '.example.com',
          'url_host keeps a label of 63 characters');
SELECT is(attrib.url_host('https://' || repeat('x', 64) || '.example.com/'), NULL,
          'url_host: a label of 64 characters makes no host');
SELECT is(attrib.url_host('https://shop.' || repeat('x', 64) || '?q=1'), NULL,
          'url_host: a last label of 64 characters makes no host');
SELECT is(attrib.url_host('https://' || repeat('a.', 16000) || 'com/'), NULL,
          'url_host: a 32 KB authority is no host');

-- click_network (definitions §5 click ids, with the shipped paid_click_ids) ---------------
SELECT is(attrib.click_network('https://x.com/?gclid=abc', attrib.setting('paid_click_ids')), 'google',
          'click_network: gclid is google');
SELECT is(attrib.click_network('https://x.com/?utm_source=a&msclkid=abc', attrib.setting('paid_click_ids')), 'bing',
          'click_network: msclkid is bing');
SELECT is(attrib.click_network('https://x.com/?fbclid=abc', attrib.setting('paid_click_ids')), NULL,
          'click_network: fbclid is not a click id');
SELECT is(attrib.click_network('https://x.com/?gclid=&gclid=+&gclid=%20&gclid', attrib.setting('paid_click_ids')), NULL,
          'click_network: a click id whose value decodes to NULL is no click id');
SELECT is(attrib.click_network('https://x.com/?gclid=&msclkid=abc', attrib.setting('paid_click_ids')), 'bing',
          'click_network: the first parameter with a value counts');
SELECT is(attrib.click_network('https://x.com/?ttclid=a&gclid=b', attrib.setting('paid_click_ids')), 'tiktok',
          'click_network: the first click id in url order wins');
SELECT is(attrib.click_network('https://x.com/?a=1#gclid=abc', attrib.setting('paid_click_ids')), NULL,
          'click_network: a click id in the fragment is not read');
SELECT is(attrib.click_network('https://x.com/?GCLID=abc', attrib.setting('paid_click_ids')), NULL,
          'click_network: click id names are case-sensitive');
SELECT is(attrib.click_network(NULL, attrib.setting('paid_click_ids')), NULL, 'click_network(NULL, ids) is NULL');
SELECT is(attrib.click_network('https://x.com/?gclid=abc', NULL), NULL, 'click_network(url, NULL) is NULL');

SELECT * FROM finish();
ROLLBACK;
