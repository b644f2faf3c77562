"""Deterministic demo data: a Segment warehouse (`pages`, `tracks`, `identifies`) that looks real.

`generate()` writes visitors arriving over a window of days from the
channels a B2B site sees (direct, organic and paid search, paid and organic
social and video (YouTube), email, blog partners, AI assistants, a podcast, campaign values only in
`context_campaign_*`), in sessions of 1-8 page views; some come back over
days to months, 5-10 % sign up (a `signed_up` track, then an identify with
`user-<n>`), some signed-up users bring 2-4 devices that identify later.
It also writes the dirt real Segment data carries, at small rates:
re-delivered message ids, null-like ids (`''`, `'null'`, `'undefined'`),
rows with no ids at all, bot user agents, rows loaded late (`uuid_ts` hours
to days after `timestamp`).

The same seed (and window) writes the same rows, byte for byte: one
`random.Random` drives everything and ids come from a bijective mix of a
counter, so message ids are unique except the intended duplicates. Rows are
streamed with COPY in chunks: `pages` straight into the server, `tracks` and
`identifies` through temporary files, so memory stays flat whatever the size.

With `append_days` (and `replace=False`) it appends days of fresh traffic
after the existing data instead: new visitors, old anonymous ids coming back
(some of them identified now, which re-aliases their old history) and a few
events whose `timestamp` lies in the past but whose `uuid_ts` is new. That is
the input for benchmarks of incremental runs.
"""

from __future__ import annotations

import hashlib
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from random import Random
from typing import Callable

import psycopg
from psycopg import sql

DEFAULT_END = datetime(2024, 12, 31, 23, 59, 59, tzinfo=timezone.utc)

IDS = ("id", "anonymous_id", "user_id", "timestamp", "received_at", "sent_at", "uuid_ts")
CAMPAIGN = tuple(f"context_campaign_{part}" for part in ("source", "medium", "name", "term", "content"))
PAGE_COLUMNS = IDS + ("url", "referrer", "path", "title", "context_page_url",
                      "context_page_referrer") + CAMPAIGN + ("context_user_agent",)
TRACK_COLUMNS = IDS + ("event", "event_text", "context_page_url",
                       "context_page_referrer") + CAMPAIGN + ("context_user_agent",)
IDENTIFY_COLUMNS = IDS + ("email", "context_user_agent")
TABLES = {"pages": PAGE_COLUMNS, "tracks": TRACK_COLUMNS, "identifies": IDENTIFY_COLUMNS}
TIMESTAMP_COLUMNS = frozenset(("timestamp", "received_at", "sent_at", "uuid_ts"))

# -- rates -------------------------------------------------------------------

DUPLICATE_RATE = 0.005        # same message id delivered again, later
LATE_RATE = 0.010             # uuid_ts hours to days after timestamp
NULL_LIKE_ANON_RATE = 0.003   # anonymous_id '' / 'null' / 'undefined' ...
NULL_LIKE_USER_RATE = 0.003   # user_id likewise, on anonymous rows
NO_IDS_RATE = 0.0005          # neither anonymous_id nor user_id
BOT_VISITOR_RATE = 0.0095
RETURN_RATE = 0.30            # visitors who come back at least once
SIGNUP_RATE_ONE_VISIT = 0.055
SIGNUP_RATE_RETURNING = 0.15
SIGNUP_TITLE_CASE_RATE = 0.05  # 'Signed Up' in tracks.event instead of 'signed_up'
SERVER_IDENTIFY_RATE = 0.30    # a second, server-side identify (user_id only) at signup
MULTI_DEVICE_RATE = 0.20       # of signed-up users: 1-3 more devices
TRACK_PER_PAGE_RATE = 0.22
URL_ONLY_IN_CONTEXT_RATE = 0.01  # pages.url / referrer NULL, context_page_* set
MIXED_CASE_UTM_RATE = 0.03
# appends
RETURNING_OLD_SHARE = 1 / 40   # old anonymous ids sampled per appended event
OLD_SIGNUP_RATE = 0.25
OLD_LOGIN_AS_OLD_USER_RATE = 0.10
BACKFILL_RATE = 0.003          # appended events with an old timestamp

CHUNK_ROWS = 4096
PROGRESS_EVERY = 200_000
DAY_MS = 86_400_000
HOUR_MS = 3_600_000
MASK64 = (1 << 64) - 1
N = "\\N"  # NULL in COPY text format

# -- pools ---------------------------------------------------------------------

SITE = "https://www.example.com"
CORE_PAGES = {
    "/": "Example Analytics: marketing attribution for Segment",
    "/pricing": "Pricing | Example Analytics",
    "/features": "Features | Example Analytics",
    "/features/attribution": "Multi-touch attribution | Example Analytics",
    "/features/dashboards": "Dashboards | Example Analytics",
    "/features/integrations": "Integrations | Example Analytics",
    "/customers": "Customers | Example Analytics",
    "/about": "About us | Example Analytics",
    "/contact": "Contact sales | Example Analytics",
    "/docs": "Documentation | Example Analytics",
    "/docs/getting-started": "Getting started | Example Analytics Docs",
    "/docs/segment-setup": "Connect Segment | Example Analytics Docs",
    "/docs/api": "API reference | Example Analytics Docs",
    "/security": "Security | Example Analytics",
    "/changelog": "Changelog | Example Analytics",
    "/careers": "Careers | Example Analytics",
}
CORE_WEIGHTS = (30, 22, 14, 8, 5, 4, 5, 3, 4, 6, 5, 3, 2, 2, 2, 1)
BLOG_SLUGS = tuple(
    f"{a}-{b}" for a, b in (
        ("first-touch-vs-last-touch", "attribution"), ("what-is", "multi-touch-attribution"),
        ("segment-warehouse", "schema-explained"), ("utm-parameters", "best-practices"),
        ("gclid-and-auto-tagging", "explained"), ("time-decay", "attribution-models"),
        ("b2b-marketing", "funnel-metrics"), ("identity-resolution", "for-marketers"),
        ("postgres-for", "analytics-engineers"), ("how-we-cut", "cac-by-30-percent"),
        ("ai-assistants-as", "a-traffic-source"), ("dark-social", "and-direct-traffic"),
        ("session-definitions", "compared"), ("building-a", "marketing-data-stack"),
        ("linkedin-ads", "benchmarks-2024"), ("email-attribution", "pitfalls"),
        ("bot-traffic", "in-your-analytics"), ("cross-device", "tracking-basics"),
        ("content-marketing", "roi"), ("paid-search", "vs-organic"),
    ))
APP_PAGES = {
    "/app": "Home | Example Analytics", "/app/dashboard": "Dashboard | Example Analytics",
    "/app/reports": "Reports | Example Analytics", "/app/sources": "Sources | Example Analytics",
    "/app/settings": "Settings | Example Analytics", "/app/onboarding": "Welcome | Example Analytics",
}
LANDING_PAGES = {"/lp/attribution-software": "Attribution software for Segment | Example Analytics",
                 "/lp/free-trial": "Start your free trial | Example Analytics",
                 "/lp/vs-spreadsheets": "Stop attributing in spreadsheets | Example Analytics"}

BROWSERS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36 Edg/120.0.0.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.6099.43 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/16.6 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (Linux; Android 13; SM-S911B) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36",
)
BROWSER_WEIGHTS = (30, 18, 12, 8, 7, 12, 6, 3, 2, 2)
BOTS = (
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "HeadlessChrome/120.0.6099.71 Safari/537.36",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 (compatible; AhrefsBot/7.0; +http://ahrefs.com/robot/)",
    "Mozilla/5.0 (compatible; YandexBot/3.0; +http://yandex.com/bots)",
    "Mozilla/5.0 (Linux; Android 11; moto g power (2022)) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/119.0.0.0 Mobile Safari/537.36 Chrome-Lighthouse",
)
NULL_LIKE = ("", "null", "undefined", "None", "NULL")
EMAIL_DOMAINS = ("gmail.com", "acme.io", "globex.com", "initech.co", "hooli.xyz", "outlook.com")

SEARCH_REFERRERS = ("https://www.google.com/", "https://www.google.co.uk/", "https://www.bing.com/",
                    "https://duckduckgo.com/", "https://www.google.de/", "https://search.yahoo.com/")
SEARCH_WEIGHTS = (60, 12, 12, 8, 5, 3)
PARTNER_REFERRERS = ("https://segmentfans.dev/posts/attribution-roundup",
                     "https://news.ycombinator.com/", "https://dev.to/datacraft/tracking-plans-101",
                     "https://medium.com/@growthnotes/our-attribution-stack-2b1f",
                     "https://www.producthunt.com/posts/example-analytics",
                     "https://martech.example.org/newsletter/issue-112")
REVIEW_REFERRERS = ("https://www.g2.com/products/example-analytics/reviews",
                    "https://www.capterra.com/p/203311/Example-Analytics/",
                    "https://github.com/example/attrib", "https://stackoverflow.com/questions/7711")
# YouTube (a video site, definitions §5) shares what was the LinkedIn app's slot, so
# every other referrer keeps its draws and the random stream is unchanged.
SOCIAL_REFERRERS = ("https://t.co/", "https://www.linkedin.com/", "https://lnkd.in/",
                    "https://www.reddit.com/r/analytics/", "https://old.reddit.com/r/marketing/",
                    "android-app://com.linkedin.android/", "https://www.youtube.com/", "https://m.facebook.com/")
SOCIAL_WEIGHTS = (25, 25, 8, 15, 7, 5, 5, 10)
AI_REFERRERS = ("https://chatgpt.com/", "https://www.perplexity.ai/", "https://gemini.google.com/",
                "https://copilot.microsoft.com/")
AI_WEIGHTS = (70, 15, 10, 5)
SEARCH_CAMPAIGNS = ("brand_search", "generic_attribution", "competitor_terms", "Retargeting Search")
SEARCH_TERMS = ("attribution software", "marketing attribution", "segment attribution",
                "multi touch attribution", "example analytics", "first touch attribution tool")
SOCIAL_CAMPAIGNS = ("q4_prospecting", "lookalike_signups", "Webinar Promo", "retargeting_30d")
EMAIL_CAMPAIGNS = ("weekly_digest", "product_update_nov", "onboarding_day_3", "Black Friday 2024",
                   "webinar_invite")
CONTEXT_ONLY_CAMPAIGNS = (("partner", "referral", "q4_partner_program", None, None),
                          ("podcast", "audio", "data_talks_ep_41", None, None),
                          ("webinar", "event", "attribution_masterclass", None, "replay"),
                          ("in_app", "product", "upgrade_banner", None, "variant_b"))

# channels and how often first visits / returning visits come from each
CHANNELS = tuple(range(10))
DIRECT, ORGANIC, PAID_SEARCH, PAID_SOCIAL, EMAIL, BLOG, SOCIAL, AI, CONTEXT_ONLY, REFERRAL = CHANNELS
FIRST_CHANNEL_WEIGHTS = (22, 27, 13, 7, 6, 6, 7, 4, 3, 5)
RETURN_CHANNEL_WEIGHTS = (45, 18, 8, 4, 14, 2, 4, 3, 1, 1)
PAGES_PER_SESSION_WEIGHTS = (35, 20, 15, 10, 8, 5, 4, 3)  # 1..8
HOUR_WEIGHTS = (2, 1, 1, 1, 1, 2, 3, 5, 7, 9, 10, 10, 10, 11, 12, 12, 11, 10, 8, 7, 6, 5, 4, 3)
TRACKS = (("button_clicked", "Button Clicked"), ("video_played", "Video Played"),
          ("cta_clicked", "CTA Clicked"), ("form_submitted", "Form Submitted"),
          ("link_clicked", "Link Clicked"), ("pricing_toggled", "Pricing Toggled"))
TRACK_WEIGHTS = (35, 15, 18, 8, 16, 8)
APP_TRACKS = (("report_viewed", "Report Viewed"), ("source_connected", "Source Connected"),
              ("dashboard_shared", "Dashboard Shared"), ("button_clicked", "Button Clicked"))


@dataclass
class GenerateStats:
    """What `generate()` wrote: rows per table and how many of each kind of dirt."""

    schema: str
    window_start: datetime
    window_end: datetime
    pages: int = 0
    tracks: int = 0
    identifies: int = 0
    visitors: int = 0                # new people (their first anonymous id)
    returning_visitors: int = 0      # of those, who came back on another day
    sessions: int = 0
    signups: int = 0                 # signed_up tracks written (one per user)
    multi_device_users: int = 0      # users identified on 2-4 anonymous ids
    extra_devices: int = 0
    duplicates: int = 0              # rows re-delivered with a message id seen before
    bot_visitors: int = 0
    bot_rows: int = 0
    null_like_ids: int = 0           # rows with '' / 'null' / 'undefined' ... ids
    no_id_rows: int = 0              # rows with neither anonymous_id nor user_id
    late_rows: int = 0               # uuid_ts at least an hour after received_at
    returning_old_ids: int = 0       # appends: old anonymous ids that came back
    reidentified_old_ids: int = 0    # appends: old anonymous ids identified now
    backfilled_rows: int = 0         # appends: old timestamp, new uuid_ts
    seconds: float = 0.0

    @property
    def events(self) -> int:
        return self.pages + self.tracks

    def summary(self) -> str:
        """One line of counts, `name=value` separated by spaces."""
        parts = {
            "pages": self.pages, "tracks": self.tracks, "identifies": self.identifies,
            "visitors": self.visitors, "returning": self.returning_visitors,
            "sessions": self.sessions, "signup_events": self.signups,
            "multi_device_users": self.multi_device_users, "duplicates": self.duplicates,
            "bot_rows": self.bot_rows, "null_like_ids": self.null_like_ids,
            "no_id_rows": self.no_id_rows, "late_rows": self.late_rows,
        }
        if self.returning_old_ids or self.backfilled_rows:
            parts.update(returning_old_ids=self.returning_old_ids,
                         reidentified_old_ids=self.reidentified_old_ids,
                         backfilled_rows=self.backfilled_rows)
        text = " ".join(f"{key}={value}" for key, value in parts.items())
        return (f"schema={self.schema} {text} window={self.window_start.isoformat()}.."
                f"{self.window_end.isoformat()} seconds={self.seconds:.1f}")


def generate(conn: psycopg.Connection, *, schema: str = "segment", events: int, days: int,
             seed: int, end: datetime | None = None, replace: bool = True, append_days: int = 0,
             progress: Callable[[str], None] | None = None) -> GenerateStats:
    """Write about `events` pages + tracks rows (and their identifies) into `schema`.

    `replace` drops and recreates the three tables; otherwise they are created
    when missing and rows are added. With `append_days` (requires
    `replace=False`) the window is the `append_days` days after the newest row
    already there (`end` is ignored) and about `events / days` events are written
    per day. A naive `end` is UTC. Everything happens in one transaction.
    `progress` receives human-readable progress lines.
    """
    if events < 0 or days < 1 or append_days < 0:
        raise ValueError("events must be >= 0, days >= 1 and append_days >= 0")
    if append_days and replace:
        raise ValueError("append_days needs replace=False: an append keeps the existing rows")
    started = time.perf_counter()
    say = progress or (lambda message: None)
    with conn.transaction():
        if replace:
            _drop_tables(conn, schema)
        _create_tables(conn, schema)
        if append_days:
            state = _existing_state(conn, schema)
            if state.newest is None:
                raise ValueError(f"nothing to append to: {schema}.pages, tracks and identifies are "
                                 "empty; generate a first window without append_days")
            start = state.newest
            window_end = start + timedelta(days=append_days)
            target = round(events * append_days / days)
            marker = f"{start.isoformat()}:{state.rows}"
        else:
            window_end = end or DEFAULT_END
            window_end = (window_end.replace(tzinfo=timezone.utc) if window_end.tzinfo is None
                          else window_end.astimezone(timezone.utc))
            start = window_end - timedelta(days=days)
            target = events
            state = _existing_state(conn, schema) if not replace else _State(None, 0, 0)
            marker = f"{state.newest.isoformat() if state.newest else ''}:{state.rows}"
        stats = GenerateStats(schema=schema, window_start=start, window_end=window_end)
        gen = _Generator(seed=seed, marker=marker, start=start, end=window_end,
                         first_user=state.max_user + 1, stats=stats, say=say, started=started)
        old = _sample_old_ids(conn, schema, gen.sample_salt,
                              max(3, int(target * RETURNING_OLD_SHARE))) if append_days else []
        say(f"writing about {target} events into {schema} "
            f"({start:%Y-%m-%d %H:%M} .. {window_end:%Y-%m-%d %H:%M} UTC)")
        with tempfile.TemporaryFile("w+", encoding="utf-8") as tracks_file, \
                tempfile.TemporaryFile("w+", encoding="utf-8") as identifies_file:
            with conn.cursor() as cur:
                with cur.copy(_copy_sql(schema, "pages")) as copy:
                    gen.open(pages=copy.write, tracks=tracks_file.write,
                             identifies=identifies_file.write)
                    if old:
                        gen.returning_old(old)
                    gen.new_visitors(target)
                    gen.close()
                for table, spool in (("tracks", tracks_file), ("identifies", identifies_file)):
                    spool.seek(0)
                    with cur.copy(_copy_sql(schema, table)) as copy:
                        while chunk := spool.read(1 << 20):
                            copy.write(chunk)
        say(f"loaded {stats.events} events, {stats.identifies} identifies in "
            f"{time.perf_counter() - started:.1f}s; analyzing")
        if replace:
            _lay_out_in_load_order(conn, schema)
        for table in TABLES:
            conn.execute(sql.SQL("ANALYZE {}").format(sql.Identifier(schema, table)))
        _grant_to_attrib(conn, schema)
    stats.seconds = time.perf_counter() - started
    return stats


# -- database helpers ----------------------------------------------------------


def _grant_to_attrib(conn: psycopg.Connection, schema: str) -> None:
    """Let attrib read the tables it was given (what `attrib deploy --grant-source` does), where it is deployed."""
    deployed = conn.execute("SELECT pg_catalog.to_regprocedure('attrib._grant_source(text)') IS NOT NULL").fetchone()[0]
    if deployed:
        conn.execute("SELECT attrib._grant_source(%s)", (schema,))


@dataclass
class _State:
    newest: datetime | None   # the latest timestamp or uuid_ts already there
    rows: int
    max_user: int             # largest n of user ids 'user-<n>'


def _lay_out_in_load_order(conn: psycopg.Connection, schema: str) -> None:
    """Rewrite each table in uuid_ts order, server side.

    Segment's loader appends rows as it loads them, so in production a
    table's physical order follows uuid_ts; the generator writes visitor by
    visitor. Without this, benchmarks of reads by load time (which a BRIN
    index on uuid_ts serves) would see an unrealistically scattered table.
    """
    for table in TABLES:
        ident = sql.Identifier(schema, table)
        conn.execute(sql.SQL("CREATE TEMP TABLE _load_order AS SELECT * FROM {} ORDER BY uuid_ts").format(ident))
        conn.execute(sql.SQL("TRUNCATE {}").format(ident))
        conn.execute(sql.SQL("INSERT INTO {} SELECT * FROM _load_order").format(ident))
        conn.execute("DROP TABLE _load_order")


def _drop_tables(conn: psycopg.Connection, schema: str) -> None:
    for table in TABLES:
        conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(schema, table)))


def _create_tables(conn: psycopg.Connection, schema: str) -> None:
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    for table, columns in TABLES.items():
        body = sql.SQL(", ").join(
            sql.SQL("{} {}").format(sql.Identifier(column),
                                    sql.SQL("timestamptz" if column in TIMESTAMP_COLUMNS else "text"))
            for column in columns)
        conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} ({})").format(
            sql.Identifier(schema, table), body))


def _copy_sql(schema: str, table: str) -> sql.Composed:
    return sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier(schema, table), sql.SQL(", ").join(map(sql.Identifier, TABLES[table])))


def _existing_state(conn: psycopg.Connection, schema: str) -> _State:
    parts = [sql.SQL('SELECT max(greatest("timestamp", uuid_ts)) AS newest, count(*) AS n FROM {}')
             .format(sql.Identifier(schema, table)) for table in TABLES]
    query = sql.SQL("SELECT max(newest), sum(n)::bigint FROM ({}) t").format(
        sql.SQL(" UNION ALL ").join(parts))
    newest, rows = conn.execute(query).fetchone()  # type: ignore[misc]
    max_user = conn.execute(sql.SQL(
        "SELECT coalesce(max(substring(user_id FROM '^user-([0-9]{{1,15}})$')::bigint), 0) FROM {}"
    ).format(sql.Identifier(schema, "identifies"))).fetchone()[0]  # type: ignore[index]
    return _State(newest, int(rows or 0), int(max_user))


def _sample_old_ids(conn: psycopg.Connection, schema: str, salt: str,
                    limit: int) -> list[tuple[str, str | None]]:
    """Old human anonymous ids, in a seed-determined order, with their user id if identified."""
    query = sql.SQL("""
        SELECT a.anonymous_id, min(i.user_id) COLLATE "C"
        FROM (SELECT anonymous_id FROM {pages}
              WHERE anonymous_id ~ '^[0-9a-f]{{8}}-[0-9a-f]{{4}}-'
                AND context_user_agent !~* 'bot|crawler|spider|headless|lighthouse'
              GROUP BY anonymous_id
              ORDER BY md5(anonymous_id || %(salt)s) LIMIT %(limit)s) a
        LEFT JOIN {identifies} i
               ON i.anonymous_id = a.anonymous_id AND i.user_id ~ '^user-[0-9]+$'
        GROUP BY a.anonymous_id
        ORDER BY md5(a.anonymous_id || %(salt)s)
    """).format(pages=sql.Identifier(schema, "pages"),
                identifies=sql.Identifier(schema, "identifies"))
    return [(anon, user) for anon, user in conn.execute(query, {"salt": salt, "limit": limit})]


# -- the generator -------------------------------------------------------------


def _mix64(value: int) -> int:
    """splitmix64's finalizer: a bijection on 64-bit integers."""
    value = ((value ^ (value >> 30)) * 0xBF58476D1CE4E5B9) & MASK64
    value = ((value ^ (value >> 27)) * 0x94D049BB133111EB) & MASK64
    return value ^ (value >> 31)


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


def _quote(value: str, plus: bool) -> str:
    return value.replace(" ", "+" if plus else "%20")


class _Sink:
    """Rows for one table, written out in chunks."""

    __slots__ = ("buf", "write", "rows")

    def __init__(self, write: Callable[[str], object]) -> None:
        self.buf: list[str] = []
        self.write = write
        self.rows = 0

    def flush(self) -> None:
        if self.buf:
            self.write("".join(self.buf))
            self.rows += len(self.buf)
            self.buf.clear()


class _Generator:
    """One call's worth of state: the random stream, counters, sinks and time formatting."""

    def __init__(self, *, seed: int, marker: str, start: datetime, end: datetime, first_user: int,
                 stats: GenerateStats, say: Callable[[str], None], started: float) -> None:
        digest = hashlib.blake2b(f"attrib-demo-data:{seed}:{marker}".encode(), digest_size=32).digest()
        self.rng = Random(int.from_bytes(digest[:8], "big"))
        self.mid_salt = int.from_bytes(digest[8:16], "big")
        self.anon_salt = int.from_bytes(digest[16:24], "big")
        self.sample_salt = digest[24:].hex()
        self.mid_n = 0
        self.anon_n = 0
        self.next_user = first_user
        self.start_ms = _ms(start)
        self.end_ms = _ms(end)
        self.stats = stats
        self.say = say
        self.started = started
        self.next_progress = PROGRESS_EVERY
        self.hms = [f"{h:02d}:{m:02d}:{s:02d}" for h in range(24) for m in range(60) for s in range(60)]
        self.millis = [f".{m:03d}+00" for m in range(1000)]
        self.day_text: dict[int, str] = {}
        self.window_days = max(1, -(-(self.end_ms - self.start_ms) // DAY_MS))
        day0 = start.date()
        self.day_cum = list(accumulate(
            (1.0 + 0.4 * i / self.window_days) * (0.65 if (day0 + timedelta(days=i)).weekday() >= 5 else 1.0)
            for i in range(self.window_days)))
        self.hour_cum = list(accumulate(HOUR_WEIGHTS))
        self.first_channel_cum = list(accumulate(FIRST_CHANNEL_WEIGHTS))
        self.return_channel_cum = list(accumulate(RETURN_CHANNEL_WEIGHTS))
        self.pages_cum = list(accumulate(PAGES_PER_SESSION_WEIGHTS))
        self.core_paths = tuple(CORE_PAGES)
        self.core_cum = list(accumulate(CORE_WEIGHTS))
        self.titles = {**CORE_PAGES, **APP_PAGES, **LANDING_PAGES, "/signup": "Sign up | Example Analytics",
                       **{f"/blog/{slug}": slug.replace("-", " ").capitalize() + " | Example Analytics Blog"
                          for slug in BLOG_SLUGS}}
        self.browser_cum = list(accumulate(BROWSER_WEIGHTS))
        self.track_cum = list(accumulate(TRACK_WEIGHTS))
        self.search_cum = list(accumulate(SEARCH_WEIGHTS))
        self.social_cum = list(accumulate(SOCIAL_WEIGHTS))
        self.ai_cum = list(accumulate(AI_WEIGHTS))
        self.landing_paths = tuple(LANDING_PAGES)
        self.app_paths = tuple(APP_PAGES)
        self.no_campaign = "\t".join([N] * 5)
        self.pages: _Sink
        self.tracks: _Sink
        self.identifies: _Sink

    # -- plumbing ------------------------------------------------------------

    def open(self, *, pages: Callable[[str], object], tracks: Callable[[str], object],
             identifies: Callable[[str], object]) -> None:
        self.pages, self.tracks, self.identifies = _Sink(pages), _Sink(tracks), _Sink(identifies)

    def close(self) -> None:
        for sink in (self.pages, self.tracks, self.identifies):
            sink.flush()
        self._count()

    def _count(self) -> None:
        stats = self.stats
        stats.pages = self.pages.rows + len(self.pages.buf)
        stats.tracks = self.tracks.rows + len(self.tracks.buf)
        stats.identifies = self.identifies.rows + len(self.identifies.buf)

    def written(self) -> int:
        return self.pages.rows + len(self.pages.buf) + self.tracks.rows + len(self.tracks.buf)

    def _fmt(self, ms: int) -> str:
        day, rest = divmod(ms, DAY_MS)
        text = self.day_text.get(day)
        if text is None:
            text = self.day_text[day] = (datetime(1970, 1, 1) + timedelta(days=day)).strftime("%Y-%m-%d ")
        second, milli = divmod(rest, 1000)
        return text + self.hms[second] + self.millis[milli]

    def _anon(self) -> str:
        self.anon_n += 1
        x = _mix64(self.anon_n ^ self.anon_salt)
        y = _mix64(x ^ self.mid_salt)
        h = f"{x:016x}{y:016x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def _row(self, sink: _Sink, t: int, anon: str, user: str, body: str, *,
             noisy: bool = True, load: int = 0) -> None:
        """One row: ids and the four timestamps, then `body` (the rest, ending in a newline).

        `anon` and `user` are COPY text (N for NULL); `load` forces uuid_ts.
        """
        rng = self.rng
        self.mid_n += 1
        mid = f"ajs-next-{_mix64(self.mid_n ^ self.mid_salt):016x}"
        bits = rng.getrandbits(32)
        sent = t + (bits & 1023)
        rcv = sent + 20 + ((bits >> 10) & 511)
        uuid = load or rcv + 30_000 + ((bits >> 19) & 8191) * 100
        end = self.end_ms
        duplicate = False
        r = rng.random()
        if r < 0.0215 and not load:
            stats = self.stats
            if r < DUPLICATE_RATE:
                duplicate = True
            elif r < DUPLICATE_RATE + LATE_RATE:
                uuid = rcv + HOUR_MS + int(min(rng.expovariate(1 / (20 * HOUR_MS)), 5 * DAY_MS))
                if uuid <= end:
                    stats.late_rows += 1
            elif noisy:
                r -= DUPLICATE_RATE + LATE_RATE
                if r < NULL_LIKE_ANON_RATE:
                    anon = NULL_LIKE[int(r * 1e6) % 5]
                    stats.null_like_ids += 1
                elif r < NULL_LIKE_ANON_RATE + NULL_LIKE_USER_RATE:
                    if user == N:
                        user = NULL_LIKE[int(r * 1e6) % 5]
                        stats.null_like_ids += 1
                elif r < NULL_LIKE_ANON_RATE + NULL_LIKE_USER_RATE + NO_IDS_RATE:
                    anon = user = N
                    stats.no_id_rows += 1
        if uuid > end:  # a window holds only rows loaded by its end
            if t > end:
                t = end
            uuid = end
            if rcv > end:
                rcv = end
                if sent > end:
                    sent = end
        fmt = self._fmt
        head = f"{mid}\t{anon}\t{user}\t{fmt(t)}\t"
        sink.buf.append(f"{head}{fmt(rcv)}\t{fmt(sent)}\t{fmt(uuid)}\t{body}")
        if duplicate:
            rcv += 1000 + rng.getrandbits(24)
            if rcv <= end:
                uuid = min(rcv + 60_000 + rng.getrandbits(20), end)
                sink.buf.append(f"{head}{fmt(rcv)}\t{fmt(sent)}\t{fmt(uuid)}\t{body}")
                self.stats.duplicates += 1
        if len(sink.buf) >= CHUNK_ROWS:
            sink.flush()
            if sink is self.pages and self.written() >= self.next_progress:
                self.next_progress += PROGRESS_EVERY
                self.say(f"  {self.written()} events, {time.perf_counter() - self.started:.1f}s")

    # -- events ----------------------------------------------------------------

    def _page(self, t: int, anon: str, user: str, ua: str, url: str, ref: str, path: str,
              campaign: str) -> None:
        title = self.titles.get(path, N)
        if self.rng.random() < URL_ONLY_IN_CONTEXT_RATE:
            body = f"{N}\t{N}\t{path}\t{title}\t{url}\t{ref}\t{campaign}\t{ua}\n"
        else:
            body = f"{url}\t{ref}\t{path}\t{title}\t{url}\t{ref}\t{campaign}\t{ua}\n"
        self._row(self.pages, t, anon, user, body)

    def _track(self, t: int, anon: str, user: str, ua: str, event: str, text: str, url: str,
               ref: str, campaign: str) -> None:
        self._row(self.tracks, t, anon, user, f"{event}\t{text}\t{url}\t{ref}\t{campaign}\t{ua}\n")

    def _identify(self, t: int, anon: str, user: str, ua: str) -> None:
        n = user[5:]
        email = f"user{n}@{EMAIL_DOMAINS[int(n) % len(EMAIL_DOMAINS)]}"
        self._row(self.identifies, t, anon, user, f"{email}\t{ua}\n", noisy=False)

    def _new_user(self) -> str:
        user = f"user-{self.next_user}"
        self.next_user += 1
        return user

    # -- choices ---------------------------------------------------------------

    def _pick(self, population: tuple, cum: list) -> object:
        return self.rng.choices(population, cum_weights=cum)[0]

    def _browser(self) -> str:
        return self.rng.choices(BROWSERS, cum_weights=self.browser_cum)[0]

    def _first_time(self) -> int:
        rng = self.rng
        day = rng.choices(range(self.window_days), cum_weights=self.day_cum)[0]
        hour = rng.choices(range(24), cum_weights=self.hour_cum)[0]
        t = self.start_ms + day * DAY_MS + hour * HOUR_MS + rng.randrange(HOUR_MS)
        return min(max(t, self.start_ms + 1), self.end_ms)

    def _return_gap(self) -> int:
        rng = self.rng
        r = rng.random()
        if r < 0.5:
            return HOUR_MS + int(rng.expovariate(1 / (2 * DAY_MS)))
        if r < 0.85:
            return rng.randrange(3 * DAY_MS, 30 * DAY_MS)
        return rng.randrange(30 * DAY_MS, 120 * DAY_MS)

    def _campaign(self, source: str | None, medium: str | None, name: str | None = None,
                  term: str | None = None, content: str | None = None) -> str:
        return "\t".join(v if v else N for v in (source, medium, name, term, content))

    def _utm_url(self, path: str, source: str, medium: str, name: str | None = None,
                 term: str | None = None, content: str | None = None,
                 extra: str = "") -> tuple[str, str]:
        """A landing url with utm parameters (and `extra` ones), and its context_campaign_* text."""
        rng = self.rng
        if rng.random() < MIXED_CASE_UTM_RATE:
            source, medium = source.capitalize(), medium.upper()
        plus = rng.random() < 0.5
        params = [f"utm_source={source}", f"utm_medium={medium}"]
        for key, value in (("utm_campaign", name), ("utm_term", term), ("utm_content", content)):
            if value:
                params.append(f"{key}={_quote(value, plus)}")
        if extra:
            params.append(extra)
        return f"{SITE}{path}?{'&'.join(params)}", self._campaign(source, medium, name, term, content)

    def _click_id(self, prefix: str) -> str:
        return f"{prefix}{self.rng.getrandbits(96):024x}"

    def _landing(self, channel: int) -> tuple[str, str, str, str]:
        """(url, referrer, path, context_campaign_* text) of a visit's first page."""
        rng = self.rng
        none = self.no_campaign
        if channel == DIRECT:
            path = self._pick(self.core_paths, self.core_cum) if rng.random() < 0.8 else "/app"
            return f"{SITE}{path}", N, path, none
        if channel == ORGANIC:
            ref = self._pick(SEARCH_REFERRERS, self.search_cum)
            path = f"/blog/{rng.choice(BLOG_SLUGS)}" if rng.random() < 0.45 else \
                self._pick(self.core_paths, self.core_cum)
            return f"{SITE}{path}", ref, path, none
        if channel == PAID_SEARCH:
            path = rng.choice(self.landing_paths) if rng.random() < 0.7 else "/pricing"
            google = "https://www.google.com/"
            r = rng.random()
            if r < 0.60:
                url, camp = self._utm_url(path, "google", "cpc", rng.choice(SEARCH_CAMPAIGNS),
                                          rng.choice(SEARCH_TERMS),
                                          extra=f"gclid={self._click_id('Cj0KCQiA')}")
                return url, google, path, camp
            if r < 0.80:  # auto-tagging only: a gclid, no utm parameters
                return f"{SITE}{path}?gclid={self._click_id('EAIaIQob')}", google, path, none
            if r < 0.85:
                return f"{SITE}{path}?gbraid={self._click_id('0AAAAAo')}", google, path, none
            if r < 0.93:
                url, camp = self._utm_url(path, "bing", "cpc", rng.choice(SEARCH_CAMPAIGNS),
                                          extra=f"msclkid={rng.getrandbits(128):032x}")
                return url, "https://www.bing.com/", path, camp
            return f"{SITE}{path}?msclkid={rng.getrandbits(128):032x}", "https://www.bing.com/", path, none
        if channel == PAID_SOCIAL:
            path = rng.choice(self.landing_paths)
            r = rng.random()
            if r < 0.75:
                url, camp = self._utm_url(path, "facebook", "paidsocial", rng.choice(SOCIAL_CAMPAIGNS),
                                          content=f"ad_{rng.randrange(1, 9)}",
                                          extra=f"fbclid=IwAR{rng.getrandbits(128):032x}")
                ref = "https://l.facebook.com/" if rng.random() < 0.8 else "https://l.instagram.com/"
                return url, ref, path, camp
            if r < 0.85:  # YouTube video ads: the same draws as LinkedIn's below
                url, camp = self._utm_url(path, "youtube", "cpv", rng.choice(SOCIAL_CAMPAIGNS),
                                          extra=f"gclid={rng.getrandbits(64):016x}")
                return url, "https://www.youtube.com/", path, camp
            url, camp = self._utm_url(path, "linkedin", "paid_social", rng.choice(SOCIAL_CAMPAIGNS),
                                      extra=f"li_fat_id={rng.getrandbits(64):016x}")
            return url, "https://www.linkedin.com/", path, camp
        if channel == EMAIL:
            path = f"/blog/{rng.choice(BLOG_SLUGS)}" if rng.random() < 0.4 else \
                rng.choice(("/", "/features", "/changelog", "/app"))
            url, camp = self._utm_url(path, rng.choice(("newsletter", "hubspot", "customerio")), "email",
                                      rng.choice(EMAIL_CAMPAIGNS))
            r = rng.random()
            ref = N if r < 0.7 else "https://mail.google.com/" if r < 0.95 else \
                "android-app://com.google.android.gm/"
            return url, ref, path, camp
        if channel == BLOG:
            path = f"/blog/{rng.choice(BLOG_SLUGS)}"
            ref = rng.choice(PARTNER_REFERRERS)
            if rng.random() < 0.2:
                url, camp = self._utm_url(path, "partner", "referral", "guest_posts")
                return url, ref, path, camp
            return f"{SITE}{path}", ref, path, none
        if channel == SOCIAL:
            ref = self._pick(SOCIAL_REFERRERS, self.social_cum)
            path = f"/blog/{rng.choice(BLOG_SLUGS)}" if rng.random() < 0.6 else "/"
            if ref == "https://t.co/":
                ref = f"https://t.co/{rng.getrandbits(40):010x}"
            if "facebook" in ref:
                return f"{SITE}{path}?fbclid=IwAR{rng.getrandbits(128):032x}", ref, path, none
            return f"{SITE}{path}", ref, path, none
        if channel == AI:
            ref = self._pick(AI_REFERRERS, self.ai_cum)
            path = f"/blog/{rng.choice(BLOG_SLUGS)}" if rng.random() < 0.5 else \
                rng.choice(("/", "/features/attribution", "/pricing", "/docs/segment-setup"))
            if ref == "https://chatgpt.com/" and rng.random() < 0.6:
                return (f"{SITE}{path}?utm_source=chatgpt.com", ref, path,
                        self._campaign("chatgpt.com", None))
            return f"{SITE}{path}", ref, path, none
        if channel == CONTEXT_ONLY:
            path = rng.choice(("/", "/features", "/lp/free-trial", "/app"))
            return f"{SITE}{path}", N, path, self._campaign(*rng.choice(CONTEXT_ONLY_CAMPAIGNS))
        path = rng.choice(("/", "/customers", "/pricing", "/docs/segment-setup"))  # REFERRAL
        return f"{SITE}{path}", rng.choice(REVIEW_REFERRERS), path, none

    # -- sessions --------------------------------------------------------------

    def _session(self, t: int, anon: str, user: str, ua: str, channel: int, *,
                 signup: bool = False, login: str | None = None, app: bool = False,
                 bot: bool = False) -> tuple[int, str]:
        """One visit from `t`; returns the time of its last event and the user id after it.

        `login` identifies the device as that user at the visit's start; `signup`
        ends the visit with a signup; `app` is a signed-up user's product visit.
        """
        rng = self.rng
        end = self.end_ms
        self.stats.sessions += 1
        if login:
            user = login
            self._identify(t, anon, user, ua)
            t += 300 + rng.getrandbits(10)
            if t > end:
                return end, user
        if app:
            path = rng.choice(self.app_paths)
            url, ref, campaign = f"{SITE}{path}", N, self.no_campaign
        else:
            url, ref, path, campaign = self._landing(channel)
        count = rng.choices(range(1, 9), cum_weights=self.pages_cum)[0]
        for i in range(count):
            if i:
                t += int(min(600_000.0, 5000 + rng.expovariate(1 / 50_000)))
                if t > end:
                    return end, user
                ref = url
                if app:
                    path = rng.choice(self.app_paths)
                elif rng.random() < 0.15:
                    path = f"/blog/{rng.choice(BLOG_SLUGS)}"
                else:
                    path = self._pick(self.core_paths, self.core_cum)
                url = f"{SITE}{path}"
                campaign = self.no_campaign
            self._page(t, anon, user, ua, url, ref, path, campaign)
            if not bot and rng.random() < TRACK_PER_PAGE_RATE:
                event, text = rng.choice(APP_TRACKS) if app else self._pick(TRACKS, self.track_cum)
                tt = t + 1500 + rng.getrandbits(15)
                if tt <= end:
                    self._track(tt, anon, user, ua, event, text, url, ref, campaign)
        if signup:
            return self._signup(t, anon, user, ua, url)
        return t, user

    def _signup(self, t: int, anon: str, user: str, ua: str, prev_url: str) -> tuple[int, str]:
        """The signup page, the signed_up track, the identify, maybe the first app page."""
        rng = self.rng
        end = self.end_ms
        t += 5000 + rng.getrandbits(16)
        if t > end:
            return end, user
        url = f"{SITE}/signup"
        self._page(t, anon, user, ua, url, prev_url, "/signup", self.no_campaign)
        t += 20_000 + rng.getrandbits(17)
        if t > end:
            return end, user
        new_user = self._new_user()
        event = "Signed Up" if rng.random() < SIGNUP_TITLE_CASE_RATE else "signed_up"
        self._track(t, anon, user, ua, event, "Signed Up", url, prev_url, self.no_campaign)
        self.stats.signups += 1
        t += 1000 + rng.getrandbits(12)
        if t > end:
            return end, new_user
        self._identify(t, anon, new_user, ua)
        if rng.random() < SERVER_IDENTIFY_RATE and t + 2248 <= end:
            self._identify(t + 200 + rng.getrandbits(11), N, new_user, N)
        t += 3000 + rng.getrandbits(13)
        if t <= end:
            self._page(t, anon, new_user, ua, f"{SITE}/app/onboarding", url, "/app/onboarding",
                       self.no_campaign)
            return t, new_user
        return end, new_user

    # -- people ----------------------------------------------------------------

    def new_visitors(self, target: int) -> None:
        """New people arriving over the window until about `target` events are written."""
        while self.written() < target:
            self._visitor()
        self._count()

    def _visitor(self) -> None:
        rng = self.rng
        stats = self.stats
        stats.visitors += 1
        anon = self._anon()
        t = self._first_time()
        if rng.random() < BOT_VISITOR_RATE:
            ua = rng.choice(BOTS)
            stats.bot_visitors += 1
            before = self.pages.rows + len(self.pages.buf)
            self._session(t, anon, N, ua, rng.choice((DIRECT, DIRECT, ORGANIC)), bot=True)
            stats.bot_rows += self.pages.rows + len(self.pages.buf) - before
            return
        ua = self._browser()
        times = [t]
        if rng.random() < RETURN_RATE:
            for _ in range(1 + min(int(rng.expovariate(0.7)), 5)):
                t = times[-1] + self._return_gap()
                if t > self.end_ms:
                    break
                times.append(t)
        if len(times) > 1:
            stats.returning_visitors += 1
        rate = SIGNUP_RATE_ONE_VISIT if len(times) == 1 else SIGNUP_RATE_RETURNING
        signup_at = -1
        if rng.random() < rate:
            signup_at = len(times) - 1 if rng.random() < 0.6 else rng.randrange(len(times))
        user = N
        last = 0
        signed_at = 0
        for i, visit in enumerate(times):
            if visit <= last and i:
                visit = last + HOUR_MS
                if visit > self.end_ms:
                    break
            channel = self._pick(CHANNELS, self.first_channel_cum if i == 0 else
                                 self.return_channel_cum)
            before = user
            login = user if user != N and rng.random() < 0.5 else None
            last, user = self._session(visit, anon, user, ua, channel, signup=i == signup_at,
                                       login=login, app=user != N and rng.random() < 0.6)
            if before == N and user != N:
                signed_at = last
        if user != N:
            self._user_life(user, anon, ua, signed_at, last)

    def _user_life(self, user: str, anon: str, ua: str, signed_at: int, last: int) -> None:
        """After a signup: product visits on the same device, and maybe more devices."""
        rng = self.rng
        end = self.end_ms
        t = last
        if rng.random() < 0.7:
            for _ in range(rng.randrange(1, 6)):
                t += self._return_gap()
                if t > end:
                    break
                login = user if rng.random() < 0.5 else None
                t, _ = self._session(t, anon, user, ua, DIRECT, login=login, app=True)
        if rng.random() >= MULTI_DEVICE_RATE:
            return
        identified = 0
        for _ in range(rng.randrange(1, 4)):
            device = self._anon()
            device_ua = self._browser()
            # browsed on this device before or after signing up; logs in after
            t = signed_at + rng.randrange(-20 * DAY_MS, 30 * DAY_MS)
            t = min(max(t, self.start_ms + 1), end)
            device_user = N
            for _ in range(rng.randrange(1, 4)):
                login = user if device_user == N and t > signed_at else None
                t, device_user = self._session(t, device, device_user, device_ua,
                                               self._pick(CHANNELS, self.return_channel_cum),
                                               login=login, app=login is not None)
                t += self._return_gap()
                if t > end:
                    break
            if device_user == N:
                t = signed_at + HOUR_MS + rng.randrange(14 * DAY_MS)
                if t > end:
                    continue
                self._session(t, device, N, device_ua, DIRECT, login=user, app=True)
            identified += 1
            self.stats.extra_devices += 1
        if identified:
            self.stats.multi_device_users += 1

    def returning_old(self, old: list[tuple[str, str | None]]) -> None:
        """Old anonymous ids come back; some identify now (re-aliasing their history)."""
        rng = self.rng
        stats = self.stats
        end = self.end_ms
        known = [user for _, user in old if user]
        forced = True  # the first anonymous one always signs up: every append re-aliases
        for anon, user in old:
            stats.returning_old_ids += 1
            ua = self._browser()
            t = self._first_time()
            if user:
                for _ in range(rng.randrange(1, 4)):
                    login = user if rng.random() < 0.5 else None
                    t, _ = self._session(t, anon, user, ua, self._pick(CHANNELS,
                                                                        self.return_channel_cum),
                                         login=login, app=rng.random() < 0.6)
                    t += self._return_gap()
                    if t > end:
                        break
                continue
            r = rng.random()
            if forced or r < OLD_SIGNUP_RATE:
                forced = False
                last, new_user = self._session(t, anon, N, ua, self._pick(
                    CHANNELS, self.return_channel_cum), signup=True)
                if new_user != N:
                    stats.reidentified_old_ids += 1
                    self._user_life(new_user, anon, ua, last, last)
            elif known and r < OLD_SIGNUP_RATE + OLD_LOGIN_AS_OLD_USER_RATE:
                self._session(t, anon, N, ua, DIRECT, login=rng.choice(known), app=True)
                stats.reidentified_old_ids += 1
            else:
                self._session(t, anon, N, ua, self._pick(CHANNELS, self.return_channel_cum))
        # late arrivals: old anonymous ids' events from before the window, loaded now
        anonymous = [anon for anon, user in old if not user] or [anon for anon, _ in old]
        span = self.end_ms - self.start_ms
        for _ in range(max(1, int(len(old) / RETURNING_OLD_SHARE * BACKFILL_RATE))):
            anon = rng.choice(anonymous)
            t = self.start_ms - HOUR_MS - rng.randrange(10 * DAY_MS)
            load = self.start_ms + 1 + rng.randrange(span)
            path = self._pick(self.core_paths, self.core_cum)
            body = (f"{SITE}{path}\t{N}\t{path}\t{self.titles[path]}\t{SITE}{path}\t{N}\t"
                    f"{self.no_campaign}\t{self._browser()}\n")
            self._row(self.pages, t, anon, N, body, load=load)
            stats.backfilled_rows += 1
        self._count()


def add_revenue(conn: psycopg.Connection, *, schema: str = "segment", seed: int = 42) -> int:
    """A billing table for the demo (billing.revenue: user_id, amount, occurred_at) and revenue_source
    pointing at it, so the LTV report has something to show. About 40 % of signed-up users pay a
    monthly plan (19, 49 or 99) for 1 to 6 months from their signup; a deleted account's payments
    (no such user) and a pending row with no amount show the unmatched and ignored cases.
    Returns the rows written."""
    conn.execute("CREATE SCHEMA IF NOT EXISTS billing")
    conn.execute("DROP TABLE IF EXISTS billing.revenue")
    conn.execute("CREATE TABLE billing.revenue (user_id text, amount numeric(12, 2), occurred_at timestamptz)")
    conn.execute(sql.SQL("""
        INSERT INTO billing.revenue (user_id, amount, occurred_at)
        SELECT u.user_id, (ARRAY[19, 49, 99])[1 + abs(u.h) %% 3], u.signed + make_interval(days => 30 * m)
          FROM (SELECT v.user_id, min(v.signed) AS signed, hashtext(v.user_id || %(seed)s) AS h
                  FROM (SELECT coalesce(t.user_id, (SELECT i.user_id FROM {identifies} i
                                                     WHERE i.anonymous_id = t.anonymous_id AND i.user_id IS NOT NULL
                                                     ORDER BY i."timestamp" LIMIT 1)) AS user_id,
                               t."timestamp" AS signed
                          FROM {tracks} t WHERE t.event IN ('signed_up', 'Signed Up')) v
                 WHERE v.user_id IS NOT NULL
                 GROUP BY v.user_id) u
         CROSS JOIN LATERAL generate_series(0, abs(u.h / 7) %% 6) AS m
         WHERE abs(u.h / 3) %% 10 < 4
           AND u.signed + make_interval(days => 30 * m) <= (SELECT max(p."timestamp") FROM {pages} p)
        """).format(tracks=sql.Identifier(schema, "tracks"), pages=sql.Identifier(schema, "pages"),
                 identifies=sql.Identifier(schema, "identifies")),
        {"seed": str(seed)})
    conn.execute("INSERT INTO billing.revenue VALUES ('deleted-account-1', 49, '2024-11-02 10:00+00'), "
                 "('deleted-account-1', 49, '2024-12-02 10:00+00'), ('user-pending', NULL, '2024-12-20 10:00+00')")
    owner = conn.execute("SELECT role_name FROM attrib.roles WHERE kind = 'owner'").fetchone()[0]
    conn.execute(sql.SQL("GRANT USAGE ON SCHEMA billing TO {}").format(sql.Identifier(owner)))
    conn.execute(sql.SQL("GRANT SELECT ON billing.revenue TO {}").format(sql.Identifier(owner)))
    conn.execute("""UPDATE attrib.settings SET value = '"billing.revenue"' WHERE name = 'revenue_source'""")
    return conn.execute("SELECT count(*) FROM billing.revenue").fetchone()[0]
