-- Revision 0002: the shipped list of source classes (definitions §5).
-- Sources: GA4's default channel group source lists (search, social) and the
-- referrer hosts of common webmail clients and AI assistants. Users extend it
-- with plain INSERTs (see README, "Source classes"); ON CONFLICT keeps their edits.
INSERT INTO attrib.source_classes (name, class) VALUES
-- search engines
  ('google', 'search'), ('bing', 'search'), ('yahoo', 'search'), ('duckduckgo', 'search'),
  ('baidu', 'search'), ('yandex', 'search'), ('ecosia', 'search'), ('ask', 'search'),
  ('naver', 'search'), ('seznam', 'search'), ('search.brave.com', 'search'), ('startpage', 'search'),
  ('qwant', 'search'), ('aol', 'search'), ('sogou', 'search'), ('so.com', 'search'),
  ('daum', 'search'), ('yandex.ru', 'search'), ('ya.ru', 'search'), ('msn', 'search'),
  ('mojeek', 'search'), ('dogpile', 'search'), ('lycos', 'search'), ('search.aol.com', 'search'),
  ('kagi', 'search'), ('petalsearch', 'search'), ('yahoo.co.jp', 'search'), ('goo.ne.jp', 'search'),
  ('rambler', 'search'), ('onet', 'search'), ('coccoc', 'search'), ('360.cn', 'search'),
  ('sm.cn', 'search'), ('info.com', 'search'), ('alice', 'search'), ('libero', 'search'),
  ('search-results', 'search'), ('searx', 'search'), ('metager', 'search'), ('swisscows', 'search'),
  ('you.com', 'search'), ('googleadservices', 'search'),
-- social networks
  ('facebook', 'social'), ('fb', 'social'), ('fb.me', 'social'), ('l.facebook.com', 'social'),
  ('m.facebook.com', 'social'), ('lm.facebook.com', 'social'), ('instagram', 'social'),
  ('l.instagram.com', 'social'), ('t.co', 'social'), ('twitter', 'social'), ('x.com', 'social'),
  ('linkedin', 'social'), ('lnkd.in', 'social'), ('youtube', 'social'), ('youtu.be', 'social'),
  ('reddit', 'social'), ('redd.it', 'social'), ('pinterest', 'social'), ('pin.it', 'social'),
  ('tiktok', 'social'), ('quora', 'social'), ('vimeo', 'social'), ('threads.net', 'social'),
  ('threads.com', 'social'), ('bsky.app', 'social'), ('bsky.social', 'social'), ('tumblr', 'social'),
  ('snapchat', 'social'), ('whatsapp', 'social'), ('wa.me', 'social'), ('telegram', 'social'),
  ('t.me', 'social'), ('discord', 'social'), ('discord.com', 'social'), ('messenger.com', 'social'),
  ('mastodon.social', 'social'), ('news.ycombinator.com', 'social'), ('producthunt', 'social'),
  ('medium.com', 'social'), ('weibo', 'social'), ('vk.com', 'social'), ('ok.ru', 'social'),
  ('line.me', 'social'), ('kakao', 'social'), ('xing', 'social'), ('meetup', 'social'),
  ('flickr', 'social'), ('twitch', 'social'), ('slack', 'social'), ('stackoverflow', 'social'),
  ('stackexchange', 'social'), ('github', 'social'), ('substack', 'social'), ('nextdoor', 'social'),
  ('yelp', 'social'), ('tripadvisor', 'social'), ('goodreads', 'social'), ('deviantart', 'social'),
  ('dribbble', 'social'), ('behance', 'social'), ('glassdoor', 'social'), ('douban', 'social'),
  ('wechat', 'social'), ('qzone', 'social'), ('lemmy', 'social'), ('dev.to', 'social'),
-- webmail (class email)
  ('mail.google.com', 'email'), ('com.google.android.gm', 'email'), ('inbox.google.com', 'email'),
  ('outlook.live.com', 'email'), ('outlook.office.com', 'email'), ('outlook.office365.com', 'email'),
  ('mail.yahoo.com', 'email'), ('mail.yahoo.net', 'email'), ('mail.aol.com', 'email'),
  ('mail.proton.me', 'email'), ('mail.protonmail.com', 'email'), ('webmail', 'email'),
  ('mail.zoho.com', 'email'), ('mail.yandex.ru', 'email'), ('mail.yandex.com', 'email'),
  ('mail.ru', 'email'), ('e.mail.ru', 'email'), ('mail.com', 'email'), ('gmx.net', 'email'),
  ('gmx.com', 'email'), ('web.de', 'email'), ('fastmail.com', 'email'), ('app.fastmail.com', 'email'),
  ('icloud.com', 'email'), ('mail.qq.com', 'email'), ('mail.163.com', 'email'), ('hey.com', 'email'),
  ('app.hey.com', 'email'), ('tutanota.com', 'email'), ('app.tuta.com', 'email'),
  ('com.microsoft.office.outlook', 'email'), ('com.yahoo.mobile.client.android.mail', 'email'),
  ('mail.naver.com', 'email'), ('mail.daum.net', 'email'), ('mail.seznam.cz', 'email'),
  ('email.t-online.de', 'email'), ('mail.libero.it', 'email'), ('webmail.orange.fr', 'email'),
  ('superhuman.com', 'email'), ('mail.superhuman.com', 'email'),
-- AI assistants
  ('chatgpt.com', 'ai'), ('chat.openai.com', 'ai'), ('openai.com', 'ai'), ('perplexity.ai', 'ai'),
  ('perplexity', 'ai'), ('gemini.google.com', 'ai'), ('bard.google.com', 'ai'), ('claude.ai', 'ai'),
  ('copilot.microsoft.com', 'ai'), ('copilot.cloud.microsoft', 'ai'), ('chat.mistral.ai', 'ai'),
  ('chat.deepseek.com', 'ai'), ('deepseek.com', 'ai'), ('grok.com', 'ai'), ('meta.ai', 'ai'),
  ('poe.com', 'ai'), ('phind.com', 'ai'), ('character.ai', 'ai'), ('chat.qwen.ai', 'ai'),
  ('kimi.com', 'ai'), ('kimi.moonshot.cn', 'ai'), ('pi.ai', 'ai'), ('huggingface.co', 'ai'),
  ('notebooklm.google.com', 'ai'), ('aistudio.google.com', 'ai'), ('com.openai.chatgpt', 'ai')
ON CONFLICT (name) DO NOTHING;
