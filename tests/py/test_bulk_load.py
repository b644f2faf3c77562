"""The bulk path of a first load and of `attrib run --full` (issue 16) writes what the row-by-row path writes.

Into empty tables, ingest drops the indexes of events, message_index and
alias_months and builds them after the rows are in; a publish into empty
outputs does the same with the outputs' indexes (attrib._drop_indexes,
attrib._build_indexes). Whatever was attached to those tables must be there
afterwards, named and defined as before: indexes, constraints, comments,
grants, owners, the report views over them. These tests compare the catalog
of a database after a first load and after a full rebuild with that of a
fresh deploy, compare what both paths write, and read every output as the
reader role. The bulk path starts at 10,000 rows; the session setting
attrib.bulk_min_rows = 0 takes it with the handful of rows here.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Callable

import psycopg
import pytest

from conftest import create_database, drop_database, server_dsn
from segment import create_source, insert, run_stages
from test_incremental_equals_full import snapshot

SCHEMAS = ["attrib", "partitioning", "aliasing", "sessions", "sessions_stages"]
T = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)

# What a deploy attaches to attrib's tables, partitions aside (they follow the
# months of data; their keys are checked on their own below).
CATALOG = """
SELECT 'relation', format('%%s %%s owner=%%s acl=%%s persistence=%%s comment=%%s', c.oid::regclass, c.relkind,
       pg_get_userbyid(c.relowner), c.relacl, c.relpersistence, obj_description(c.oid, 'pg_class'))
  FROM pg_class c
 WHERE c.relnamespace::regnamespace::text = ANY (%(schemas)s) AND NOT c.relispartition
   AND c.relkind IN ('r', 'p', 'v', 'S', 'i', 'I')
UNION ALL
SELECT 'index', format('%%s %%s', i.indexrelid::regclass, pg_get_indexdef(i.indexrelid))
  FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
 WHERE c.relnamespace::regnamespace::text = ANY (%(schemas)s) AND NOT c.relispartition
UNION ALL
SELECT 'constraint', format('%%s.%%s %%s comment=%%s', co.conrelid::regclass, co.conname, pg_get_constraintdef(co.oid),
       obj_description(co.oid, 'pg_constraint'))
  FROM pg_constraint co JOIN pg_class c ON c.oid = co.conrelid
 WHERE c.relnamespace::regnamespace::text = ANY (%(schemas)s) AND NOT c.relispartition
UNION ALL
SELECT 'column', format('%%s.%%s %%s comment=%%s', a.attrelid::regclass, a.attname, format_type(a.atttypid, a.atttypmod),
       col_description(a.attrelid, a.attnum))
  FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
 WHERE c.relnamespace::regnamespace::text = ANY (%(schemas)s) AND NOT c.relispartition
   AND c.relkind IN ('r', 'p', 'v') AND a.attnum > 0 AND NOT a.attisdropped
UNION ALL
SELECT 'view', format('%%s %%s', c.oid::regclass, pg_get_viewdef(c.oid))
  FROM pg_class c
 WHERE c.relnamespace::regnamespace::text = ANY (%(schemas)s) AND c.relkind = 'v'
ORDER BY 1, 2
"""


def catalog(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute(CATALOG, {"schemas": SCHEMAS}).fetchall()


def key_oids(conn: psycopg.Connection) -> tuple[int, int]:
    """The oids of the events' and the sessions' primary keys: new ones mean the bulk path built them again."""
    return conn.execute("SELECT 'partitioning.events_pkey'::regclass::oid, "
                        "'sessions.all_sessions_pkey'::regclass::oid").fetchone()


def page(id_: str, anonymous_id: str, at: datetime, url: str = "https://shop.example.com/") -> dict:
    return {"id": id_, "anonymous_id": anonymous_id, "timestamp": at, "received_at": at, "uuid_ts": at, "url": url}


def load(conn: psycopg.Connection) -> psycopg.Connection:
    """Two visitors, one of them signs up, over two months: a first load's worth, by hand."""
    create_source(conn, with_uuid_ts=True)
    insert(conn, "pages", [page("p1", "anon-a", T, "https://shop.example.com/?utm_source=google&utm_medium=cpc"),
                           page("p2", "anon-a", T + timedelta(days=40)),
                           page("p3", "anon-b", T + timedelta(hours=1))])
    insert(conn, "tracks", [{"id": "t1", "anonymous_id": "anon-a", "user_id": "user-1", "event": "Signed Up",
                             "timestamp": T + timedelta(days=40, minutes=5), "uuid_ts": T + timedelta(days=40),
                             "received_at": T + timedelta(days=40, minutes=5)}])
    insert(conn, "identifies", [{"id": "i1", "anonymous_id": "anon-a", "user_id": "user-1",
                                 "timestamp": T + timedelta(days=40, minutes=4), "uuid_ts": T + timedelta(days=40),
                                 "received_at": T + timedelta(days=40, minutes=4)}])
    return conn


@pytest.fixture
def loaded(conn: psycopg.Connection) -> psycopg.Connection:
    conn.execute("SET attrib.bulk_min_rows = 0")
    return load(conn)


def row_by_row_snapshot(template_db: str, steps: Callable[[psycopg.Connection], object]) -> list:
    """What the row-by-row path leaves after steps(conn), in a database of its own."""
    name = create_database(template_db)
    try:
        with psycopg.connect(server_dsn(name), autocommit=True) as row_by_row:
            row_by_row.execute("SET attrib.bulk_min_rows = 1000000")
            steps(row_by_row)
            return snapshot(row_by_row)
    finally:
        drop_database(name)


def test_the_bulk_path_writes_what_the_row_by_row_path_writes(loaded: psycopg.Connection, template_db: str) -> None:
    run_stages(loaded)
    assert row_by_row_snapshot(template_db, lambda c: run_stages(load(c))) == snapshot(loaded)
    # anon-a's page before the signup is under its owner in both
    assert loaded.execute("SELECT count(*) FROM partitioning.events WHERE alias_id = 'user-1'").fetchone()[0] == 3


def identify_then_events(conn: psycopg.Connection) -> None:
    """anon-b's owner recorded from an identify alone (user-3), then a first load of events with an earlier pair."""
    insert(conn, "identifies", [{"id": "i2", "anonymous_id": "anon-b", "user_id": "user-3",
                                 "timestamp": T + timedelta(days=2), "uuid_ts": T - timedelta(days=3),
                                 "received_at": T + timedelta(days=2)}])
    conn.execute("DELETE FROM segment.pages")
    conn.execute("DELETE FROM segment.tracks")
    run_stages(conn)
    insert(conn, "pages", [page("p1", "anon-a", T), page("p3", "anon-b", T + timedelta(hours=1)),
                           page("p9", "anon-b", T + timedelta(hours=2))])
    insert(conn, "tracks", [{"id": "t2", "anonymous_id": "anon-b", "user_id": "user-2", "event": "Login",
                             "timestamp": T + timedelta(minutes=30), "uuid_ts": T,
                             "received_at": T + timedelta(minutes=30)}])
    run_stages(conn)


def test_identifies_taken_in_before_any_event_place_a_first_load_as_the_row_by_row_path_does(
        loaded: psycopg.Connection, template_db: str) -> None:
    identify_then_events(loaded)
    assert row_by_row_snapshot(template_db, lambda c: identify_then_events(load(c))) == snapshot(loaded)
    # the earlier pair (t2) makes user-2 anon-b's owner: its anonymous pages are under user-2
    assert loaded.execute("SELECT alias_id, count(*) FROM partitioning.events WHERE anonymous_id = 'anon-b' "
                          "GROUP BY 1").fetchall() == [("user-2", 3)]


def test_a_first_load_leaves_the_catalog_as_a_fresh_deploy(loaded: psycopg.Connection) -> None:
    fresh, keys = catalog(loaded), key_oids(loaded)
    run_stages(loaded)
    assert loaded.execute("SELECT count(*) FROM partitioning.events").fetchone()[0] == 4
    assert all(new != old for new, old in zip(key_oids(loaded), keys))
    assert catalog(loaded) == fresh


def test_a_full_rebuild_leaves_the_catalog_as_a_fresh_deploy(loaded: psycopg.Connection) -> None:
    fresh = catalog(loaded)
    run_stages(loaded)
    events_key, outputs_key = key_oids(loaded)
    loaded.execute("SELECT attrib.reset()")
    run_stages(loaded)
    assert loaded.execute("SELECT count(*) FROM sessions.all_sessions").fetchone()[0] == 3
    # events rebuilt in bulk; the outputs readers are reading keep their indexes
    assert key_oids(loaded) != (events_key, outputs_key) and key_oids(loaded)[1] == outputs_key
    assert catalog(loaded) == fresh


def test_every_events_partition_has_its_primary_key_after_a_first_load(loaded: psycopg.Connection) -> None:
    run_stages(loaded)
    partitions_without_key = loaded.execute("""
        SELECT i.inhrelid::regclass::text
          FROM pg_inherits i
         WHERE i.inhparent = 'partitioning.events'::regclass
           AND NOT EXISTS (SELECT FROM pg_index x
                            JOIN pg_inherits xi ON xi.inhrelid = x.indexrelid
                           WHERE x.indrelid = i.inhrelid AND x.indisprimary AND x.indisvalid
                             AND xi.inhparent = 'partitioning.events_pkey'::regclass)""").fetchall()
    assert partitions_without_key == []


def test_the_rebuilt_primary_key_refuses_a_second_copy_of_an_event(loaded: psycopg.Connection) -> None:
    run_stages(loaded)
    with pytest.raises(psycopg.errors.UniqueViolation):
        loaded.execute("INSERT INTO partitioning.events SELECT * FROM partitioning.events LIMIT 1")


def test_the_reader_reads_every_output_and_report_after_a_full_rebuild(loaded: psycopg.Connection) -> None:
    run_stages(loaded)
    loaded.execute("SELECT attrib.reset()")
    run_stages(loaded)
    reader = loaded.execute("SELECT role_name FROM attrib.roles WHERE kind = 'reader'").fetchone()[0]
    relations = [r[0] for r in loaded.execute(
        "SELECT c.oid::regclass::text FROM pg_class c WHERE c.relnamespace = 'sessions'::regnamespace "
        "AND c.relkind IN ('r', 'v') ORDER BY 1").fetchall()]
    assert "sessions.all_sessions" in relations and "sessions.conversions_by_channel" in relations
    loaded.execute(psycopg.sql.SQL("SET ROLE {}").format(psycopg.sql.Identifier(reader)))
    try:
        for relation in relations:
            loaded.execute(f"SELECT count(*) FROM {relation}").fetchone()
        assert loaded.execute("SELECT count(*) FROM sessions.attribution").fetchone()[0] == 1
    finally:
        loaded.execute("RESET ROLE")
