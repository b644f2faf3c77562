"""Stage ingest (definitions §1, §2, §9): nothing missed, nothing lost, nothing counted twice."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import psycopg
import pytest

from segment import create_source, insert, run_stages

T = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def page(id_: str, ts: datetime, anonymous_id: str = "anon-1", **extra) -> dict:
    return {"id": id_, "anonymous_id": anonymous_id, "timestamp": ts, "received_at": ts + timedelta(seconds=1),
            "url": "https://www.example.com/", **extra}


def counts(conn: psycopg.Connection) -> tuple[int, int, int]:
    return conn.execute("""SELECT (SELECT count(*) FROM partitioning.events)::int,
                                  (SELECT count(*) FROM attrib.rejects)::int,
                                  (SELECT count(*) FROM attrib.duplicates)::int""").fetchone()


def ingest(conn: psycopg.Connection) -> tuple:
    return conn.execute("SELECT * FROM attrib.ingest()").fetchone()


@pytest.fixture
def source(conn: psycopg.Connection) -> psycopg.Connection:
    create_source(conn, with_uuid_ts=True)
    return conn


def test_ingesting_the_same_source_twice_changes_nothing(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T), page("p2", T, uuid_ts=T, anonymous_id=None),
                             page("p1", T + timedelta(minutes=1), uuid_ts=T)])
    first = ingest(source)
    snapshot = source.execute("SELECT message_id, row_hash, xmin::text FROM partitioning.events").fetchall()
    second = ingest(source)
    assert first[1:] == (1, 1, 1)
    assert second[1:] == (0, 0, 0), "a re-read row is neither a new event, reject nor duplicate"
    assert source.execute("SELECT message_id, row_hash, xmin::text FROM partitioning.events").fetchall() == snapshot


def test_rows_loaded_inside_the_overlap_are_read(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    ingest(source)
    # loaded 12 hours *before* the watermark (a slow warehouse load), within the 1-day overlap
    insert(source, "pages", [page("p2", T, uuid_ts=T - timedelta(hours=12))])
    assert ingest(source)[1] == 1
    assert counts(source) == (2, 0, 0)


def test_a_row_loaded_before_the_overlap_is_not_read_again(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    ingest(source)
    insert(source, "pages", [page("p2", T, uuid_ts=T - timedelta(days=2))])
    assert ingest(source)[0] == 1, "only p1 (inside the overlap) is read"


def test_late_duplicate_in_another_month_is_one_event(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", datetime(2024, 5, 31, 23, 59, tzinfo=timezone.utc),
                                  uuid_ts=datetime(2024, 6, 1, tzinfo=timezone.utc))])
    ingest(source)
    # the same message re-delivered a week later with a clock-skewed timestamp in June
    late = page("p1", datetime(2024, 6, 1, 0, 1, tzinfo=timezone.utc), uuid_ts=datetime(2024, 6, 8, tzinfo=timezone.utc))
    late["received_at"] = datetime(2024, 6, 8, tzinfo=timezone.utc)
    insert(source, "pages", [late])
    assert ingest(source)[1:] == (0, 0, 1)
    assert source.execute("SELECT count(*), min(event_ts) FROM partitioning.events").fetchone() == \
        (1, datetime(2024, 5, 31, 23, 59, tzinfo=timezone.utc))


def test_a_later_load_that_sorts_first_replaces_the_kept_event(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T, referrer="https://second.example/")])
    ingest(source)
    earlier = page("p1", T, uuid_ts=T + timedelta(hours=3), referrer="https://first.example/")
    earlier["received_at"] = T  # received before the kept copy (T + 1s): it wins by definitions §2
    insert(source, "pages", [earlier])
    assert ingest(source)[1:] == (1, 0, 1)
    assert source.execute("SELECT referrer FROM partitioning.events").fetchall() == [("https://first.example/",)]


def test_pages_win_over_tracks_on_equal_received_at(source: psycopg.Connection) -> None:
    insert(source, "tracks", [{"id": "m1", "anonymous_id": "a", "timestamp": T, "received_at": T, "event": "x",
                               "uuid_ts": T}])
    insert(source, "pages", [{"id": "m1", "anonymous_id": "a", "timestamp": T, "received_at": T, "uuid_ts": T}])
    ingest(source)
    assert source.execute("SELECT kind FROM partitioning.events").fetchall() == [("page",)]


def overlap_rows(conn: psycopg.Connection) -> list[str]:
    """Message ids of the source rows the next run will skip when it re-reads them."""
    return [r[0] for r in conn.execute("""
        SELECT e.message_id FROM attrib.overlap_rows o
          JOIN partitioning.events e ON e.source_table = o.source_table AND e.row_hash = o.row_hash
         ORDER BY 1""")]


def test_ingest_leaves_no_scratch_table_behind(source: psycopg.Connection) -> None:
    # the batch and its id sets are unlogged tables made for one ingest: dropped before it commits
    insert(source, "pages", [page("p1", T, uuid_ts=T), page("p1", T, uuid_ts=T)])
    ingest(source)
    assert source.execute("""SELECT c.relname FROM pg_class c
                              WHERE c.relnamespace = 'sessions_stages'::regnamespace
                                AND c.relname LIKE 'ingest\\_%' AND c.relname <> 'ingest_agents'""").fetchall() == []


def test_rows_inside_the_overlap_are_remembered_for_the_next_run(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T - timedelta(days=3)),
                             page("p2", T, uuid_ts=T - timedelta(hours=12)), page("p3", T, uuid_ts=T)])
    ingest(source)
    assert overlap_rows(source) == ["p2", "p3"], "p1 is older than watermark - 1 day: never re-read"


def test_each_table_remembers_only_its_own_overlap(source: psycopg.Connection) -> None:
    # pages' watermark is T, tracks' T + 5 days: t1, loaded 2 days before tracks' watermark, is past
    # tracks' 1-day overlap, though inside pages' (the window is picked out by the earliest watermark)
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    insert(source, "tracks", [{"id": "t1", "anonymous_id": "a", "timestamp": T, "received_at": T, "event": "x",
                               "uuid_ts": T + timedelta(days=3)},
                              {"id": "t2", "anonymous_id": "a", "timestamp": T, "received_at": T, "event": "x",
                               "uuid_ts": T + timedelta(days=5)}])
    ingest(source)
    assert overlap_rows(source) == ["p1", "t2"]


def test_rows_leave_the_overlap_list_once_the_watermark_passes_them(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    ingest(source)
    insert(source, "pages", [page("p2", T, uuid_ts=T + timedelta(days=2))])
    ingest(source)
    assert overlap_rows(source) == ["p2"]


def test_a_remembered_row_re_read_next_to_a_new_rival_still_loses_to_it(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T + timedelta(minutes=5), uuid_ts=T)])
    ingest(source)
    # the same message id again, received earlier: it wins (definitions §2) although p1 itself is skipped
    insert(source, "pages", [page("p1", T, uuid_ts=T + timedelta(hours=1))])
    assert ingest(source)[1:] == (1, 0, 1)
    assert source.execute("SELECT event_ts FROM partitioning.events").fetchall() == [(T,)]


def row_hashes(conn: psycopg.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT message_id, row_hash FROM partitioning.events").fetchall())


def test_a_source_row_is_known_by_its_sha256(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    ingest(source)
    (digest,) = source.execute("SELECT decode(row_hash, 'base64') FROM partitioning.events").fetchone()
    assert len(digest) == 32, "SHA-256: 256 bits, 128-bit collision resistance"


def taken_in_across_an_upgrade(source: psycopg.Connection, until_column: str) -> dict[str, str]:
    """What an upgrade that changed the row hash leaves (a watermark, and until_column set to it), then a row
    loaded up to it ("old") and one after it ("new") taken in and re-read in the overlap; their hashes."""
    source.execute(f"INSERT INTO attrib.ingest_state (source_table, watermark, load_column, {until_column}) "
                   "VALUES ('pages', %s, 'uuid_ts', %s)", (T - timedelta(hours=1), T))
    insert(source, "pages", [page("old", T, uuid_ts=T), page("new", T, uuid_ts=T + timedelta(hours=1))])
    assert ingest(source)[1] == 2
    hashes = row_hashes(source)
    assert ingest(source)[1:] == (0, 0, 0), "both re-read in the overlap: known by the hash they were taken in with"
    assert row_hashes(source) == hashes
    return hashes


def test_rows_taken_in_with_md5_before_the_upgrade_are_known_by_it_again(source: psycopg.Connection) -> None:
    hashes = taken_in_across_an_upgrade(source, "md5_until")  # revision 0022
    assert len(hashes["old"]) == 32 and len(hashes["new"]) == 44, "md5 in hex up to md5_until, SHA-256 after"


def test_rows_hashed_from_their_text_before_revision_0027_are_known_by_it_again(source: psycopg.Connection) -> None:
    taken_in_across_an_upgrade(source, "text_hash_until")
    source.execute("UPDATE attrib.ingest_state SET text_hash_until = NULL")
    assert ingest(source)[1:] == (0, 0, 1), "hashed from its binary form, old is a new copy of itself"


def test_a_client_in_another_encoding_reads_and_hashes_a_row_alike(source: psycopg.Connection, dsn: str) -> None:
    # a visitor's characters that LATIN1 lacks: written by a client in it, record_send would fail on them
    insert(source, "pages", [page("p1", T, uuid_ts=T, referrer="https://例え.jp/ł")])
    with psycopg.connect(dsn, autocommit=True, client_encoding="LATIN1") as latin1:
        assert ingest(latin1)[1:] == (1, 0, 0)
        assert latin1.execute("SHOW client_encoding").fetchone() == ("LATIN1",), "the caller's encoding comes back"
    assert ingest(source)[1:] == (0, 0, 0), "re-read by a UTF8 client: the same hash"


def test_a_column_added_mid_life_is_read_from_then_on(source: psycopg.Connection) -> None:
    source.execute("ALTER TABLE segment.pages DROP COLUMN context_campaign_term")
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    ingest(source)
    # Segment adds the column when a value first appears, with the type of that value
    source.execute("ALTER TABLE segment.pages ADD COLUMN context_campaign_term bigint")
    insert(source, "pages", [page("p2", T, uuid_ts=T + timedelta(hours=1), context_campaign_term=42)])
    assert ingest(source)[1:] == (1, 0, 0), "p1 re-read in the overlap is unchanged despite the new column"
    assert source.execute("SELECT message_id, utm_term FROM partitioning.events ORDER BY 1").fetchall() == \
        [("p1", None), ("p2", "42")]


def test_extra_source_columns_are_ignored(source: psycopg.Connection) -> None:
    source.execute("ALTER TABLE segment.pages ADD COLUMN context_ip inet, ADD COLUMN title text")
    insert(source, "pages", [page("p1", T, uuid_ts=T, title="Home")])
    assert ingest(source)[1] == 1


def test_a_missing_required_column_stops_with_table_and_column(source: psycopg.Connection) -> None:
    source.execute("ALTER TABLE segment.tracks DROP COLUMN event")
    with pytest.raises(psycopg.errors.UndefinedColumn) as failure:
        ingest(source)
    assert str(failure.value.diag.message_primary) == 'source table segment.tracks has no column "event"'
    assert "source_schema" in failure.value.diag.message_hint


def test_a_missing_source_table_says_how_to_point_at_it(source: psycopg.Connection) -> None:
    source.execute("DROP TABLE segment.identifies")
    with pytest.raises(psycopg.errors.UndefinedTable) as failure:
        ingest(source)
    assert failure.value.diag.message_primary == "source table segment.identifies does not exist"
    assert "source_schema" in failure.value.diag.message_hint


def test_events_years_back_get_their_own_partitions(source: psycopg.Connection) -> None:
    now = datetime.now(timezone.utc)
    old = now - timedelta(days=3 * 365)
    insert(source, "pages", [page("old", old, uuid_ts=now)])
    assert ingest(source)[1] == 1
    placed = source.execute("SELECT tableoid::regclass::text FROM partitioning.events").fetchone()[0]
    assert placed == f"partitioning.events_p{old:%Y_%m}"
    assert source.execute("SELECT count(*) FROM partitioning.events_default").fetchone()[0] == 0


def test_an_event_months_ahead_of_the_run_is_a_future_reject_and_makes_no_partition(
        source: psycopg.Connection) -> None:
    ahead = datetime.now(timezone.utc) + timedelta(days=400)
    row = page("ahead", ahead, uuid_ts=datetime.now(timezone.utc))
    row["received_at"] = ahead  # a clock far ahead, consistent with received_at: only the run's start catches it
    insert(source, "pages", [row])
    ingest(source)
    assert source.execute("SELECT reason FROM attrib.rejects").fetchall() == [("future_timestamp",)]
    assert source.execute("SELECT to_regclass(%s)", (f"partitioning.events_p{ahead:%Y_%m}",)).fetchone() == (None,)


def test_maintenance_finds_the_default_partition_empty(source: psycopg.Connection) -> None:
    insert(source, "pages", [page("p1", T, uuid_ts=T)])
    run_stages(source)
    assert source.execute("SELECT count(*) FROM partman.check_default()").fetchone()[0] == 0


def test_every_source_row_is_an_event_a_duplicate_or_a_reject(source: psycopg.Connection) -> None:
    bot = page("b1", T, uuid_ts=T, context_user_agent="Mozilla/5.0 (compatible; Googlebot/2.1)")
    insert(source, "pages", [page("p1", T, uuid_ts=T), page("p1", T, uuid_ts=T, referrer="x"), bot,
                             page(" ", T, uuid_ts=T), page("p3", T, uuid_ts=T, anonymous_id="undefined")])
    insert(source, "tracks", [{"id": "t1", "anonymous_id": "a", "timestamp": None, "received_at": None,
                               "event": "x", "uuid_ts": T}])
    ingest(source)
    assert counts(source) == (1, 4, 1)
    assert sum(counts(source)) == source.execute(
        "SELECT (SELECT count(*) FROM segment.pages) + (SELECT count(*) FROM segment.tracks)").fetchone()[0]
