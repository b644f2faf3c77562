"""Definitions §11's optional sources for the demo: ad spend, survey answers and a content map with authors.

Written after the Segment tables (demo_data.generate), in SQL from them, deterministic per seed:
* ads.spend: a daily budget per paid campaign the sample traffic carries (Google and Bing search,
  Facebook, LinkedIn and YouTube ads), plus a display campaign that brings no signups;
* app.survey: "where did you hear about us" from about 70 % of the signed-up users, mostly what
  their first visit shows, but a quarter of them say "youtube" or "a friend" whatever it was;
* cms.content: every blog post's URL and its author (four authors), and the blog index.
Each setting (spend_source, survey_source, content_source) then names its table.
"""

from __future__ import annotations

import psycopg
from psycopg import sql

from .demo_data import BLOG_SLUGS, SITE

AUTHORS = ("Ada Park", "Ben Okafor", "Chloe Martin", "Dev Rao")
# (source, medium, campaign, daily budget): the paid traffic demo_data writes, and one that converts nobody
CAMPAIGNS = (("google", "cpc", "brand_search", 40), ("google", "cpc", "generic_attribution", 120),
             ("google", "cpc", "competitor_terms", 60), ("bing", "cpc", "generic_attribution", 25),
             ("facebook", "paidsocial", "q4_prospecting", 90), ("facebook", "paidsocial", "lookalike_signups", 70),
             ("linkedin", "paid_social", "Webinar Promo", 80), ("youtube", "cpv", "q4_prospecting", 50),
             ("dv360", "display", "awareness_banners", 30))


def _grant(conn: psycopg.Connection, schema: str, table: str) -> None:
    owner = conn.execute("SELECT role_name FROM attrib.roles WHERE kind = 'owner'").fetchone()[0]
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(schema), sql.Identifier(owner)))
    conn.execute(sql.SQL("GRANT SELECT ON {} TO {}").format(sql.Identifier(schema, table), sql.Identifier(owner)))
    conn.execute("UPDATE attrib.settings SET value = %s::jsonb WHERE name = %s",
                 (f'"{schema}.{table}"', f"{table}_source"))


def add_spend(conn: psycopg.Connection, *, schema: str = "segment", seed: int = 42) -> int:
    conn.execute("CREATE SCHEMA IF NOT EXISTS ads")
    conn.execute("DROP TABLE IF EXISTS ads.spend")
    conn.execute("CREATE TABLE ads.spend (day date, source text, medium text, campaign text, amount numeric(12, 2))")
    conn.execute(sql.SQL("""
        INSERT INTO ads.spend (day, source, medium, campaign, amount)
        SELECT d::date, c.source, c.medium, c.campaign,
               round(c.budget * (0.8 + (abs(hashtext(c.campaign || d::date::text || %(seed)s)) %% 41) / 100.0), 2)
          FROM (SELECT min("timestamp") AS first, max("timestamp") AS last FROM {pages}) r
         CROSS JOIN LATERAL generate_series(date_trunc('day', r.first AT TIME ZONE 'UTC'),
                                            r.last AT TIME ZONE 'UTC', interval '1 day') d
         CROSS JOIN (SELECT * FROM unnest(%(sources)s::text[], %(mediums)s::text[], %(campaigns)s::text[],
                                          %(budgets)s::int[])) c(source, medium, campaign, budget)
        """).format(pages=sql.Identifier(schema, "pages")),
        {"seed": str(seed), "sources": [c[0] for c in CAMPAIGNS], "mediums": [c[1] for c in CAMPAIGNS],
         "campaigns": [c[2] for c in CAMPAIGNS], "budgets": [c[3] for c in CAMPAIGNS]})
    _grant(conn, "ads", "spend")
    return conn.execute("SELECT count(*) FROM ads.spend").fetchone()[0]


def add_survey(conn: psycopg.Connection, *, schema: str = "segment", seed: int = 42) -> int:
    conn.execute("CREATE SCHEMA IF NOT EXISTS app")
    conn.execute("DROP TABLE IF EXISTS app.survey")
    conn.execute("CREATE TABLE app.survey (user_id text, answer text, answered_at timestamptz)")
    # a user's first page: through the device they signed up on (demo_data's signups carry it)
    conn.execute(sql.SQL("""
        INSERT INTO app.survey (user_id, answer, answered_at)
        SELECT u.user_id,
               CASE WHEN abs(u.h / 5) %% 4 = 0 THEN (ARRAY['YouTube', 'A friend'])[1 + abs(u.h / 11) %% 2]
                    WHEN f.hint ~* 'google|bing|duckduckgo' THEN 'Google'
                    WHEN f.hint ~* 'facebook|instagram' THEN 'Facebook'
                    WHEN f.hint ~* 'linkedin' THEN 'LinkedIn'
                    WHEN f.hint ~* 'youtube' THEN 'YouTube'
                    WHEN f.hint ~* 'chatgpt|perplexity|claude|gemini|copilot' THEN 'ChatGPT'
                    WHEN f.hint ~* 'podcast' THEN 'Podcast'
                    WHEN f.hint ~* 'newsletter|hubspot|customerio|mail' THEN 'Newsletter'
                    ELSE 'A friend' END,
               u.signed + interval '10 minutes'
          FROM (SELECT v.user_id, min(v.signed) AS signed, min(v.anon) AS anon, hashtext(v.user_id || %(seed)s) AS h
                  FROM (SELECT coalesce(t.user_id, (SELECT i.user_id FROM {identifies} i
                                                     WHERE i.anonymous_id = t.anonymous_id AND i.user_id IS NOT NULL
                                                     ORDER BY i."timestamp" LIMIT 1)) AS user_id,
                               t."timestamp" AS signed, t.anonymous_id AS anon
                          FROM {tracks} t WHERE t.event IN ('signed_up', 'Signed Up')) v
                 WHERE v.user_id IS NOT NULL
                 GROUP BY v.user_id) u
         CROSS JOIN LATERAL (SELECT concat_ws(' ', p.context_campaign_source, p.referrer, p.url) AS hint
                               FROM {pages} p WHERE p.anonymous_id = u.anon
                              ORDER BY p."timestamp" LIMIT 1) f
         WHERE abs(u.h / 3) %% 10 < 7
        """).format(tracks=sql.Identifier(schema, "tracks"), pages=sql.Identifier(schema, "pages"),
                 identifies=sql.Identifier(schema, "identifies")),
        {"seed": str(seed)})
    # an answer from an account that no longer exists: counted in sessions.survey_unmatched
    conn.execute("INSERT INTO app.survey VALUES ('deleted-account-1', 'Google', '2024-11-02 10:00+00')")
    _grant(conn, "app", "survey")
    return conn.execute("SELECT count(*) FROM app.survey").fetchone()[0]


def add_content(conn: psycopg.Connection) -> int:
    conn.execute("CREATE SCHEMA IF NOT EXISTS cms")
    conn.execute("DROP TABLE IF EXISTS cms.content")
    conn.execute("CREATE TABLE cms.content (url_prefix text, content_group text)")
    rows = [(f"{SITE}/blog/{slug}", AUTHORS[i % len(AUTHORS)]) for i, slug in enumerate(BLOG_SLUGS)]
    rows.append((f"{SITE}/blog/", "Blog index"))
    with conn.cursor() as cur:
        cur.executemany("INSERT INTO cms.content VALUES (%s, %s)", rows)
    _grant(conn, "cms", "content")
    return len(rows)


def add_all(conn: psycopg.Connection, *, schema: str = "segment", seed: int = 42) -> dict[str, int]:
    """All three sources and their settings; returns the rows of each table."""
    return {"ads.spend": add_spend(conn, schema=schema, seed=seed),
            "app.survey": add_survey(conn, schema=schema, seed=seed),
            "cms.content": add_content(conn)}
