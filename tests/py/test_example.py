"""The worked example of ../shared/examples: one full run gives exactly the tables that docs/definitions.md gives for it."""

from __future__ import annotations

import csv
import math
import os
from datetime import datetime
from pathlib import Path

import psycopg
import pytest

from segment import load_csv_dir, run_stages

EXAMPLES = Path(os.environ.get("ATTRIB_EXAMPLES", Path(__file__).resolve().parents[3] / "shared" / "examples"))


def expected(name: str) -> list[dict[str, str]]:
    with (EXAMPLES / name).open() as f:
        return list(csv.DictReader(f))


def typed(value: str) -> object:
    """A CSV cell as the database returns it: '' is NULL, ISO times, booleans, numbers."""
    if value == "":
        return None
    if value in ("true", "false"):
        return value == "true"
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        pass
    try:
        return int(value)
    except ValueError:
        return value


def rows(conn: psycopg.Connection, query: str) -> list[dict[str, object]]:
    cur = conn.execute(query)
    names = [d.name for d in cur.description]
    return [dict(zip(names, r)) for r in cur.fetchall()]


def as_expected(name: str, key: tuple[str, ...]) -> list[dict[str, object]]:
    return sorted(({k: typed(v) for k, v in r.items()} for r in expected(name)),
                  key=lambda r: tuple(str(r[k]) for k in key))


@pytest.fixture(params=["UTC", "America/New_York", "Asia/Kathmandu"])
def example(conn: psycopg.Connection, request: pytest.FixtureRequest) -> psycopg.Connection:
    """The example loaded, then run in a session of each TimeZone: the outputs never depend on it (definitions §9)."""
    load_csv_dir(conn, EXAMPLES)
    conn.execute(f"SET TimeZone = '{request.param}'")
    run_stages(conn)
    return conn


def test_example_events_and_their_aliases(example: psycopg.Connection) -> None:
    got = rows(example, "SELECT message_id, alias_id FROM partitioning.events ORDER BY message_id COLLATE \"C\"")
    assert got == as_expected("expected_events.csv", ("message_id",))


def test_example_rejects_by_reason(example: psycopg.Connection) -> None:
    got = rows(example, "SELECT reason, count(*)::int AS count FROM attrib.rejects GROUP BY 1 ORDER BY 1")
    assert got == as_expected("expected_rejects.csv", ("reason",))


def test_example_known_pairs(example: psycopg.Connection) -> None:
    got = rows(example, "SELECT anonymous_id, user_id, first_seen FROM aliasing.known_pairs ORDER BY 1, 2")
    assert got == as_expected("expected_known_pairs.csv", ("anonymous_id", "user_id"))


def test_example_all_sessions(example: psycopg.Connection) -> None:
    columns = list(expected("expected_all_sessions.csv")[0].keys())
    got = rows(example, f"SELECT {', '.join(columns)} FROM sessions.all_sessions ORDER BY alias_id, session_number")
    assert got == as_expected("expected_all_sessions.csv", ("alias_id", "session_number"))


def test_example_useful_sessions(example: psycopg.Connection) -> None:
    got = rows(example, """
        SELECT u.alias_id, s.session_number, u.is_first_session, u.is_signup_session
          FROM sessions.useful_sessions u JOIN sessions.all_sessions s USING (alias_id, session_id)
         ORDER BY 1, 2""")
    assert got == as_expected("expected_useful_sessions.csv", ("alias_id", "session_number"))


def test_example_attribution(example: psycopg.Connection) -> None:
    columns = list(expected("expected_attribution.csv")[0].keys())
    got = rows(example, f"SELECT {', '.join(columns)} FROM sessions.attribution ORDER BY alias_id")
    assert got == as_expected("expected_attribution.csv", ("alias_id",))


def test_example_attribution_credit(example: psycopg.Connection) -> None:
    got = rows(example, """
        SELECT c.alias_id, s.session_number, c.model, c.credit
          FROM sessions.attribution_credit c JOIN sessions.all_sessions s USING (alias_id, session_id)
         ORDER BY 1, 2, 3""")
    want = sorted(expected("expected_attribution_credit.csv"),
                  key=lambda r: (r["alias_id"], int(r["session_number"]), r["model"]))
    assert [(g["alias_id"], g["session_number"], g["model"]) for g in got] == \
        [(w["alias_id"], int(w["session_number"]), w["model"]) for w in want]
    for g, w in zip(got, want):
        assert math.isclose(g["credit"], float(w["credit"]), abs_tol=1e-9), (g, w)


def test_example_every_source_row_is_accounted_for(example: psycopg.Connection) -> None:
    source = example.execute("SELECT (SELECT count(*) FROM segment.pages) + (SELECT count(*) FROM segment.tracks)").fetchone()[0]
    kept = example.execute("SELECT count(*) FROM partitioning.events").fetchone()[0]
    rejected = example.execute("SELECT sum(copies) FROM attrib.rejects").fetchone()[0]
    duplicated = example.execute("SELECT sum(copies) FROM attrib.duplicates").fetchone()[0]
    assert (kept, rejected, duplicated) == (16, 4, 1)
    assert kept + rejected + duplicated == source
