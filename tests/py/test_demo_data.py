"""The demo data generator: deterministic per seed, shaped like real Segment data, appendable."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest
from click.testing import CliRunner

from attrib_tools import demo_data
from attrib.cli import main
from conftest import create_database, drop_database, server_dsn

SHAPE_EVENTS = 20_000
END = demo_data.DEFAULT_END

# definitions §1: the columns the pipeline reads from each table.
SPEC_COLUMNS = {
    "pages": {"id", "anonymous_id", "user_id", "timestamp", "received_at", "url", "referrer",
              "context_page_url", "context_page_referrer", "context_campaign_source",
              "context_campaign_medium", "context_campaign_name", "context_campaign_term",
              "context_campaign_content"},
    "tracks": {"id", "anonymous_id", "user_id", "timestamp", "received_at", "event",
               "context_page_url", "context_page_referrer", "context_campaign_source",
               "context_campaign_medium", "context_campaign_name", "context_campaign_term",
               "context_campaign_content"},
    "identifies": {"id", "anonymous_id", "user_id", "timestamp", "received_at"},
}
EVENTS = """(SELECT id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, context_user_agent
               FROM segment.pages
             UNION ALL
             SELECT id, anonymous_id, user_id, "timestamp", received_at, uuid_ts, context_user_agent
               FROM segment.tracks) e"""


def fill(dsn: str, **kwargs: object) -> demo_data.GenerateStats:
    with psycopg.connect(dsn, autocommit=True) as conn:
        return demo_data.generate(conn, **kwargs)  # type: ignore[arg-type]


def fingerprint(dsn: str, schema: str = "segment") -> dict[str, str]:
    """md5 of each table's rows as text, in byte order."""
    with psycopg.connect(dsn) as conn:
        return {table: conn.execute(
            f'SELECT md5(string_agg(t::text, E\'\\n\' ORDER BY t::text COLLATE "C")) FROM {schema}.{table} t'
        ).fetchone()[0] for table in demo_data.TABLES}


def scalar(conn: psycopg.Connection, query: str) -> object:
    return conn.execute(query).fetchone()[0]  # type: ignore[index]


@pytest.fixture
def other_empty_dsn() -> Iterator[str]:
    name = create_database()
    yield server_dsn(name)
    drop_database(name)


@pytest.fixture(scope="module")
def shaped() -> Iterator[tuple[psycopg.Connection, demo_data.GenerateStats]]:
    """One database with SHAPE_EVENTS events of seed 1, shared by the shape checks."""
    name = create_database()
    dsn = server_dsn(name)
    stats = fill(dsn, events=SHAPE_EVENTS, days=60, seed=1)
    with psycopg.connect(dsn, autocommit=True) as conn:
        yield conn, stats
    drop_database(name)


def test_same_seed_writes_identical_rows(empty_dsn: str, other_empty_dsn: str) -> None:
    fill(empty_dsn, events=3000, days=30, seed=7)
    fill(other_empty_dsn, events=3000, days=30, seed=7)
    assert fingerprint(empty_dsn) == fingerprint(other_empty_dsn)


def test_different_seed_writes_different_rows(empty_dsn: str) -> None:
    fill(empty_dsn, schema="a", events=3000, days=30, seed=7)
    fill(empty_dsn, schema="b", events=3000, days=30, seed=8)
    first, second = fingerprint(empty_dsn, "a"), fingerprint(empty_dsn, "b")
    assert all(first[table] != second[table] for table in demo_data.TABLES)


def test_pages_plus_tracks_is_close_to_events_asked(shaped) -> None:
    conn, stats = shaped
    total = scalar(conn, "SELECT (SELECT count(*) FROM segment.pages) "
                         "     + (SELECT count(*) FROM segment.tracks)")
    assert total == stats.events
    assert abs(total - SHAPE_EVENTS) <= 0.02 * SHAPE_EVENTS


def test_rows_lie_in_the_window_and_load_after_they_happen(shaped) -> None:
    conn, stats = shaped
    row = conn.execute(f"""SELECT min("timestamp"), max(uuid_ts),
                                  count(*) FILTER (WHERE received_at < "timestamp" OR uuid_ts < received_at)
                           FROM {EVENTS}""").fetchone()
    assert row[0] > stats.window_start and row[1] <= END and row[2] == 0


def test_signups_are_5_to_10_percent_of_visitors(shaped) -> None:
    conn, _ = shaped
    share = scalar(conn, """
        SELECT (SELECT count(DISTINCT anonymous_id) FROM segment.tracks
                 WHERE event IN ('signed_up', 'Signed Up'))::numeric
             / (SELECT count(DISTINCT anonymous_id) FROM segment.pages
                 WHERE anonymous_id ~ '^[0-9a-f-]{36}$'
                   AND context_user_agent !~* 'bot|crawler|spider|headlesschrome|lighthouse')""")
    assert 0.05 <= share <= 0.10


def test_signup_is_followed_by_an_identify_within_seconds(shaped) -> None:
    conn, _ = shaped
    unmatched = scalar(conn, """
        SELECT count(*) FROM segment.tracks t
         WHERE t.event IN ('signed_up', 'Signed Up')
           AND NOT EXISTS (SELECT 1 FROM segment.identifies i
                            WHERE i.anonymous_id = t.anonymous_id AND i.user_id LIKE 'user-%'
                              AND i."timestamp" BETWEEN t."timestamp" AND t."timestamp" + interval '10 s')""")
    assert unmatched <= 1  # a signup in the window's last seconds may lose its identify
    assert scalar(conn, "SELECT count(*) FROM segment.tracks WHERE event = 'Signed Up'") > 0


def test_duplicate_message_ids_are_redelivered_later(shaped) -> None:
    conn, _ = shaped
    dup_ids, later = conn.execute(f"""
        SELECT count(*), count(*) FILTER (WHERE last_received > first_received)
        FROM (SELECT id, min(received_at) first_received, max(received_at) last_received
              FROM {EVENTS} GROUP BY id HAVING count(*) > 1) d""").fetchone()
    assert 0.002 * SHAPE_EVENTS <= dup_ids <= 0.01 * SHAPE_EVENTS
    assert later == dup_ids


def test_multi_device_users_are_present(shaped) -> None:
    conn, _ = shaped
    assert scalar(conn, """
        SELECT count(*) FROM (SELECT user_id FROM segment.identifies WHERE anonymous_id IS NOT NULL
                              GROUP BY user_id HAVING count(DISTINCT anonymous_id) >= 2) m""") > 0


def test_bot_user_agents_are_present(shaped) -> None:
    conn, _ = shaped
    share = scalar(conn, f"""
        SELECT avg((context_user_agent ~* 'bot|crawler|spider|slurp|headlesschrome|lighthouse')::int)
        FROM {EVENTS}""")
    assert 0.002 <= share <= 0.01


def test_null_like_and_missing_ids_are_present(shaped) -> None:
    conn, _ = shaped
    null_like, no_ids = conn.execute(f"""
        SELECT count(*) FILTER (WHERE anonymous_id IN ('', 'null', 'undefined', 'None', 'NULL')
                                   OR user_id IN ('', 'null', 'undefined', 'None', 'NULL')),
               count(*) FILTER (WHERE anonymous_id IS NULL AND user_id IS NULL)
        FROM {EVENTS}""").fetchone()
    assert null_like > 0 and no_ids > 0


def test_late_rows_are_present(shaped) -> None:
    conn, _ = shaped
    assert scalar(conn, f"""SELECT count(*) FROM {EVENTS}
                             WHERE uuid_ts > "timestamp" + interval '1 hour'""") > 0


def test_every_row_has_the_columns_spec_reads(shaped) -> None:
    conn, _ = shaped
    for table, columns in SPEC_COLUMNS.items():
        present = {r[0] for r in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'segment' "
            "AND table_name = %s", [table])}
        assert columns <= present, table
        assert scalar(conn, f"""SELECT count(*) FROM segment.{table}
                                WHERE id IS NULL OR "timestamp" IS NULL OR received_at IS NULL""") == 0
    assert scalar(conn, "SELECT count(*) FROM segment.tracks WHERE event IS NULL") == 0
    assert scalar(conn, "SELECT count(*) FROM segment.pages "
                        "WHERE coalesce(url, context_page_url) IS NULL") == 0


def test_append_days_adds_rows_after_the_old_window(empty_dsn: str) -> None:
    fill(empty_dsn, events=6000, days=30, seed=3)
    stats = fill(empty_dsn, events=6000, days=30, seed=3, replace=False, append_days=5)
    with psycopg.connect(empty_dsn) as conn:
        new_rows, backfilled, clashes = conn.execute(f"""
            SELECT count(*) FILTER (WHERE uuid_ts > %(end)s),
                   count(*) FILTER (WHERE uuid_ts > %(end)s AND "timestamp" <= %(end)s),
                   (SELECT count(*) FROM (SELECT id FROM {EVENTS} GROUP BY id
                                          HAVING count(DISTINCT (anonymous_id, "timestamp")) > 1) c)
            FROM {EVENTS}""", {"end": END}).fetchone()
    assert abs(new_rows - 1000) <= 100 and new_rows == stats.events
    assert 0 < backfilled == stats.backfilled_rows
    assert clashes == 0


def test_append_days_reidentifies_an_old_anonymous_id(empty_dsn: str) -> None:
    fill(empty_dsn, events=6000, days=30, seed=3)
    fill(empty_dsn, events=6000, days=30, seed=3, replace=False, append_days=5)
    with psycopg.connect(empty_dsn) as conn:
        assert scalar(conn, f"""
            SELECT count(*) FROM segment.identifies n
             WHERE n.uuid_ts > '{END.isoformat()}' AND n.user_id LIKE 'user-%'
               AND EXISTS (SELECT 1 FROM segment.pages p
                            WHERE p.anonymous_id = n.anonymous_id AND p.uuid_ts <= '{END.isoformat()}')
               AND NOT EXISTS (SELECT 1 FROM segment.identifies o
                                WHERE o.anonymous_id = n.anonymous_id
                                  AND o.uuid_ts <= '{END.isoformat()}')""") > 0


def test_append_without_existing_rows_is_refused(empty_dsn: str) -> None:
    with pytest.raises(ValueError, match="nothing to append"):
        fill(empty_dsn, events=100, days=1, seed=1, replace=False, append_days=1)


def test_cli_prints_one_summary_line(empty_dsn: str) -> None:
    result = CliRunner().invoke(main, ["demo-data", "--dsn", empty_dsn, "--events", "500",
                                       "--days", "7", "--seed", "5"])
    assert result.exit_code == 0, result.output
    summary = [line for line in result.stdout.splitlines() if line.startswith("schema=")]
    assert len(summary) == 1 and "pages=" in summary[0] and "signup_events=" in summary[0]

