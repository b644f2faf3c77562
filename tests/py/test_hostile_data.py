"""Hostile source data (definitions §1, §2, §3, §9): a bad row is a counted reject, never a halted run or a lost row.

Segment's write key is public, so every value here could come from anyone.
After each case the accounting identity of definitions §2 holds per table:
source rows = events + duplicate copies + reject copies.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from run_helpers import attrib
from segment import create_source, create_table, insert, run_stages

T = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
BASE = ["id", "anonymous_id", "user_id", "timestamp", "received_at"]


def page(id_: str, ts: datetime | str | None = T, anonymous_id: str | None = "anon-1", **extra) -> dict:
    received = extra.pop("received_at", ts + timedelta(seconds=1) if isinstance(ts, datetime) else ts)
    return {"id": id_, "anonymous_id": anonymous_id, "timestamp": ts, "received_at": received,
            "url": "https://www.example.com/", **extra}


def ingest(conn: psycopg.Connection) -> tuple:
    return conn.execute("SELECT * FROM attrib.ingest()").fetchone()


def reasons(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT message_id, reason FROM attrib.rejects WHERE message_id IS NOT NULL"))


def accounted(conn: psycopg.Connection, table: str = "pages") -> tuple[int, int]:
    """(source rows, events + duplicate copies + reject copies) of one source table."""
    return conn.execute(f"""
        SELECT (SELECT count(*) FROM segment.{table}),
               (SELECT count(*) FROM partitioning.events WHERE source_table = %(t)s)
             + (SELECT coalesce(sum(copies), 0) FROM attrib.duplicates WHERE source_table = %(t)s)
             + (SELECT coalesce(sum(copies), 0) FROM attrib.rejects WHERE source_table = %(t)s)""",
                        {"t": table}).fetchone()


@pytest.fixture
def source(conn: psycopg.Connection) -> psycopg.Connection:
    create_source(conn)
    return conn


@pytest.fixture
def text_source(conn: psycopg.Connection) -> psycopg.Connection:
    """Source tables whose timestamp columns are text, as some loaders make them."""
    for table, extra in (("pages", ["url", "referrer", "context_user_agent"]), ("tracks", ["event"]),
                         ("identifies", [])):
        create_table(conn, table, ["id", "anonymous_id", "user_id", "ts_text", "rcv_text", *extra])
        conn.execute(f'ALTER TABLE segment.{table} RENAME COLUMN ts_text TO "timestamp"')
        conn.execute(f"ALTER TABLE segment.{table} RENAME COLUMN rcv_text TO received_at")
    return conn


# -- oversized values ----------------------------------------------------------------


@pytest.mark.parametrize("column", ["id", "anonymous_id", "user_id"])
def test_an_oversized_id_in_pages_is_rejected(source: psycopg.Connection, column: str) -> None:
    row = page("p1", user_id="u1")
    row[column] = "x" * 3000
    insert(source, "pages", [row, page("p2")])
    ingest(source)
    assert source.execute("SELECT reason FROM attrib.rejects").fetchall() == [("oversized",)]
    assert accounted(source) == (2, 2)


def test_an_oversized_id_in_tracks_is_rejected(source: psycopg.Connection) -> None:
    insert(source, "tracks", [{"id": "t1", "anonymous_id": "a" * 256, "timestamp": T, "received_at": T,
                               "event": "signed_up"}])
    ingest(source)
    assert reasons(source) == {"t1": "oversized"}


def test_an_id_of_exactly_max_id_length_is_kept(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", anonymous_id="a" * 255)])
    assert ingest(source)[1] == 1


def test_an_id_padded_past_max_id_length_is_kept_when_it_fits_once_trimmed(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", anonymous_id="  " + "a" * 255 + "\t ")])
    assert ingest(source)[1] == 1
    assert source.execute("SELECT anonymous_id FROM partitioning.events").fetchone() == ("a" * 255,)


def test_max_id_length_counts_characters_not_bytes(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", anonymous_id="é" * 255), page("p2", anonymous_id="é" * 256)])
    ingest(source)
    assert reasons(source) == {"p2": "oversized"}
    assert source.execute("SELECT anonymous_id FROM partitioning.events").fetchone() == ("é" * 255,)


def test_an_oversized_id_in_identifies_gives_no_pair(source: psycopg.Connection) -> None:
    insert(source, "identifies", [{"id": "i1", "anonymous_id": "anon-1", "user_id": "u" * 3000,
                                   "timestamp": T, "received_at": T},
                                  {"id": "i2", "anonymous_id": "anon-2", "user_id": "u2",
                                   "timestamp": T, "received_at": T}])
    ingest(source)
    assert source.execute("SELECT anonymous_id, user_id FROM aliasing.identify_pairs").fetchall() == [
        ("anon-2", "u2")]


def test_a_3_kb_user_agent_is_read(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", context_user_agent="Mozilla/5.0 " + "x" * 3200),
                             page("p2", context_user_agent="Googlebot " + "y" * 3200)])
    ingest(source)
    assert reasons(source) == {"p2": "bot"}
    assert accounted(source) == (2, 2)


def test_a_100_kb_url_and_utm_values_are_kept_and_the_reject_image_is_capped(source: psycopg.Connection) -> None:
    huge = "https://www.example.com/?utm_source=" + "s" * 100_000 + "&utm_campaign=" + "c" * 100_000
    insert(source, "pages", [page("p1", url=huge, context_campaign_term="t" * 100_000),
                             page("p2", ts=None, received_at=None, url=huge)])
    run_stages(source)
    assert source.execute("SELECT length(utm_source), length(utm_term) FROM partitioning.events").fetchone() == (
        100_000, 100_000)
    image = source.execute("SELECT row FROM attrib.rejects").fetchone()[0]
    assert image["truncated"] is True and len(image["image"]) == 8000
    assert source.execute("SELECT count(*) FROM sessions.all_sessions").fetchone() == (1,)


# -- timestamps that are not timestamps ----------------------------------------------------


@pytest.mark.parametrize("value", ["-infinity", "infinity", "not a date", "0001-01-01 00:00:00+00",
                                   "4000-01-01 00:00:00+00 BC", "1999-12-31 23:59:59+00"])
def test_a_bad_text_timestamp_is_a_bad_timestamp_reject(text_source: psycopg.Connection, value: str) -> None:
    insert(text_source, "pages", [{"id": "p1", "anonymous_id": "a", "timestamp": value,
                                   "received_at": "2024-05-01 09:00:00+00"},
                                  {"id": "p2", "anonymous_id": "a", "timestamp": "2024-05-01 09:00:00",
                                   "received_at": "2024-05-01 09:00:01"}])
    ingest(text_source)
    assert reasons(text_source) == {"p1": "bad_timestamp"}
    assert text_source.execute("SELECT event_ts FROM partitioning.events").fetchall() == [(T,)]


def test_an_infinite_received_at_is_a_bad_timestamp_and_moves_no_watermark(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", received_at="infinity")])
    ingest(source)
    assert reasons(source) == {"p1": "bad_timestamp"}
    assert source.execute("SELECT watermark FROM attrib.ingest_state WHERE source_table = 'pages'").fetchone() == (
        None,)


def test_a_text_timestamp_without_a_zone_is_utc_whatever_the_session_zone(text_source: psycopg.Connection) -> None:
    text_source.execute("SET TimeZone = 'Asia/Kathmandu'")
    insert(text_source, "pages", [{"id": "p1", "anonymous_id": "a", "timestamp": "2024-05-01 09:00:00",
                                   "received_at": "2024-05-01 09:00:01"}])
    ingest(text_source)
    assert text_source.execute("SELECT event_ts = %s FROM partitioning.events", (T,)).fetchone() == (True,)


def test_a_timestamp_without_time_zone_column_is_read_as_utc(conn: psycopg.Connection) -> None:
    create_source(conn)
    conn.execute('ALTER TABLE segment.pages ALTER COLUMN "timestamp" TYPE timestamp USING "timestamp" AT TIME ZONE \'UTC\'')
    insert(conn, "pages", [page("p1")])  # stored as 09:00, in this UTC session
    conn.execute("SET TimeZone = 'America/New_York'")
    ingest(conn)
    assert conn.execute("SELECT event_ts = %s FROM partitioning.events", (T,)).fetchone() == (True,)


def test_a_received_at_in_9999_hides_no_later_row(conn: psycopg.Connection) -> None:
    create_table(conn, "pages", BASE + ["url"])  # no uuid_ts: received_at is the load time
    create_table(conn, "tracks", BASE + ["event"])
    create_table(conn, "identifies", BASE)
    now = datetime.now(timezone.utc)
    insert(conn, "pages", [page("poison", received_at=datetime(9999, 1, 1, tzinfo=timezone.utc)), page("p1", now)])
    ingest(conn)
    assert reasons(conn) == {}  # 9999 is a valid received_at: the event is not ahead of it
    insert(conn, "pages", [page("p2", datetime.now(timezone.utc))])  # loaded after the poison, as rows are
    ingest(conn)
    assert accounted(conn) == (3, 3)
    watermark = conn.execute("SELECT watermark FROM attrib.ingest_state WHERE source_table = 'pages'").fetchone()[0]
    assert watermark <= datetime.now(timezone.utc)
    insert(conn, "pages", [page("p3", datetime.now(timezone.utc))])
    assert ingest(conn)[1] == 1, "the next run reads the next row too"


def test_events_in_1000_months_before_oldest_event_ts_are_rejected_without_partitions(
        source: psycopg.Connection) -> None:
    partitions = source.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'partitioning.events'::regclass")
    before = partitions.fetchone()[0]
    source.execute("""
        INSERT INTO segment.pages (id, anonymous_id, "timestamp", received_at)
        SELECT 'old-' || m, 'a', timestamptz '1900-01-01 00:00+00' + m * interval '1 month', now()
          FROM generate_series(0, 999) m""")
    ingest(source)
    assert source.execute("SELECT reason, count(*) FROM attrib.rejects GROUP BY 1").fetchall() == [
        ("bad_timestamp", 1000)]
    after = source.execute("SELECT count(*) FROM pg_inherits WHERE inhparent = 'partitioning.events'::regclass")
    assert after.fetchone()[0] == before


def test_an_event_beyond_the_runs_start_is_a_future_reject_even_without_received_at(
        source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", ts=datetime.now(timezone.utc) + timedelta(days=30), received_at=None)])
    ingest(source)
    assert reasons(source) == {"p1": "future_timestamp"}


# -- copies ------------------------------------------------------------------------------


def test_identical_copies_of_a_valid_row_count_as_duplicates(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1")] * 3)
    assert ingest(source)[1:] == (1, 0, 2)
    assert source.execute("SELECT copies FROM attrib.duplicates").fetchone() == (2,)
    assert accounted(source) == (3, 3)


def test_identical_copies_of_a_rejected_row_count_in_its_copies(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", anonymous_id=None)] * 2)
    assert ingest(source)[1:] == (0, 2, 0)
    assert source.execute("SELECT copies FROM attrib.rejects").fetchone() == (2,)


def test_copies_re_read_in_the_overlap_are_not_counted_twice(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1")] * 2 + [page("r1", anonymous_id=None)] * 2)
    ingest(source)
    assert ingest(source)[1:] == (0, 0, 0)
    assert accounted(source) == (4, 4)


def test_a_copy_loaded_later_inside_the_overlap_is_counted(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1"), page("r1", anonymous_id=None)])
    ingest(source)
    insert(source, "pages", [page("p1"), page("r1", anonymous_id=None)])  # the loader committed a copy late
    assert ingest(source)[1:] == (0, 1, 1)
    assert accounted(source) == (4, 4)


def test_a_kept_event_that_loses_later_counts_all_its_copies(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("m1", ts=T, received_at=T + timedelta(minutes=5))] * 2)
    ingest(source)
    insert(source, "tracks", [{"id": "m1", "anonymous_id": "anon-1", "timestamp": T, "received_at": T,
                               "event": "x"}])  # received earlier: it wins the message id
    ingest(source)
    assert source.execute("SELECT source_table FROM partitioning.events").fetchall() == [("tracks",)]
    assert accounted(source, "pages") == (2, 2)


# -- the worked example and increments under other time zones ---------------------------------


@pytest.mark.parametrize("zone", ["America/New_York", "Asia/Kathmandu"])
def test_runs_under_another_server_time_zone_give_the_same_outputs(source: psycopg.Connection, dsn: str,
                                                                   zone: str) -> None:
    rows = [page(f"p{i}", ts=datetime(2024, 3, 9, 20, tzinfo=timezone.utc) + timedelta(hours=7 * i))
            for i in range(8)]
    insert(source, "pages", rows)
    source.execute("CALL attrib.run_attribution()")
    utc = source.execute("SELECT session_id, session_start, session_end FROM sessions.all_sessions "
                         "ORDER BY 1").fetchall()
    db = dsn.rsplit("/", 1)[1]
    source.execute(f"ALTER DATABASE \"{db}\" SET TimeZone = '{zone}'")
    with psycopg.connect(dsn, autocommit=True) as other:
        other.execute("CALL attrib.run_attribution(true)")
        assert other.execute("SELECT session_id, session_start, session_end FROM sessions.all_sessions "
                             "ORDER BY 1").fetchall() == utc
        assert other.execute("SELECT sum(copies) FROM attrib.rejects").fetchone() == (None,)


# -- erasure ---------------------------------------------------------------------------------


def visitor(conn: psycopg.Connection) -> None:
    """user-1 used device anon-1; anon-2 is someone else's."""
    insert(conn, "pages", [page("p1", anonymous_id="anon-1"), page("p2", anonymous_id="anon-2")])
    insert(conn, "tracks", [{"id": "t1", "anonymous_id": "anon-1", "user_id": "user-1", "event": "signed_up",
                             "timestamp": T + timedelta(minutes=1), "received_at": T + timedelta(minutes=1)}])
    insert(conn, "identifies", [{"id": "i1", "anonymous_id": "anon-1", "user_id": "user-1",
                                 "timestamp": T, "received_at": T}])


def ids_anywhere(conn: psycopg.Connection) -> int:
    return conn.execute("""
        SELECT (SELECT count(*) FROM partitioning.events WHERE anonymous_id = 'anon-1' OR user_id = 'user-1')
             + (SELECT count(*) FROM aliasing.known_pairs WHERE user_id = 'user-1')
             + (SELECT count(*) FROM aliasing.owners WHERE user_id = 'user-1')
             + (SELECT count(*) FROM sessions.all_sessions WHERE alias_id IN ('user-1', 'anon-1'))
             + (SELECT count(*) FROM sessions.attribution WHERE alias_id = 'user-1')""").fetchone()[0]


def test_forget_removes_the_user_and_its_devices_everywhere(source: psycopg.Connection, dsn: str) -> None:
    visitor(source)
    source.execute("CALL attrib.run_attribution()")
    result = attrib("forget", "user-1", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    assert "forgot 2 ids" in result.stdout
    assert "delete-and-suppress" in result.stderr
    assert ids_anywhere(source) == 0
    assert accounted(source, "pages") == (2, 2) and accounted(source, "tracks") == (1, 1)
    assert source.execute("SELECT alias_id FROM sessions.all_sessions").fetchall() == [("anon-2",)]


def test_forget_dry_run_changes_nothing(source: psycopg.Connection, dsn: str) -> None:
    visitor(source)
    source.execute("CALL attrib.run_attribution()")
    result = attrib("forget", "user-1", "--dry-run", "--dsn", dsn)
    assert result.exit_code == 0
    assert "would forget 2 ids (the user and the devices it owns): 2 events" in result.stdout
    assert ids_anywhere(source) > 0
    assert source.execute("SELECT count(*) FROM attrib.forgotten").fetchone() == (0,)


@pytest.mark.parametrize("rebuild", [False, True])
def test_a_forgotten_user_never_comes_back(source: psycopg.Connection, rebuild: bool) -> None:
    visitor(source)
    source.execute("CALL attrib.run_attribution()")
    source.execute("SELECT attrib.forget('user-1')")
    insert(source, "pages", [page("p3", anonymous_id="anon-1", ts=T + timedelta(hours=1))])
    source.execute("CALL attrib.run_attribution(%s)", (rebuild,))
    assert ids_anywhere(source) == 0
    assert reasons(source)["p3"] == "forgotten"
    assert accounted(source, "pages") == (3, 3)
    assert source.execute("SELECT alias_id FROM sessions.all_sessions").fetchall() == [("anon-2",)]


def impostor(conn: psycopg.Connection) -> None:
    """user-1 signs up on anon-1; then a visitor identifies as mallory, sending user-1's id as its device id."""
    visitor(conn)
    later = T + timedelta(hours=2)
    insert(conn, "identifies", [{"id": "i-m", "anonymous_id": "user-1", "user_id": "mallory",
                                 "timestamp": later, "received_at": later}])
    insert(conn, "pages", [page("pm", anonymous_id="user-1", ts=later, user_id="mallory")])


def test_forgetting_a_visitor_leaves_the_user_whose_id_it_sent_as_a_device_intact(source: psycopg.Connection,
                                                                                 dsn: str) -> None:
    impostor(source)
    source.execute("CALL attrib.run_attribution()")
    before = source.execute("SELECT * FROM sessions.attribution WHERE alias_id = 'user-1'").fetchall()
    assert before
    assert attrib("forget", "mallory", "--dsn", dsn).exit_code == 0
    assert source.execute("SELECT kind, id FROM attrib.forgotten ORDER BY 1, 2").fetchall() == [
        ("anonymous_id", "user-1"), ("user_id", "mallory")]
    assert source.execute("SELECT * FROM sessions.attribution WHERE alias_id = 'user-1'").fetchall() == before
    # user-1 keeps coming back as a user id; the device id mallory sent stays forgotten
    later = T + timedelta(hours=3)
    insert(source, "tracks", [{"id": "t2", "anonymous_id": "anon-1", "user_id": "user-1", "event": "x",
                               "timestamp": later, "received_at": later}])
    insert(source, "pages", [page("pm2", anonymous_id="user-1", ts=later)])
    source.execute("CALL attrib.run_attribution()")
    got = reasons(source)
    assert "t2" not in got and got["pm2"] == "forgotten"
    assert source.execute("SELECT count(*) FROM partitioning.events WHERE user_id = 'user-1'").fetchone() == (2,)
    assert source.execute("SELECT * FROM sessions.attribution WHERE alias_id = 'user-1'").fetchall() == before


def test_forget_records_only_the_devices_the_user_owns(source: psycopg.Connection) -> None:
    visitor(source)
    later = T + timedelta(hours=2)  # user-2 identifies on user-1's device later: anon-1 stays user-1's
    insert(source, "identifies", [{"id": "i2", "anonymous_id": "anon-1", "user_id": "user-2",
                                   "timestamp": later, "received_at": later}])
    source.execute("CALL attrib.run_attribution()")
    source.execute("SELECT attrib.forget('user-2')")
    assert source.execute("SELECT kind, id FROM attrib.forgotten ORDER BY 1, 2").fetchall() == [("user_id", "user-2")]
    assert source.execute("SELECT alias_id FROM sessions.attribution").fetchall() == [("user-1",)]


def test_forget_refuses_an_id_longer_than_max_id_length(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("forget", "x" * 4000, "--dsn", dsn)
    assert result.exit_code == 2
    assert "22023" in result.stderr and "max_id_length" in result.stderr
    assert "54000" not in result.stderr
    assert source.execute("SELECT count(*) FROM attrib.forgotten").fetchone() == (0,)
