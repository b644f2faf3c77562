-- Revision 0018 up: the shipped list covers Google's GA4 source categories (issue 27).
-- Frozen data: what migrations/data/source_classes.csv gained and lost in
-- this revision, so a database deployed before it ends with the list a
-- fresh deploy loads (revision 0007 reads the file as it is today).
--  * names Google's list classifies and attrib did not, or otherwise
--    (270): added, or given the file's class when shipped before, as GA4
--    categorizes them (crunchyroll, niconico, tudou video -> social;
--    ssense.com, woot.com shopping -> social; rakuten shopping -> search,
--    with Rakuten's shop hosts added as shopping). As in 0007, names a
--    user added are kept and a shipped name gets the file's class;
--  * shipped names that a new shorter name of the same class now decides
--    (101: blogger.com next to blogger): removed while they still
--    hold their shipped class, which changes no value's class.
INSERT INTO attrib.source_classes AS c (name, class) VALUES
  ('43things', 'social'), ('51.com', 'social'), ('aax-us-east.amazon-adsystem.com', 'shopping'), ('aax.amazon-adsystem.com', 'shopping'),
  ('activerain', 'social'), ('activeworlds', 'social'), ('addthis', 'social'), ('airg.ca', 'social'),
  ('allnurses.com', 'social'), ('allrecipes.com', 'social'), ('alumniclass', 'social'), ('americantowns', 'social'),
  ('ancestry.com', 'social'), ('anobii', 'social'), ('answerbag', 'social'), ('aolanswers', 'social'),
  ('askubuntu', 'social'), ('asmallworld.com', 'social'), ('athlinks', 'social'), ('avg', 'search'),
  ('awe.sm', 'social'), ('baby-gaga', 'social'), ('babylon', 'search'), ('beforeitsnews', 'social'),
  ('bharatstudent', 'social'), ('biswap.org', 'social'), ('bit.ly', 'social'), ('blackcareernetwork.com', 'social'),
  ('blackplanet', 'social'), ('blog.com', 'social'), ('blog.goo.ne.jp', 'social'), ('blog.yahoo.co.jp', 'social'),
  ('blogg.no', 'social'), ('bloggang.com', 'social'), ('blogger', 'social'), ('blogher', 'social'),
  ('bloglines', 'social'), ('blogs.com', 'social'), ('blogsome', 'social'), ('blogster', 'social'),
  ('blurtit', 'social'), ('bookmarks.yahoo.co.jp', 'social'), ('bookmarks.yahoo.com', 'social'), ('brightkite', 'social'),
  ('brizzly', 'social'), ('buzzfeed', 'social'), ('buzznet', 'social'), ('cafemom', 'social'),
  ('camospace', 'social'), ('canalblog.com', 'social'), ('care.com', 'social'), ('care2', 'social'),
  ('caringbridge.org', 'social'), ('catster', 'social'), ('cbnt.io', 'social'), ('cellufun', 'social'),
  ('centerblog.net', 'social'), ('chegg.com', 'social'), ('chicagonow', 'social'), ('classmates', 'social'),
  ('classquest', 'social'), ('cnn', 'search'), ('cocolog-nifty', 'social'), ('comcast', 'search'),
  ('copainsdavant.linternaute.com', 'social'), ('couchsurfing.org', 'social'), ('cozycot', 'social'), ('crackle', 'video'),
  ('cross.tv', 'social'), ('crunchyroll', 'social'), ('d.tube', 'video'), ('deluxe.com', 'social'),
  ('dianping', 'social'), ('digg', 'social'), ('diigo', 'social'), ('disqus', 'social'),
  ('dogster', 'social'), ('dol2day', 'social'), ('doostang', 'social'), ('dopplr', 'social'),
  ('drugs-forum', 'social'), ('dzone', 'social'), ('edublogs.org', 'social'), ('elftown', 'social'),
  ('extole', 'social'), ('faceparty', 'social'), ('fanpop', 'social'), ('fark', 'social'),
  ('feedspot', 'social'), ('feministing', 'social'), ('filmaffinity', 'social'), ('flipboard', 'social'),
  ('folkdirect', 'social'), ('foodservice', 'social'), ('forums.androidcentral.com', 'social'), ('forums.crackberry.com', 'social'),
  ('forums.imore.com', 'social'), ('forums.webosnation.com', 'social'), ('forums.wpcentral.com', 'social'), ('fotki', 'social'),
  ('foursquare', 'social'), ('friendfeed', 'social'), ('fruehstueckstreff.org', 'social'), ('fubar', 'social'),
  ('gaiaonline', 'social'), ('gamerdna', 'social'), ('gather.com', 'social'), ('glassboard', 'social'),
  ('globo', 'search'), ('godtube', 'social'), ('goldenline.pl', 'social'), ('goldstar', 'social'),
  ('goo.gl', 'social'), ('gooblog', 'social'), ('google shopping', 'shopping'), ('google+', 'social'),
  ('googlegroups.com', 'social'), ('googleplus', 'social'), ('govloop', 'social'), ('gowalla', 'social'),
  ('gulli.com', 'social'), ('habbo', 'social'), ('hatena', 'social'), ('hootsuite', 'social'),
  ('houzz', 'social'), ('hoverspot', 'social'), ('hr.com', 'social'), ('hubculture', 'social'),
  ('hyves.net', 'social'), ('ibibo', 'social'), ('ichiba.rakuten.co.jp', 'shopping'), ('ig', 'social'),
  ('igshopping', 'shopping'), ('imageshack', 'social'), ('imvu', 'social'), ('insanejournal', 'social'),
  ('instapaper', 'social'), ('interpals.net', 'social'), ('intherooms', 'social'), ('irc-galleria.net', 'social'),
  ('is.gd', 'social'), ('italki', 'social'), ('item.rakuten.co.jp', 'shopping'), ('jammerdirect', 'social'),
  ('jappy.com', 'social'), ('kaneva', 'social'), ('librarything', 'social'), ('lifestream.aol.com', 'social'),
  ('line', 'social'), ('listal', 'social'), ('listography', 'social'), ('livedoorblog', 'social'),
  ('mbga.jp', 'social'), ('meetin.org', 'social'), ('meinvz.net', 'social'), ('menuism.com', 'social'),
  ('messages.google.com', 'social'), ('messages.yahoo.co.jp', 'social'), ('mocospace', 'social'), ('mouthshut', 'social'),
  ('movabletype', 'social'), ('mubi', 'social'), ('my.opera.com', 'social'), ('myheritage', 'social'),
  ('mylife', 'social'), ('mymodernmet', 'social'), ('najdi', 'search'), ('netvibes', 'social'),
  ('newsshowcase', 'social'), ('nexopia', 'social'), ('ngopost.org', 'social'), ('niconico', 'social'),
  ('nicovideo.jp', 'social'), ('nightlifelink', 'social'), ('ning', 'social'), ('nl.shopping.net', 'shopping'),
  ('no.shopping.net', 'shopping'), ('oneworldgroup.org', 'social'), ('onstartups', 'social'), ('opendiary', 'social'),
  ('oshiete.goo.ne.jp', 'social'), ('photobucket', 'social'), ('pinboard', 'social'), ('pingsta', 'social'),
  ('playahead.se', 'social'), ('plus.url.google.com', 'social'), ('pocket.co', 'social'), ('posterous', 'social'),
  ('pro.homeadvisor.com', 'social'), ('pulse.yahoo.com', 'social'), ('qapacity', 'social'), ('quechup', 'social'),
  ('rakuten', 'search'), ('rakuten.com', 'shopping'), ('rakuten.fr', 'shopping'), ('ravelry', 'social'),
  ('redux', 'social'), ('renren', 'social'), ('reunion', 'social'), ('reverbnation', 'social'),
  ('rtl.de', 'social'), ('ryze', 'social'), ('s3.amazonaws.com', 'shopping'), ('salespider', 'social'),
  ('screenrant', 'social'), ('scribd', 'social'), ('scvngr', 'social'), ('se.shopping.net', 'shopping'),
  ('secondlife', 'social'), ('serverfault', 'social'), ('shareit', 'social'), ('sharethis', 'social'),
  ('shvoong.com', 'social'), ('skyrock', 'social'), ('slideshare.net', 'social'), ('social', 'social'),
  ('sociallife.com.br', 'social'), ('socialvibe', 'social'), ('spaces.live.com', 'social'), ('spoke', 'social'),
  ('spruz', 'social'), ('ssense.com', 'social'), ('stackapps', 'social'), ('stickam', 'social'),
  ('stripe', 'shopping'), ('superuser', 'social'), ('sweeva', 'social'), ('tagged', 'social'),
  ('taggedmail', 'social'), ('talkbiznow', 'social'), ('techmeme', 'social'), ('ted', 'video'),
  ('tencent', 'social'), ('terra', 'search'), ('tinyurl', 'social'), ('toolbox', 'social'),
  ('travellerspoint', 'social'), ('trombi', 'social'), ('trustpilot', 'social'), ('tudou', 'social'),
  ('tweetdeck', 'social'), ('twoo.com', 'social'), ('typepad', 'social'), ('uk.shopping.net', 'shopping'),
  ('urbanspoon.com', 'social'), ('ushareit.com', 'social'), ('ushi.cn', 'social'), ('utreon', 'video'),
  ('vampirefreaks', 'social'), ('vampirerave', 'social'), ('veoh', 'video'), ('vg.no', 'social'),
  ('viadeo.journaldunet.com', 'video'), ('video.ibm.com', 'social'), ('wakoopa', 'social'), ('wattpad', 'social'),
  ('webshots', 'social'), ('weebly', 'social'), ('weread', 'social'), ('wiki.answers.com', 'social'),
  ('wikitravel.org', 'social'), ('woot.com', 'social'), ('wordpress', 'social'), ('xanga', 'social'),
  ('yahoo-mbga.jp', 'social'), ('yammer', 'social'), ('youroom.in', 'social'), ('zalo', 'social'),
  ('zoo.gr', 'social'), ('zooppa', 'social')
ON CONFLICT (name) DO UPDATE SET class = EXCLUDED.class WHERE c.class <> EXCLUDED.class;

DELETE FROM attrib.source_classes WHERE (name, class) IN (
  ('43things.com', 'social'), ('activerain.com', 'social'), ('anobii.com', 'social'), ('askubuntu.com', 'social'),
  ('athlinks.com', 'social'), ('aus.social', 'social'), ('beforeitsnews.com', 'social'), ('bharatstudent.com', 'social'),
  ('blackplanet.com', 'social'), ('blogger.com', 'social'), ('blurtit.com', 'social'), ('bsky.social', 'social'),
  ('buzzfeed.com', 'social'), ('buzznet.com', 'social'), ('care2.com', 'social'), ('chaos.social', 'social'),
  ('classmates.com', 'social'), ('com.tencent.mm', 'social'), ('cozycot.com', 'social'), ('crackle.com', 'video'),
  ('dianping.com', 'social'), ('digg.com', 'social'), ('diigo.com', 'social'), ('disqus.com', 'social'),
  ('dogster.com', 'social'), ('dol2day.de', 'social'), ('doostang.com', 'social'), ('dzone.com', 'social'),
  ('elftown.com', 'social'), ('faceparty.com', 'social'), ('fanpop.com', 'social'), ('fark.com', 'social'),
  ('feedspot.com', 'social'), ('filmaffinity.com', 'social'), ('flipboard.com', 'social'), ('foursquare.com', 'social'),
  ('fubar.com', 'social'), ('gaiaonline.com', 'social'), ('habbo.com', 'social'), ('hatena.ne.jp', 'social'),
  ('hive.social', 'social'), ('hootsuite.com', 'social'), ('houzz.com', 'social'), ('hubculture.com', 'social'),
  ('insanejournal.com', 'social'), ('instapaper.com', 'social'), ('isearch.avg.com', 'search'), ('italki.com', 'social'),
  ('kaneva.com', 'social'), ('kbin.social', 'social'), ('kolektiva.social', 'social'), ('librarything.com', 'social'),
  ('line.me', 'social'), ('listal.com', 'social'), ('mocospace.com', 'social'), ('mouthshut.com', 'social'),
  ('mubi.com', 'video'), ('myheritage.com', 'social'), ('mylife.com', 'social'), ('mysearch.avg.com', 'search'),
  ('najdi.org.mk', 'search'), ('najdi.si', 'search'), ('netvibes.com', 'social'), ('newsie.social', 'social'),
  ('nexopia.com', 'social'), ('ning.com', 'social'), ('opendiary.com', 'social'), ('photobucket.com', 'social'),
  ('pinboard.in', 'social'), ('quechup.com', 'social'), ('ravelry.com', 'social'), ('renren.com', 'social'),
  ('reverbnation.com', 'social'), ('scribd.com', 'social'), ('serverfault.com', 'social'), ('sfba.social', 'social'),
  ('sharethis.com', 'social'), ('skyrock.com', 'social'), ('snort.social', 'social'), ('social.coop', 'social'),
  ('stackapps.com', 'social'), ('superuser.com', 'social'), ('tagged.com', 'social'), ('techhub.social', 'social'),
  ('techmeme.com', 'social'), ('ted.com', 'video'), ('travellerspoint.com', 'social'), ('trombi.com', 'social'),
  ('trustpilot.com', 'social'), ('typepad.com', 'social'), ('utreon.com', 'video'), ('vampirefreaks.com', 'social'),
  ('veoh.com', 'video'), ('wattpad.com', 'social'), ('webshots.com', 'social'), ('weebly.com', 'social'),
  ('wordpress.com', 'social'), ('xanga.com', 'social'), ('yammer.com', 'social'), ('zalo.me', 'social'),
  ('zooppa.com', 'social'));

-- Own subdomains counted as referrals (issue 27): with own_domains empty, a
-- visit from www.example.com to app.example.com is a Referral (definitions §5).
-- The attribute stage keeps here, for the run that publishes, the
-- (landing host, referrer host) pairs of the Referral sessions it publishes
-- with their counts, aggregated in the database so that no session row
-- leaves it; `attrib run` reads them after the run and warns when most come
-- from the landing host's own registrable domain (by the Public Suffix List,
-- in Python). Only the latest run's rows are kept.
CREATE TABLE attrib.run_referrals (
    run_id        bigint NOT NULL,
    landing_host  text NOT NULL,
    referrer_host text NOT NULL,
    sessions      bigint NOT NULL CHECK (sessions > 0),
    PRIMARY KEY (run_id, landing_host, referrer_host)
);
COMMENT ON TABLE attrib.run_referrals IS
  'Referral sessions the latest run published, per (landing host, referrer host): what attrib run checks for '
  'own subdomains counted as referrals (setting own_domains)';
