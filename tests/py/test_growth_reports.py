"""Definitions §11 reports against the small hand-checked example of test_reports.py.

The people (UTC; see test_reports.py): u1 signs up Wed 2024-05-08 10:05 in its first session (Paid
Search, google cpc, campaign spring); u2 Sun 2024-05-05 23:35, first touch Organic Social
(facebook.com), k = 2; u5 Fri 2024-05-10 12:05, first touch Paid Search (google cpc, no campaign),
k = 5; a9 never signs up, and its visit is the latest event: as_of = 2024-06-07 10:05, exactly u1's
signup + 30 days. Revenue (billing.revenue): u1 100 + 50.5, u5 30.

Spend (ads.spend), by hand:
* google / cpc / 'Spring' 60 and ' google ' / 'CPC' / 'SPRING ' 40 on Tue 2024-05-07: Paid Search,
  week 2024-05-06; one campaign 'spring' for cac_by_campaign, two spend rows;
* google / cpc / no campaign 25 twice on 2024-05-09 (identical rows add up: 50), Paid Search;
* tiktok / paid / launch 70 on Wed 2024-05-01: Paid Social, week 2024-04-29, with no conversions;
* no source, no medium 5 on 2024-05-08: (not set) / (not set), Unassigned;
* a NULL day, a NULL amount and a NaN amount: ignored.
So Paid Search 150 in week 2024-05-06, Paid Social 70 in week 2024-04-29, Unassigned 5 in week
2024-05-06; Organic Social, Direct and Organic Search have conversions and no spend.

Survey (app.survey): u1 ' YouTube ' then later 'Google' -> google; u2 'YouTube' and 'podcast' at the
same time -> podcast (smallest); u5 a NULL answer latest (dropped first) and 'google' -> google, plus a
row with no time (ignored); unmatched: 'ghost', 'null' (no user) and a9 (not signed up) = 3; 'gone'
is forgotten: not counted at all.

Content (cms.content) and extra page views before signup:
* u1 10:02 /blog/ann/post-1?ref=x -> the longest prefix /blog/ann/post-1: 'ann-post-1';
  u1 10:06 /blog/bob/b is after signup: not counted;
* u2 23:31 and 23:32 /blog/bob/b -> prefix /blog/bob/ is mapped to 'bob' and 'alice': 'alice';
  u2 23:33 /blog/ann/post-1 -> 'ann-post-1';
* u5 12:01 /Blog/ann/x (case-sensitive: no group), 12:02 /blog/ann/post-2 -> 'ann', 12:03 /blog/
  (equal to the prefix /blog/) -> 'blog'.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from decimal import Decimal

import psycopg
import pytest
from psycopg import sql

from conftest import create_login
from segment import grant_to_attrib, insert, run_stages
from test_reports import (AS_OF, MODELS, PEOPLE, expected_conversions,
                          expected_revenue_by_channel, load_example, load_revenue, page, ts)

BLOG = "https://example.com/blog/"
SPEND_BY_WEEK = {(date(2024, 5, 6), "Paid Search"): Decimal(150), (date(2024, 4, 29), "Paid Social"): Decimal(70),
                 (date(2024, 5, 6), "Unassigned"): Decimal(5)}


def set_source(conn: psycopg.Connection, setting: str, relation: str | None) -> None:
    value = "null" if relation is None else f'"{relation}"'
    conn.execute("UPDATE attrib.settings SET value = %s::jsonb WHERE name = %s", (value, setting))


def load_spend(conn: psycopg.Connection) -> None:
    conn.execute("CREATE SCHEMA ads")
    conn.execute("CREATE TABLE ads.spend (day date, source text, medium text, campaign text, amount numeric)")
    grant_to_attrib(conn, "spend", "ads")
    rows = [("2024-05-07", "Google", "cpc", "Spring", 60), ("2024-05-07", " google ", "CPC", "SPRING ", 40),
            ("2024-05-09", "google", "cpc", None, 25), ("2024-05-09", "google", "cpc", None, 25),
            ("2024-05-01", "tiktok", "paid", "launch", 70), ("2024-05-08", None, " ", None, 5),
            (None, "google", "cpc", None, 1000), ("2024-05-09", "google", "cpc", None, None),
            ("2024-05-09", "google", "cpc", None, Decimal("NaN"))]
    for row in rows:
        conn.execute("INSERT INTO ads.spend VALUES (%s, %s, %s, %s, %s)", row)
    set_source(conn, "spend_source", "ads.spend")


def load_survey(conn: psycopg.Connection) -> None:
    conn.execute("CREATE SCHEMA app")
    conn.execute("CREATE TABLE app.survey (user_id text, answer text, answered_at timestamptz)")
    grant_to_attrib(conn, "survey", "app")
    rows = [("u1", " YouTube ", ts(2024, 5, 9)), (" u1", "Google", ts(2024, 5, 10)),
            ("u2", "YouTube", ts(2024, 5, 6)), ("u2", "podcast", ts(2024, 5, 6)),
            ("u5", None, ts(2024, 5, 20)), ("u5", "google", ts(2024, 5, 11)), ("u5", "tv", None),
            ("ghost", "tv", ts(2024, 5, 11)), ("null", "tv", ts(2024, 5, 11)), ("a9", "friend", ts(2024, 6, 1)),
            ("gone", "tv", ts(2024, 5, 11))]
    for row in rows:
        conn.execute("INSERT INTO app.survey VALUES (%s, %s, %s)", row)
    conn.execute("INSERT INTO attrib.forgotten (kind, id, user_id) VALUES ('user_id', 'gone', 'gone')")
    set_source(conn, "survey_source", "app.survey")


def load_content(conn: psycopg.Connection) -> None:
    page(conn, "c1", "a1", ts(2024, 5, 8, 10, 2), BLOG + "ann/post-1?ref=x")
    page(conn, "c1b", "a1", ts(2024, 5, 8, 10, 6), BLOG + "bob/b")
    page(conn, "c2a", "a2", ts(2024, 5, 5, 23, 31), BLOG + "bob/b")
    page(conn, "c2b", "a2", ts(2024, 5, 5, 23, 32), BLOG + "bob/b")
    page(conn, "c2c", "a2", ts(2024, 5, 5, 23, 33), BLOG + "ann/post-1")
    page(conn, "c5a", "a5", ts(2024, 5, 10, 12, 1), "https://example.com/Blog/ann/x")
    page(conn, "c5b", "a5", ts(2024, 5, 10, 12, 2), BLOG + "ann/post-2")
    page(conn, "c5c", "a5", ts(2024, 5, 10, 12, 3), BLOG)
    conn.execute("CREATE SCHEMA cms")
    conn.execute("CREATE TABLE cms.content (url_prefix text, content_group text)")
    grant_to_attrib(conn, "content", "cms")
    rows = [(BLOG, "blog"), (BLOG + "ann/", "ann"), (BLOG + "bob/", "bob"), (BLOG + "bob/ ", "alice"),
            (BLOG + "ann/post-1", "ann-post-1"), (None, "x"), ("https://example.com/", None), (" ", "x")]
    for row in rows:
        conn.execute("INSERT INTO cms.content VALUES (%s, %s)", row)
    set_source(conn, "content_source", "cms.content")


@pytest.fixture
def example(conn: psycopg.Connection) -> psycopg.Connection:
    load_example(conn)
    load_revenue(conn)
    load_spend(conn)
    load_survey(conn)
    load_content(conn)
    run_stages(conn)
    return conn


def test_the_extra_page_views_leave_the_touches_as_they_were(example: psycopg.Connection) -> None:
    assert sorted(example.execute("SELECT alias_id, session_count_before_signup, first_touch_channel "
                                  "FROM sessions.attribution")) == [
        ("u1", 1, "Paid Search"), ("u2", 2, "Organic Social"), ("u5", 5, "Paid Search")]


# -- LTV at a fixed horizon -------------------------------------------------------------

def test_ltv_horizon_counts_only_signups_old_enough_and_rows_before_the_horizon(conn: psycopg.Connection) -> None:
    load_example(conn)
    load_revenue(conn)
    # u1: a row before signup (counts) and one at exactly signup + 30 days (not < : left out);
    # u2: 20 within 30 days; u5 signed up 28 days before as_of: not eligible at 30 days
    conn.execute("INSERT INTO billing.revenue VALUES ('u1', 7, '2024-05-01'), ('u1', 9, %s), ('u2', 20, '2024-05-20')",
                 (AS_OF,))
    run_stages(conn)
    rows = {r[:4]: r[4:] for r in conn.execute("SELECT * FROM sessions.ltv_horizon_by_first_touch")}
    none = (0, 0, Decimal(0), None)
    assert rows == {
        ("Paid Search", "google", "spring", 30): (1, 1, Decimal("157.5"), Decimal("157.5")),
        ("Paid Search", "google", "spring", 90): none,
        ("Paid Search", "google", "spring", 365): none,
        ("Paid Search", "google", None, 30): none,
        ("Paid Search", "google", None, 90): none,
        ("Paid Search", "google", None, 365): none,
        ("Organic Social", "facebook.com", None, 30): (1, 1, Decimal(20), Decimal(20)),
        ("Organic Social", "facebook.com", None, 90): none,
        ("Organic Social", "facebook.com", None, 365): none,
    }


def test_ltv_horizon_rows_exist_without_revenue(conn: psycopg.Connection) -> None:
    load_example(conn)
    run_stages(conn)
    assert sorted(conn.execute("SELECT horizon_days, sum(eligible)::int, sum(paying)::int, sum(revenue) "
                               "FROM sessions.ltv_horizon_by_first_touch GROUP BY 1")) == [
        (30, 2, 0, Decimal(0)), (90, 0, 0, Decimal(0)), (365, 0, 0, Decimal(0))]


# -- Spend: CAC and ROAS ----------------------------------------------------------------

def test_cac_by_channel_joins_spend_and_conversions_per_week(example: psycopg.Connection) -> None:
    got = {r[:3]: r[3:] for r in example.execute("SELECT * FROM sessions.cac_by_channel")}
    want = {}
    conversions = expected_conversions()
    for model in MODELS:
        keys = {k for k in SPEND_BY_WEEK} | {(w, c) for (m, w, c) in conversions if m == model}
        for week, channel in keys:
            conv = conversions.get((model, week, channel), (0, 0.0))[1]
            want[(model, week, channel)] = (SPEND_BY_WEEK.get((week, channel), Decimal(0)), conv)
    assert set(got) == set(want)
    for key, (spend, conv) in want.items():
        assert got[key][0] == spend, key
        assert got[key][1] == pytest.approx(conv, abs=1e-9), key
        assert (got[key][2] is None) == (conv == 0), key
        if conv:
            assert float(got[key][2]) == pytest.approx(float(spend) / conv, abs=1e-9), key


def test_cac_by_channel_edge_rows_by_hand(example: psycopg.Connection) -> None:
    rows = {r[1:3]: r[3:] for r in example.execute("SELECT * FROM sessions.cac_by_channel WHERE model = 'first_touch'")}
    assert rows[(date(2024, 5, 6), "Paid Search")] == (Decimal(150), 2.0, Decimal(75))     # u1 and u5
    assert rows[(date(2024, 4, 29), "Paid Social")] == (Decimal(70), 0, None)             # spend, no conversions
    assert rows[(date(2024, 4, 29), "Organic Social")] == (Decimal(0), 1.0, Decimal(0))   # conversions, no spend
    assert rows[(date(2024, 5, 6), "Unassigned")] == (Decimal(5), 0, None)                # (not set) / (not set)


def test_roas_by_channel_over_all_time(example: psycopg.Connection) -> None:
    got = {r[:2]: r[2:] for r in example.execute("SELECT * FROM sessions.roas_by_channel")}
    revenue = expected_revenue_by_channel()
    spend = {"Paid Search": Decimal(150), "Paid Social": Decimal(70), "Unassigned": Decimal(5)}
    want = {(m, c): (spend.get(c, Decimal(0)), revenue.get((m, c), 0.0))
            for m in MODELS for c in set(spend) | {c for (mm, c) in revenue if mm == m}}
    assert set(got) == set(want)
    for key, (s, r) in want.items():
        assert got[key][0] == s, key
        assert float(got[key][1]) == pytest.approx(r, abs=1e-6), key
        assert (got[key][2] is None) == (s == 0), key
    assert got[("first_touch", "Paid Search")][:2] == (Decimal(150), Decimal("180.5"))
    assert float(got[("first_touch", "Paid Search")][2]) == pytest.approx(180.5 / 150, abs=1e-12)
    assert got[("first_touch", "Paid Social")] == (Decimal(70), Decimal(0), Decimal(0))


def test_cac_by_campaign_matches_source_medium_and_lower_campaign(example: psycopg.Connection) -> None:
    got = {r[:4]: r[4:] for r in example.execute("SELECT * FROM sessions.cac_by_campaign")}
    u5_first = dict(zip(MODELS, [PEOPLE["u5"][2][m][0] for m in MODELS]))  # u5's session 1: google / cpc / none
    want = {}
    for model in MODELS:
        want[(model, "google", "cpc", "spring")] = (Decimal(100), 1.0)   # u1's only session, every model
        want[(model, "google", "cpc", None)] = (Decimal(50), float(u5_first[model]))
        want[(model, "tiktok", "paid", "launch")] = (Decimal(70), 0.0)
        want[(model, "(not set)", "(not set)", None)] = (Decimal(5), 0.0)
    assert set(got) == set(want)
    for key, (spend, conv) in want.items():
        assert got[key][0] == spend, key
        assert got[key][1] == pytest.approx(conv, abs=1e-9), key
        assert (got[key][2] is None) == (conv == 0), key
    assert got[("first_touch", "google", "cpc", "spring")][2] == Decimal(100)


def test_spend_reports_are_empty_without_spend_source(conn: psycopg.Connection) -> None:
    load_example(conn)
    run_stages(conn)
    for view in ("cac_by_channel", "roas_by_channel", "cac_by_campaign"):
        assert conn.execute(f"SELECT count(*) FROM sessions.{view}").fetchone() == (0,), view


def test_an_empty_spend_source_still_shows_the_conversions(conn: psycopg.Connection) -> None:
    load_example(conn)
    conn.execute("CREATE SCHEMA ads")
    conn.execute("CREATE TABLE ads.spend (day timestamptz, source text, medium text, campaign text, amount int)")
    grant_to_attrib(conn, "spend", "ads")
    set_source(conn, "spend_source", "ads.spend")
    run_stages(conn)
    assert conn.execute("SELECT count(*), sum(spend), count(cac) FROM sessions.cac_by_channel").fetchone() == (
        len(expected_conversions()), Decimal(0), len(expected_conversions()))


def test_a_spend_day_given_as_a_timestamp_is_its_utc_date(conn: psycopg.Connection) -> None:
    load_example(conn)
    conn.execute("CREATE SCHEMA ads")
    conn.execute("CREATE TABLE ads.spend (day timestamptz, source text, medium text, campaign text, amount int)")
    grant_to_attrib(conn, "spend", "ads")
    # Monday 2024-05-06 00:30 in UTC is still Sunday in New York: the UTC week counts
    conn.execute("SET TimeZone = 'America/New_York'")
    conn.execute("INSERT INTO ads.spend VALUES ('2024-05-06 00:30+00', 'google', 'cpc', NULL, 10)")
    set_source(conn, "spend_source", "ads.spend")
    run_stages(conn)
    assert conn.execute("SELECT week, spend FROM sessions.cac_by_channel WHERE model = 'linear' "
                        "AND channel = 'Paid Search'").fetchall() == [(date(2024, 5, 6), Decimal(10))]


def test_a_spend_column_of_the_wrong_type_names_the_setting(conn: psycopg.Connection) -> None:
    load_example(conn)
    conn.execute("CREATE SCHEMA ads")
    conn.execute("CREATE TABLE ads.spend (day date, source text, medium text, campaign text, amount text)")
    grant_to_attrib(conn, "spend", "ads")
    set_source(conn, "spend_source", "ads.spend")
    run_stages(conn, ["ingest", "alias", "sessionize", "signup"])
    with pytest.raises(psycopg.errors.DatatypeMismatch, match="amount.*spend_source"):
        conn.execute("SELECT * FROM attrib.attribute()")
    conn.execute("ALTER TABLE ads.spend DROP COLUMN campaign")
    with pytest.raises(psycopg.errors.UndefinedColumn, match="spend_source.*no column campaign"):
        conn.execute("SELECT * FROM attrib.attribute()")


# -- The survey gut check ---------------------------------------------------------------

def test_survey_vs_first_touch_takes_each_users_latest_answer(example: psycopg.Connection) -> None:
    assert sorted(example.execute("SELECT * FROM sessions.survey_vs_first_touch")) == [
        ("google", "Paid Search", 2), ("podcast", "Organic Social", 1)]


def test_survey_unmatched_counts_rows_of_nobody_and_not_the_forgotten(example: psycopg.Connection) -> None:
    assert example.execute("SELECT * FROM sessions.survey_unmatched").fetchall() == [(3,)]


def test_survey_reports_without_survey_source(conn: psycopg.Connection) -> None:
    load_example(conn)
    run_stages(conn)
    assert conn.execute("SELECT count(*) FROM sessions.survey_vs_first_touch").fetchone() == (0,)
    assert conn.execute("SELECT * FROM sessions.survey_unmatched").fetchall() == [(0,)]


# -- Content read before signup --------------------------------------------------------

def test_content_before_signup_takes_the_longest_prefix(example: psycopg.Connection) -> None:
    assert sorted(example.execute("SELECT * FROM sessions.content_before_signup")) == [
        ("u1", "ann-post-1", 1, ts(2024, 5, 8, 10, 2)),
        ("u2", "alice", 2, ts(2024, 5, 5, 23, 31)),
        ("u2", "ann-post-1", 1, ts(2024, 5, 5, 23, 33)),
        ("u5", "ann", 1, ts(2024, 5, 10, 12, 2)),
        ("u5", "blog", 1, ts(2024, 5, 10, 12, 3)),
    ]


def test_ltv_by_content_counts_each_readers_whole_revenue(example: psycopg.Connection) -> None:
    assert sorted(example.execute("SELECT * FROM sessions.ltv_by_content")) == [
        ("alice", 1, 0, Decimal(0), Decimal(0)),
        ("ann", 1, 1, Decimal(30), Decimal(30)),
        ("ann-post-1", 2, 1, Decimal("150.5"), Decimal("75.25")),
        ("blog", 1, 1, Decimal(30), Decimal(30)),
    ]


def test_a_changed_content_map_recomputes_every_alias(example: psycopg.Connection) -> None:
    example.execute("DELETE FROM cms.content WHERE content_group = 'alice'")
    example.execute("UPDATE cms.content SET content_group = 'ann2' WHERE content_group = 'ann'")
    counts = run_stages(example)  # no new event: only the map changed
    assert counts["attribute"][1] > 0
    assert sorted(example.execute("SELECT alias_id, content_group, pages FROM sessions.content_before_signup")) == [
        ("u1", "ann-post-1", 1), ("u2", "ann-post-1", 1), ("u2", "bob", 2), ("u5", "ann2", 1), ("u5", "blog", 1)]
    set_source(example, "content_source", None)
    run_stages(example)
    assert example.execute("SELECT count(*) FROM sessions.content_before_signup").fetchone() == (0,)
    assert example.execute("SELECT count(*) FROM sessions.ltv_by_content").fetchone() == (0,)


def test_a_new_page_view_recomputes_that_aliases_content(example: psycopg.Connection) -> None:
    # before u5's signup at 12:05, loaded after the last run (received later)
    insert(example, "pages", [{"id": "c5d", "anonymous_id": "a5", "timestamp": ts(2024, 5, 10, 12, 4),
                               "received_at": AS_OF + timedelta(hours=1), "url": BLOG + "bob/x"}])
    run_stages(example)
    assert sorted(example.execute("SELECT content_group, pages FROM sessions.content_before_signup "
                                  "WHERE alias_id = 'u5'")) == [("alice", 1), ("ann", 1), ("blog", 1)]


# -- Every run -------------------------------------------------------------------------

def test_a_run_with_nothing_new_writes_nothing(example: psycopg.Connection) -> None:
    assert run_stages(example)["attribute"][1] == 0


def test_a_run_reads_spend_and_survey_again(example: psycopg.Connection) -> None:
    example.execute("INSERT INTO ads.spend VALUES ('2024-05-01', 'tiktok', 'paid', 'launch', 30)")
    example.execute("INSERT INTO app.survey VALUES ('u2', 'Friend', '2024-05-30')")
    counts = run_stages(example)
    assert counts["attribute"][1] > 0
    assert example.execute("SELECT spend FROM sessions.cac_by_campaign WHERE model = 'linear' "
                           "AND source = 'tiktok'").fetchone() == (Decimal(100),)
    assert ("friend", "Organic Social", 1) in example.execute("SELECT * FROM sessions.survey_vs_first_touch").fetchall()


def test_forget_removes_the_users_rows_of_every_new_report(example: psycopg.Connection) -> None:
    example.execute("SELECT * FROM attrib.forget('u2')")
    for table in ("user_revenue_horizon", "survey_answers", "content_before_signup"):
        assert example.execute(f"SELECT count(*) FROM attrib.{table} WHERE alias_id = 'u2'").fetchone() == (0,), table
    run_stages(example)  # u2's survey rows are now ignored, not unmatched
    assert example.execute("SELECT * FROM sessions.survey_unmatched").fetchall() == [(3,)]
    assert example.execute("SELECT count(*) FROM sessions.survey_vs_first_touch WHERE answer = 'podcast'"
                           ).fetchone() == (0,)


REPORTS = ("ltv_horizon_by_first_touch", "cac_by_channel", "roas_by_channel", "cac_by_campaign",
           "survey_vs_first_touch", "survey_unmatched", "content_before_signup", "ltv_by_content")


@pytest.mark.parametrize("report", REPORTS)
def test_the_reader_reads_every_new_report(example: psycopg.Connection, dsn: str, report: str) -> None:
    name = f"bi_{uuid.uuid4().hex[:8]}"
    reader_dsn = create_login(dsn, name, member_of="attrib_reader")
    query = sql.SQL("SELECT * FROM sessions.{}").format(sql.Identifier(report))
    try:
        with psycopg.connect(reader_dsn, autocommit=True) as reader:
            assert sorted(reader.execute(query).fetchall(), key=repr) == \
                sorted(example.execute(query).fetchall(), key=repr)
            assert reader.execute(query).rowcount > 0
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                reader.execute("SELECT * FROM attrib.spend")
    finally:
        example.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))
