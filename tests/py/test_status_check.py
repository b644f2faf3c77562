"""A failed scheduled run is seen: `attrib status --check` for monitors, NOTIFY attrib_run for listeners."""

from __future__ import annotations

import json

import psycopg
import pytest

from run_helpers import attrib, inject, with_source


@pytest.fixture
def source(conn: psycopg.Connection) -> psycopg.Connection:
    return with_source(conn)


def test_check_fails_before_any_run(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("status", "--check", "--dsn", dsn)
    assert result.exit_code == 1
    assert "no run yet" in result.stderr


def test_check_passes_after_a_successful_run(source: psycopg.Connection, dsn: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    result = attrib("status", "--check", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: run 1 succeeded at ")


def test_check_fails_when_the_latest_run_failed(source: psycopg.Connection, dsn: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    inject(source, "signup", "22023", message="bad value (injected)")
    with pytest.raises(psycopg.errors.InvalidParameterValue):
        source.execute("CALL attrib.run_attribution()")
    result = attrib("status", "--check", "--dsn", dsn)
    assert result.exit_code == 1
    assert "run 2 failed" in result.stderr and "signup: 22023: bad value (injected)" in result.stderr


def test_check_fails_when_no_run_succeeded_within_max_age(source: psycopg.Connection, dsn: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    source.execute("UPDATE attrib.run_log SET started_at = started_at - interval '3 days', "
                   "finished_at = finished_at - interval '3 days'")
    result = attrib("status", "--check", "--max-age", "26h", "--dsn", dsn)
    assert result.exit_code == 1
    assert "no run succeeded within" in result.stderr


def notifications(listener: psycopg.Connection) -> list[dict]:
    return [json.loads(n.payload) for n in listener.notifies(timeout=2, stop_after=1)]


def test_a_finished_run_notifies_attrib_run(source: psycopg.Connection, dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN attrib_run")
        source.execute("CALL attrib.run_attribution()")
        got = notifications(listener)
    assert [(n["run_id"], n["status"], n["stage"]) for n in got] == [(1, "ok", "maintain")]


def test_a_failed_run_notifies_attrib_run_with_its_error(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", "22023", message="bad value (injected)")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN attrib_run")
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            source.execute("CALL attrib.run_attribution()")
        got = notifications(listener)
    assert [(n["status"], n["stage"], n["sqlstate"], n["message"]) for n in got] == [
        ("failed", "alias", "22023", "bad value (injected)")]
