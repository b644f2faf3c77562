"""End to end on generated sample data: the outputs agree with each other (definitions §4-§8)."""

from __future__ import annotations

import psycopg
import pytest

from attrib_tools import demo_data
from conftest import create_database, drop_database, server_dsn
from segment import run_stages


@pytest.fixture(scope="module")
def sample(template_db: str):
    name = create_database(template_db)
    with psycopg.connect(server_dsn(name), autocommit=True) as conn:
        demo_data.generate(conn, events=20_000, days=30, seed=7)
        run_stages(conn)
        yield conn
    drop_database(name)


def one(conn: psycopg.Connection, query: str) -> object:
    return conn.execute(query).fetchone()[0]


def test_sample_has_signups(sample: psycopg.Connection) -> None:
    assert one(sample, "SELECT count(*) FROM sessions.attribution") > 50


def test_one_attribution_row_per_signed_up_alias(sample: psycopg.Connection) -> None:
    assert one(sample, "SELECT count(*) FROM sessions.attribution") == \
        one(sample, "SELECT count(DISTINCT alias_id) FROM sessions.all_sessions WHERE signed_up")
    assert one(sample, "SELECT count(*) FROM sessions.all_sessions WHERE signed_up") == \
        one(sample, "SELECT count(DISTINCT alias_id) FROM sessions.all_sessions WHERE signed_up")


def test_touches_are_ordered_in_time(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM sessions.attribution
                           WHERE NOT (first_touch_timestamp <= last_touch_timestamp
                                      AND last_touch_timestamp <= signup_timestamp)""") == 0
    assert one(sample, """SELECT count(*) FROM sessions.attribution
                           WHERE first_attributed_touch_timestamp > last_attributed_touch_timestamp""") == 0


def test_session_count_before_signup_matches_all_sessions(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM sessions.attribution a
                           WHERE a.session_count_before_signup <> (SELECT count(*) FROM sessions.all_sessions s
                                   WHERE s.alias_id = a.alias_id AND s.session_start <= a.signup_timestamp)""") == 0


def test_sessions_account_for_every_event(sample: psycopg.Connection) -> None:
    assert one(sample, "SELECT sum(event_count) FROM sessions.all_sessions") == \
        one(sample, "SELECT count(*) FROM partitioning.events")


def test_session_numbers_are_consecutive(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM (SELECT alias_id, max(session_number) m, count(*) c
                            FROM sessions.all_sessions GROUP BY 1) x WHERE m <> c""") == 0


def test_credit_sums_to_one_per_alias_and_model(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM (SELECT alias_id, model, sum(credit) s
                            FROM sessions.attribution_credit GROUP BY 1, 2) x WHERE abs(s - 1) > 1e-9""") == 0
    assert one(sample, "SELECT count(DISTINCT (alias_id, model)) FROM sessions.attribution_credit") == \
        6 * one(sample, "SELECT count(*) FROM sessions.attribution")


def test_paid_touches_are_paid_channels(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM sessions.all_sessions
                           WHERE is_paid <> (channel IN ('Cross-network', 'Paid Shopping', 'Paid Search', 'Paid Social',
                                                         'Paid Video', 'Display', 'Paid Other', 'Audio'))""") == 0
    assert one(sample, "SELECT count(*) FROM sessions.all_sessions WHERE is_paid") > 0


def test_youtube_traffic_is_video(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM sessions.all_sessions WHERE channel = 'Organic Video'""") > 0
    assert one(sample, """SELECT count(*) FROM sessions.all_sessions WHERE channel = 'Paid Video'""") > 0
    assert one(sample, """SELECT count(*) FROM sessions.all_sessions
                           WHERE (source ILIKE '%youtube%') AND channel NOT IN ('Organic Video', 'Paid Video')""") == 0


def test_user_session_counts_agree_with_sessions(sample: psycopg.Connection) -> None:
    assert one(sample, """SELECT count(*) FROM sessions.user_session_counts u
                           JOIN (SELECT alias_id, count(*) n FROM sessions.all_sessions GROUP BY 1) s USING (alias_id)
                          WHERE u.sessions <> s.n""") == 0
    assert one(sample, "SELECT count(*) FROM sessions.user_session_counts") == \
        one(sample, "SELECT count(DISTINCT alias_id) FROM sessions.all_sessions")
