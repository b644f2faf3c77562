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


def test_a_finished_run_notifies_attrib_run_once_with_only_its_id_and_status(source: psycopg.Connection,
                                                                            dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN attrib_run")
        source.execute("CALL attrib.run_attribution()")
        got = [json.loads(n.payload) for n in listener.notifies(timeout=2)]
    assert got == [{"run_id": 1, "status": "ok"}]  # any login may LISTEN: no message, no data


def test_a_failed_run_notifies_attrib_run_once(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", "22023", message="bad value (injected)")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN attrib_run")
        with pytest.raises(psycopg.errors.InvalidParameterValue):
            source.execute("CALL attrib.run_attribution()")
        got = [json.loads(n.payload) for n in listener.notifies(timeout=2)]
    assert got == [{"run_id": 1, "status": "failed"}]


def test_a_single_maintain_stage_does_not_announce_a_finished_run(source: psycopg.Connection, dsn: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    with psycopg.connect(dsn, autocommit=True) as listener:
        listener.execute("LISTEN attrib_run")
        run_id = source.execute("CALL attrib.run_begin(false, 'maintain', NULL, NULL, NULL)").fetchone()[0]
        source.execute("CALL attrib.run_stage('maintain', %s)", (run_id,))
        assert list(listener.notifies(timeout=1)) == []
        source.execute("SELECT attrib.run_end(%s)", (run_id,))
        got = [json.loads(n.payload) for n in listener.notifies(timeout=2)]
    assert got == [{"run_id": run_id, "status": "ok"}]


# -- a run refused at its start is on record --------------------------------------------------


@pytest.fixture
def unreadable_revenue(source: psycopg.Connection) -> psycopg.Connection:
    """revenue_source names a view in schema fin, which attrib's owner was allowed to use, then no longer."""
    source.execute("CREATE SCHEMA fin")
    source.execute("CREATE TABLE fin.payments (user_id text, amount numeric, occurred_at timestamptz)")
    source.execute("CREATE VIEW fin.revenue AS SELECT * FROM fin.payments")
    source.execute("GRANT USAGE ON SCHEMA fin TO attrib_owner")
    source.execute("GRANT SELECT ON fin.revenue TO attrib_owner")
    source.execute("""UPDATE attrib.settings SET value = '"fin.revenue"' WHERE name = 'revenue_source'""")
    source.execute("REVOKE USAGE ON SCHEMA fin FROM attrib_owner")
    return source


def test_a_run_refused_at_its_start_is_logged_with_the_setting_and_the_fix(unreadable_revenue: psycopg.Connection,
                                                                          dsn: str) -> None:
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 1
    assert 'setting "revenue_source"' in result.stderr
    assert "GRANT USAGE ON SCHEMA fin TO attrib_owner" in result.stderr
    logged = unreadable_revenue.execute("SELECT stage, status, sqlstate, message FROM attrib.run_log").fetchall()
    assert [(s, st, code) for s, st, code, _ in logged] == [("start", "failed", "42501")]
    assert "revenue_source" in logged[0][3]


def test_status_check_fails_after_a_run_refused_at_its_start(unreadable_revenue: psycopg.Connection,
                                                            dsn: str) -> None:
    attrib("run", "--dsn", dsn)
    result = attrib("status", "--check", "--dsn", dsn)
    assert result.exit_code == 1
    assert "failed" in result.stderr and "revenue_source" in result.stderr
