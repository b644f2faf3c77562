"""Increments touch only what new data can change (definitions §9, issue 4)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from run_helpers import histogram_size, may_partition
from segment import create_source, insert, run_stages

T = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def page(id_: str, anonymous_id: str, ts: datetime, load: datetime) -> dict:
    return {"id": id_, "anonymous_id": anonymous_id, "timestamp": ts, "received_at": ts, "uuid_ts": load,
            "url": "https://www.example.com/"}


def row_versions(conn: psycopg.Connection, alias: str) -> list[tuple]:
    return conn.execute("""
        SELECT 'all_sessions', session_id, xmin::text FROM sessions.all_sessions WHERE alias_id = %(a)s
        UNION ALL SELECT 'useful_sessions', session_id, xmin::text FROM sessions.useful_sessions WHERE alias_id = %(a)s
        UNION ALL SELECT 'user_session_counts', alias_id, xmin::text FROM sessions.user_session_counts WHERE alias_id = %(a)s
        ORDER BY 1, 2""", {"a": alias}).fetchall()


@pytest.fixture
def two_visitors(conn: psycopg.Connection) -> psycopg.Connection:
    create_source(conn, with_uuid_ts=True)
    insert(conn, "pages", [page("a1", "anon-a", T, T), page("b1", "anon-b", T, T)])
    run_stages(conn)
    return conn


def test_untouched_aliases_are_not_rewritten(two_visitors: psycopg.Connection) -> None:
    before_a, before_b = row_versions(two_visitors, "anon-a"), row_versions(two_visitors, "anon-b")
    insert(two_visitors, "pages", [page("a2", "anon-a", T + timedelta(days=1), T + timedelta(days=1))])
    run_stages(two_visitors)
    assert row_versions(two_visitors, "anon-b") == before_b
    assert row_versions(two_visitors, "anon-a") != before_a
    assert two_visitors.execute(
        "SELECT count(*) FROM sessions.all_sessions WHERE alias_id = 'anon-a'").fetchone()[0] == 2


def test_an_increment_reads_only_the_events_of_the_aliases_it_changed(two_visitors: psycopg.Connection) -> None:
    insert(two_visitors, "pages", [page("a2", "anon-a", T + timedelta(days=1), T + timedelta(days=1))])
    counts = run_stages(two_visitors)
    assert counts["sessionize"][0] == 2, "anon-a's two events, none of anon-b's"


def test_a_rebuild_reads_every_event(two_visitors: psycopg.Connection) -> None:
    insert(two_visitors, "pages", [page("a2", "anon-a", T + timedelta(days=1), T + timedelta(days=1))])
    run_stages(two_visitors)
    two_visitors.execute("SELECT attrib.reset()")
    counts = run_stages(two_visitors)
    assert counts["sessionize"][0] == 3, "every alias is dirty: all events, read as they lie"


def test_a_run_without_new_data_marks_nothing_dirty(two_visitors: psycopg.Connection) -> None:
    counts = run_stages(two_visitors)
    assert counts["alias"][1] == 0, "no dirty aliases"
    assert counts["sessionize"][0] == 0, "no events read"


def test_identifying_a_device_recomputes_the_device_and_its_owner_only(two_visitors: psycopg.Connection) -> None:
    before_b = row_versions(two_visitors, "anon-b")
    insert(two_visitors, "identifies", [{"id": "i1", "anonymous_id": "anon-a", "user_id": "user-a",
                                         "timestamp": T + timedelta(days=2), "received_at": T + timedelta(days=2),
                                         "uuid_ts": T + timedelta(days=2)}])
    counts = run_stages(two_visitors)
    assert counts["alias"][1] == 2, "the anonymous alias that disappears and the owner that absorbs it"
    assert row_versions(two_visitors, "anon-b") == before_b
    assert two_visitors.execute("SELECT alias_id, identified FROM sessions.all_sessions WHERE alias_id <> 'anon-b'"
                                ).fetchall() == [("user-a", True)]


def test_a_changed_setting_recomputes_everyone_on_the_next_run(two_visitors: psycopg.Connection) -> None:
    insert(two_visitors, "pages", [page("b2", "anon-b", T + timedelta(minutes=30), T + timedelta(minutes=30))])
    run_stages(two_visitors)
    assert two_visitors.execute("SELECT count(*) FROM sessions.all_sessions WHERE alias_id = 'anon-b'").fetchone()[0] == 2
    two_visitors.execute("UPDATE attrib.settings SET value = '\"1 hour\"' WHERE name = 'session_gap'")
    counts = run_stages(two_visitors)
    assert counts["alias"][1] == 2, "every alias is dirty after a settings change"
    assert two_visitors.execute("SELECT count(*) FROM sessions.all_sessions WHERE alias_id = 'anon-b'").fetchone()[0] == 1


def month_partition_rows_estimate(conn: psycopg.Connection) -> float:
    """reltuples of May 2024's partition: what its last ANALYZE counted."""
    return conn.execute("""
        SELECT c.reltuples FROM partman.show_partition_name('partitioning.events', '2024-05-15') sp
          JOIN pg_class c ON c.oid = format('%I.%I', sp.partition_schema, sp.partition_table)::regclass
        """).fetchone()[0]


@pytest.fixture
def twenty_pages_in_may(conn: psycopg.Connection) -> psycopg.Connection:
    create_source(conn, with_uuid_ts=True)
    insert(conn, "pages", [page(f"p{i}", f"anon-{i}", T + timedelta(hours=i), T) for i in range(20)])
    run_stages(conn)
    return conn


def test_maintain_analyzes_a_month_that_grew_by_more_than_a_tenth(twenty_pages_in_may: psycopg.Connection) -> None:
    assert month_partition_rows_estimate(twenty_pages_in_may) == 20
    load = T + timedelta(days=1)
    insert(twenty_pages_in_may, "pages", [page(f"q{i}", f"anon-q{i}", load, load) for i in range(5)])
    run_stages(twenty_pages_in_may)
    assert month_partition_rows_estimate(twenty_pages_in_may) == 25


def test_maintain_leaves_a_month_that_grew_little_unanalyzed(twenty_pages_in_may: psycopg.Connection) -> None:
    load = T + timedelta(days=1)
    insert(twenty_pages_in_may, "pages", [page("q1", "anon-q1", load, load)])
    counts = run_stages(twenty_pages_in_may)
    assert month_partition_rows_estimate(twenty_pages_in_may) == 20
    assert counts["maintain"][1] == 0   # rows_written = partitions analyzed


def test_maintain_samples_event_months_coarsely_and_the_outputs_at_the_servers_target(
        conn: psycopg.Connection) -> None:
    create_source(conn, with_uuid_ts=True)
    hours = [T + timedelta(hours=i) for i in range(200)]  # 200 visitors, one page each, all in May
    insert(conn, "pages", [page(f"p{i}", f"anon-{i}", ts, ts) for i, ts in enumerate(hours)])
    run_stages(conn)
    assert histogram_size(conn, may_partition(conn), "event_ts") == 31  # statistics target 30
    assert histogram_size(conn, "sessions.all_sessions", "session_start") == 101  # the server's 100
    assert conn.execute("SHOW default_statistics_target").fetchone() == ("100",)


def test_the_stages_sample_their_scratch_tables_coarsely(conn: psycopg.Connection) -> None:
    create_source(conn, with_uuid_ts=True)
    hours = [T + timedelta(hours=i) for i in range(200)]  # 200 visitors, each with an agent of their own
    insert(conn, "pages", [{**page(f"p{i}", f"anon-{i}", ts, ts), "context_user_agent": f"agent {i:03}"}
                           for i, ts in enumerate(hours)])
    run_stages(conn)
    # emptied when their stage ends, but the statistics of the last ANALYZE stay
    assert histogram_size(conn, "sessions_stages.ingest_agents", "user_agent") == 31  # ingest's read: 30
    assert histogram_size(conn, "sessions_stages.session_landings", "session_start") == 31  # sessionize: 30
    assert histogram_size(conn, "sessions.all_sessions", "session_start") == 101  # an output: the server's 100
    assert conn.execute("SHOW default_statistics_target").fetchone() == ("100",)


def test_person_lookups_match_the_events_after_re_aliasing(two_visitors: psycopg.Connection) -> None:
    later = T + timedelta(days=40)
    insert(two_visitors, "identifies", [{"id": "i1", "anonymous_id": "anon-a", "user_id": "user-1",
                                         "timestamp": later, "received_at": later, "uuid_ts": later}])
    run_stages(two_visitors)
    stray = two_visitors.execute("""
        SELECT e.message_id FROM partitioning.events e
          LEFT JOIN partitioning.message_index mi USING (message_id, alias_id, event_ts)
          LEFT JOIN partitioning.alias_months am ON am.alias_id = e.alias_id AND am.month = attrib._month(e.event_ts)
         WHERE mi.message_id IS NULL OR am.alias_id IS NULL""").fetchall()
    assert stray == []
    assert two_visitors.execute("SELECT count(*) FROM partitioning.message_index").fetchone()[0] == 2
    assert two_visitors.execute(
        "SELECT alias_id FROM partitioning.message_index WHERE message_id = 'a1'").fetchone()[0] == "user-1"
