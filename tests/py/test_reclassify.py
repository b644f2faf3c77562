"""A change of what a touch is reaches everyone at the next run, from stored events (definitions §5, issue 15).

After an edit of attrib.source_classes or of referral_exclusions, and after
a deploy that changes the touch rules (attrib._touch_rules_version), the
next run recomputes the touches of every alias, dirty or not, without
ingesting anything again.
"""

from __future__ import annotations

from datetime import datetime, timezone

import psycopg
import pytest

from segment import create_source, insert, run_stages

T = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)


def landing(id_: str, anonymous_id: str, referrer: str) -> dict:
    return {"id": id_, "anonymous_id": anonymous_id, "timestamp": T, "received_at": T, "uuid_ts": T,
            "url": "https://shop.example.com/", "referrer": referrer}


@pytest.fixture
def visitors(conn: psycopg.Connection) -> psycopg.Connection:
    create_source(conn, with_uuid_ts=True)
    insert(conn, "pages", [landing("a1", "anon-a", "https://www.findit.example/?q=x"),
                           landing("b1", "anon-b", "https://www.paypal.com/checkoutnow")])
    run_stages(conn)
    assert channels(conn) == [("anon-a", "Referral"), ("anon-b", "Referral")]
    return conn


def channels(conn: psycopg.Connection) -> list[tuple]:
    return conn.execute("SELECT alias_id, channel FROM sessions.all_sessions ORDER BY alias_id COLLATE \"C\"").fetchall()


def rerun(conn: psycopg.Connection) -> dict[str, tuple]:
    counts = run_stages(conn)
    assert counts["ingest"][1] == 0, "nothing is ingested again"
    assert counts["alias"][1] == 2, "every alias is recomputed, though no new event touched it"
    return counts


def test_an_added_source_class_reclassifies_everyone(visitors: psycopg.Connection) -> None:
    visitors.execute("INSERT INTO attrib.source_classes (name, class) VALUES ('findit.example', 'search')")
    rerun(visitors)
    assert channels(visitors) == [("anon-a", "Organic Search"), ("anon-b", "Referral")]


def test_referral_exclusions_reclassify_everyone(visitors: psycopg.Connection) -> None:
    visitors.execute("UPDATE attrib.settings SET value = '[\"paypal.com\"]' WHERE name = 'referral_exclusions'")
    rerun(visitors)
    assert channels(visitors) == [("anon-a", "Referral"), ("anon-b", "Direct")]


def test_new_touch_rules_reclassify_everyone(visitors: psycopg.Connection) -> None:
    # what a deploy of changed rules does: attrib._touch_rules_version moves on
    visitors.execute("""CREATE OR REPLACE FUNCTION attrib._touch_rules_version() RETURNS int
                        LANGUAGE sql IMMUTABLE PARALLEL SAFE BEGIN ATOMIC SELECT 999; END""")
    rerun(visitors)
    assert run_stages(visitors)["alias"][1] == 0, "once recomputed, the next run is incremental again"


def test_a_recomputation_rewrites_only_the_rows_that_changed(visitors: psycopg.Connection) -> None:
    before = dict(visitors.execute("SELECT alias_id, xmin::text FROM sessions.all_sessions").fetchall())
    visitors.execute("INSERT INTO attrib.source_classes (name, class) VALUES ('findit.example', 'search')")
    counts = rerun(visitors)
    after = dict(visitors.execute("SELECT alias_id, xmin::text FROM sessions.all_sessions").fetchall())
    assert after["anon-b"] == before["anon-b"], "anon-b's session is as it was: the same row version, not a copy"
    assert after["anon-a"] != before["anon-a"], "anon-a's session, now Organic Search, is written again"
    assert counts["attribute"][1] == 2, "one session row deleted and one inserted, nothing else"
