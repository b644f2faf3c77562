"""Definitions §10 reports against a small example computed by hand.

Three people sign up (all times UTC):

* u1, k = 1: lands from a Google ad (campaign spring) Wed 2024-05-08 10:00 and signs up at 10:05
  (week 2024-05-06); comes back 2024-05-20 10:00 (Direct).
* u2, k = 2: Facebook (Organic Social) Wed 2024-04-24 09:00, week 2024-04-22; signs up in a Direct
  session on Sunday 2024-05-05 23:30, so in week 2024-04-29 in UTC (in Tokyo it is already Monday).
* u5, k = 5: one session a day at 12:00, Mon 2024-05-06 .. Fri 2024-05-10: Paid Search (google cpc,
  no campaign), Direct, Organic Social, Direct, Organic Search (bing); signs up 12:05 on the 10th;
  comes back at exactly signup + 7 days.
* a9 never signs up; its visit at 2024-06-07 10:05 is the latest event (as_of), which is exactly
  u1's signup + 30 days (eligible: <=) and u2's + 32 days 10.5 h.

Revenue (billing.revenue): u1 100 (id ' u1 ', cleaned) + 50.5, a NULL amount of u1 (ignored),
u5 30, u2 with a NULL time (ignored), 'ghost' 7 (unknown), 'null' 3 (cleans to no user) and
a9 4 (an alias, not signed up): unmatched 3 rows, 14.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Iterator

import psycopg
import pytest
from psycopg import sql

from conftest import create_login
from segment import create_source, grant_to_attrib, insert, run_stages

UTC = timezone.utc
MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay")
GOOGLE_AD = "https://example.com/?utm_source=google&utm_medium=cpc"


def ts(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def page(conn: psycopg.Connection, mid: str, anon: str, at: datetime, url: str = "https://example.com/",
         referrer: str | None = None) -> None:
    insert(conn, "pages", [{"id": mid, "anonymous_id": anon, "timestamp": at, "received_at": at,
                            "url": url, "referrer": referrer}])


def signup(conn: psycopg.Connection, mid: str, anon: str, user: str, at: datetime) -> None:
    insert(conn, "tracks", [{"id": mid, "anonymous_id": anon, "user_id": user, "event": "signed_up",
                             "timestamp": at, "received_at": at}])
    insert(conn, "identifies", [{"id": "i" + mid, "anonymous_id": anon, "user_id": user,
                                 "timestamp": at, "received_at": at}])


U1_SIGNUP = ts(2024, 5, 8, 10, 5)
U2_SIGNUP = ts(2024, 5, 5, 23, 35)
U5_SIGNUP = ts(2024, 5, 10, 12, 5)
AS_OF = U1_SIGNUP + timedelta(days=30)


def load_example(conn: psycopg.Connection) -> None:
    create_source(conn)
    page(conn, "p1", "a1", ts(2024, 5, 8, 10, 0), GOOGLE_AD + "&utm_campaign=spring")
    signup(conn, "t1", "a1", "u1", U1_SIGNUP)
    page(conn, "p1b", "a1", ts(2024, 5, 20, 10, 0))
    page(conn, "p2", "a2", ts(2024, 4, 24, 9, 0), referrer="https://www.facebook.com/")
    page(conn, "p2b", "a2", ts(2024, 5, 5, 23, 30))
    signup(conn, "t2", "a2", "u2", U2_SIGNUP)
    for day, (url, ref) in enumerate([(GOOGLE_AD, None), ("https://example.com/", None),
                                      ("https://example.com/", "https://www.facebook.com/"),
                                      ("https://example.com/", None),
                                      ("https://example.com/", "https://www.bing.com/")]):
        page(conn, f"p5-{day}", "a5", ts(2024, 5, 6 + day, 12, 0), url, ref)
    signup(conn, "t5", "a5", "u5", U5_SIGNUP)
    page(conn, "p5b", "a5", U5_SIGNUP + timedelta(days=7))
    page(conn, "p9", "a9", AS_OF)


def load_revenue(conn: psycopg.Connection) -> None:
    conn.execute("CREATE SCHEMA billing")
    conn.execute("CREATE TABLE billing.revenue (user_id text, amount numeric, occurred_at timestamptz)")
    grant_to_attrib(conn, "revenue", "billing")
    for row in [(" u1 ", 100, ts(2024, 5, 9)), ("u1", Decimal("50.5"), ts(2024, 5, 25)),
                ("u1", None, ts(2024, 5, 26)), ("u5", 30, ts(2024, 5, 12)), ("u2", 10, None),
                ("ghost", 7, ts(2024, 5, 12)), ("null", 3, ts(2024, 5, 12)), ("a9", 4, ts(2024, 6, 1))]:
        conn.execute("INSERT INTO billing.revenue VALUES (%s, %s, %s)", row)
    conn.execute("""UPDATE attrib.settings SET value = '"billing.revenue"' WHERE name = 'revenue_source'""")


def time_decay(ages_days: list[float]) -> list[float]:
    weights = [2 ** (-a / 7) for a in ages_days]
    return [w / sum(weights) for w in weights]


# Per person: (signup week, channel of sessions 1..k, credit of each session per model), by hand.
PEOPLE = {
    "u1": (date(2024, 5, 6), ["Paid Search"], {m: [1.0] for m in MODELS}),
    "u2": (date(2024, 4, 29), ["Organic Social", "Direct"], {
        "first_touch": [1, 0], "last_touch": [0, 1], "last_non_direct": [1, 0], "linear": [0.5, 0.5],
        "position_based": [0.5, 0.5],
        "time_decay": time_decay([(ts(2024, 5, 5, 23, 30) - ts(2024, 4, 24, 9)).total_seconds() / 86400, 0])}),
    "u5": (date(2024, 5, 6), ["Paid Search", "Direct", "Organic Social", "Direct", "Organic Search"], {
        "first_touch": [1, 0, 0, 0, 0], "last_touch": [0, 0, 0, 0, 1], "last_non_direct": [0, 0, 0, 0, 1],
        "linear": [0.2] * 5, "position_based": [0.4, 0.2 / 3, 0.2 / 3, 0.2 / 3, 0.4],
        "time_decay": time_decay([4, 3, 2, 1, 0])}),
}
REVENUE = {"u1": Decimal("150.5"), "u5": Decimal(30)}


def expected_conversions() -> dict[tuple, tuple[int, float]]:
    conv: dict[tuple, float] = defaultdict(float)
    people: dict[tuple, set] = defaultdict(set)
    for alias, (week, channels, credits) in PEOPLE.items():
        for model, shares in credits.items():
            for channel, share in zip(channels, shares):
                if share > 0:
                    conv[(model, week, channel)] += share
                    people[(model, week, channel)].add(alias)
    return {key: (len(people[key]), conv[key]) for key in conv}


def expected_revenue_by_channel() -> dict[tuple, float]:
    out: dict[tuple, float] = defaultdict(float)
    for alias, revenue in REVENUE.items():
        _, channels, credits = PEOPLE[alias]
        for model, shares in credits.items():
            for channel, share in zip(channels, shares):
                if share > 0:
                    out[(model, channel)] += float(revenue) * share
    return dict(out)


@pytest.fixture
def example(conn: psycopg.Connection) -> psycopg.Connection:
    load_example(conn)
    load_revenue(conn)
    run_stages(conn)
    return conn


def test_conversions_by_channel_per_model_and_week(example: psycopg.Connection) -> None:
    rows = example.execute("SELECT model, week, channel, signups, conversions FROM sessions.conversions_by_channel")
    got = {(m, w, c): (s, conv) for m, w, c, s, conv in rows}
    want = expected_conversions()
    assert set(got) == set(want)
    for key, (signups, conv) in want.items():
        assert got[key][0] == signups, key
        assert got[key][1] == pytest.approx(conv, abs=1e-9), key


def test_conversions_add_up_to_the_weeks_signups(example: psycopg.Connection) -> None:
    weeks = dict(example.execute("SELECT week, sum(signups)::int FROM sessions.signups_by_week GROUP BY 1"))
    assert weeks == {date(2024, 4, 29): 1, date(2024, 5, 6): 2}
    sums = example.execute("SELECT model, week, sum(conversions) FROM sessions.conversions_by_channel "
                           "GROUP BY 1, 2").fetchall()
    assert len(sums) == 2 * len(MODELS)
    for model, week, total in sums:
        assert total == pytest.approx(weeks[week], abs=1e-9), (model, week)


def test_weeks_are_utc_mondays_whatever_the_time_zone(example: psycopg.Connection) -> None:
    example.execute("SET TimeZone = 'Asia/Tokyo'")
    assert example.execute("SELECT DISTINCT week FROM sessions.conversions_by_channel WHERE model = 'last_touch' "
                           "AND channel = 'Direct'").fetchall() == [(date(2024, 4, 29),)]
    assert sorted(example.execute("SELECT week, signups FROM sessions.signups_by_week "
                                  "WHERE first_touch_channel = 'Organic Social'")) == [(date(2024, 4, 29), 1)]


def test_retention_by_first_touch(example: psycopg.Connection) -> None:
    rows = example.execute("SELECT * FROM sessions.retention_by_first_touch").fetchall()
    assert sorted(rows, key=repr) == sorted([
        # channel, source, campaign, signups, eligible/retained 7d, 30d, 90d
        ("Paid Search", "google", "spring", 1, 1, 1, 1, 0, 0, 0),   # u1: 30 days exactly before as_of
        ("Organic Social", "facebook.com", None, 1, 1, 0, 1, 0, 0, 0),  # u2: never came back
        ("Paid Search", "google", None, 1, 1, 1, 0, 0, 0, 0),       # u5: back at exactly 7 days
    ], key=repr)


def test_user_revenue_and_unmatched(example: psycopg.Connection) -> None:
    assert sorted(example.execute("SELECT * FROM sessions.user_revenue")) == [
        ("u1", Decimal("150.5"), 2, ts(2024, 5, 9), ts(2024, 5, 25)),
        ("u5", Decimal(30), 1, ts(2024, 5, 12), ts(2024, 5, 12))]
    assert example.execute("SELECT * FROM sessions.revenue_unmatched").fetchall() == [(3, Decimal(14))]


def test_ltv_by_first_touch(example: psycopg.Connection) -> None:
    rows = {r[:3]: r[3:] for r in example.execute("SELECT * FROM sessions.ltv_by_first_touch")}
    assert rows == {("Paid Search", "google", "spring"): (1, 1, Decimal("150.5"), Decimal("150.5")),
                    ("Paid Search", "google", None): (1, 1, Decimal(30), Decimal(30)),
                    ("Organic Social", "facebook.com", None): (1, 0, Decimal(0), Decimal(0))}


def test_revenue_by_channel(example: psycopg.Connection) -> None:
    got = {(m, c): float(r) for m, c, r in example.execute("SELECT * FROM sessions.revenue_by_channel")}
    want = expected_revenue_by_channel()
    assert set(got) == set(want)
    for key, value in want.items():
        assert got[key] == pytest.approx(value, abs=1e-6), key


def test_revenue_is_read_again_by_every_run(example: psycopg.Connection) -> None:
    example.execute("INSERT INTO billing.revenue VALUES ('u2', 12, '2024-05-30')")
    run_stages(example)  # no new event: only the revenue changed
    assert example.execute("SELECT revenue, orders FROM sessions.user_revenue WHERE alias_id = 'u2'"
                           ).fetchall() == [(Decimal(12), 1)]
    example.execute("UPDATE attrib.settings SET value = 'null' WHERE name = 'revenue_source'")
    run_stages(example)
    assert example.execute("SELECT count(*) FROM sessions.user_revenue").fetchone() == (0,)
    assert example.execute("SELECT * FROM sessions.revenue_unmatched").fetchall() == [(0, Decimal(0))]
    assert example.execute("SELECT count(*) FROM sessions.revenue_by_channel").fetchone() == (0,)
    assert example.execute("SELECT sum(revenue), sum(ltv) FROM sessions.ltv_by_first_touch"
                           ).fetchone() == (Decimal(0), Decimal(0))


def test_no_revenue_source_means_no_revenue(conn: psycopg.Connection) -> None:
    load_example(conn)
    run_stages(conn)
    assert conn.execute("SELECT count(*) FROM sessions.user_revenue").fetchone() == (0,)
    assert conn.execute("SELECT * FROM sessions.revenue_unmatched").fetchall() == [(0, Decimal(0))]
    assert conn.execute("SELECT sum(signups)::int, sum(paying)::int, sum(revenue) FROM sessions.ltv_by_first_touch"
                        ).fetchone() == (3, 0, Decimal(0))


def test_a_missing_revenue_relation_or_column_names_the_setting(example: psycopg.Connection) -> None:
    example.execute("CREATE TABLE billing.no_amount (user_id text, occurred_at timestamptz)")
    grant_to_attrib(example, "no_amount", "billing")
    example.execute("""UPDATE attrib.settings SET value = '"billing.no_amount"' WHERE name = 'revenue_source'""")
    with pytest.raises(psycopg.errors.UndefinedColumn, match="revenue_source.*no column amount"):
        example.execute("SELECT * FROM attrib.attribute()")
    example.execute("CREATE TABLE billing.text_amount (user_id text, amount text, occurred_at timestamptz)")
    grant_to_attrib(example, "text_amount", "billing")
    example.execute("""UPDATE attrib.settings SET value = '"billing.text_amount"' WHERE name = 'revenue_source'""")
    with pytest.raises(psycopg.errors.DatatypeMismatch, match="amount.*revenue_source"):
        example.execute("SELECT * FROM attrib.attribute()")
    example.execute("DROP TABLE billing.text_amount")
    with pytest.raises(psycopg.errors.UndefinedTable, match="revenue_source"):
        example.execute("SELECT * FROM attrib.attribute()")
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="revenue_source"):
        example.execute("""UPDATE attrib.settings SET value = '"billing.nope"' WHERE name = 'revenue_source'""")


def test_an_untrusted_view_is_not_read(example: psycopg.Connection) -> None:
    role = f"billing_{uuid.uuid4().hex[:8]}"
    example.execute(sql.SQL("CREATE ROLE {}").format(sql.Identifier(role)))
    try:
        example.execute("CREATE VIEW billing.revenue_view AS SELECT * FROM billing.revenue")
        example.execute(sql.SQL("ALTER VIEW billing.revenue_view OWNER TO {}").format(sql.Identifier(role)))
        example.execute("GRANT SELECT ON billing.revenue_view TO attrib_owner")  # readable, but not trusted
        example.execute("""UPDATE attrib.settings SET value = '"billing.revenue_view"' WHERE name = 'revenue_source'""")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="revenue_source"):
            example.execute("SELECT * FROM attrib.attribute()")
    finally:
        example.execute("DROP VIEW IF EXISTS billing.revenue_view")
        example.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(role)))


REPORTS = ("signups_by_week", "conversions_by_channel", "retention_by_first_touch", "user_revenue",
           "ltv_by_first_touch", "revenue_by_channel", "revenue_unmatched")


@pytest.fixture
def reader(example: psycopg.Connection, dsn: str) -> Iterator[psycopg.Connection]:
    name = f"bi_{uuid.uuid4().hex[:8]}"
    reader_dsn = create_login(dsn, name, member_of="attrib_reader")
    try:
        with psycopg.connect(reader_dsn, autocommit=True) as c:
            yield c
    finally:
        example.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.mark.parametrize("report", REPORTS)
def test_the_reader_reads_every_report(reader: psycopg.Connection, example: psycopg.Connection,
                                       report: str) -> None:
    query = sql.SQL("SELECT * FROM sessions.{}").format(sql.Identifier(report))
    assert sorted(reader.execute(query).fetchall(), key=repr) == sorted(example.execute(query).fetchall(), key=repr)
    assert reader.execute(query).rowcount > 0
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        reader.execute("SELECT * FROM attrib.user_revenue")


def test_no_credit_row_below_1e_12(conn: psycopg.Connection) -> None:
    """time_decay: a session a year before signup weighs 2^-52 of the signup session's: no row (definitions §8)."""
    create_source(conn)
    page(conn, "old", "a1", ts(2023, 5, 1, 10))
    page(conn, "new", "a1", ts(2024, 5, 1, 10))
    signup(conn, "t1", "a1", "u1", ts(2024, 5, 1, 10, 5))
    run_stages(conn)
    rows = conn.execute("SELECT session_number, credit FROM sessions.attribution_credit "
                        "WHERE model = 'time_decay'").fetchall()
    assert [n for n, _ in rows] == [2]
    assert rows[0][1] == pytest.approx(1.0, abs=1e-12)
