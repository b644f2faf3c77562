"""Scheduling with pg_cron: jobs upserted by name, exactly one CALL each, and they really run.

The test cluster preloads pg_cron with cron.database_name = 'attrib', so each
test database is scheduled from there with cron.schedule_in_database, and
every test removes its jobs (and their run history) afterwards.
"""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from conftest import server_dsn
from run_helpers import attrib, wait_for, with_source


def cron_database(dsn: str) -> str | None:
    with psycopg.connect(dsn) as c:
        preload, name = c.execute("SELECT current_setting('shared_preload_libraries'), "
                                  "current_setting('cron.database_name', true)").fetchone()
    return (name or "postgres") if "pg_cron" in preload else None


def cron_jobs(cron_dsn: str, database: str) -> list[tuple]:
    with psycopg.connect(cron_dsn) as c:
        return c.execute("SELECT jobid, jobname, schedule, command, database FROM cron.job "
                         "WHERE database = %s ORDER BY jobname", (database,)).fetchall()


@pytest.fixture
def cron_dsn(dsn: str) -> Iterator[str]:
    """The DSN of pg_cron's database; removes the test database's jobs and their history afterwards."""
    name = cron_database(dsn)
    # `attrib db up` always preloads pg_cron: without it the test setup is broken, not the feature.
    assert name is not None, "pg_cron is not preloaded on the test server; start it with `attrib db up`"
    target = server_dsn(name)
    database = dsn.rsplit("/", 1)[1]
    yield target
    with psycopg.connect(target, autocommit=True) as c:
        ids = [r[0] for r in c.execute("SELECT jobid FROM cron.job WHERE database = %s", (database,))]
        for jobid in ids:
            c.execute("SELECT cron.unschedule(%s::bigint)", (jobid,))
        c.execute("DELETE FROM cron.job_run_details WHERE jobid = ANY(%s)", (ids,))


def test_schedule_creates_two_jobs_of_one_call_each(dsn: str, cron_dsn: str) -> None:
    result = attrib("schedule", "--dsn", dsn, "--cron", "0 5 * * *", "--retry-window", "2h")
    assert result.exit_code == 0, result.stderr
    database = dsn.rsplit("/", 1)[1]
    jobs = {(j[1], j[2], j[3], j[4]) for j in cron_jobs(cron_dsn, database)}
    assert jobs == {
        (f"attrib-run:{database}", "0 5 * * *", "CALL attrib.run_attribution()", database),
        (f"attrib-retry:{database}", "*/10 5,6 * * *", "CALL attrib.run_attribution_retry('7200 seconds')",
         database),
    }
    assert "GMT" in result.stderr


def test_schedule_again_updates_the_same_jobs(dsn: str, cron_dsn: str) -> None:
    database = dsn.rsplit("/", 1)[1]
    assert attrib("schedule", "--dsn", dsn).exit_code == 0
    before = {j[1]: j[0] for j in cron_jobs(cron_dsn, database)}
    assert attrib("schedule", "--dsn", dsn, "--cron", "30 2 * * *").exit_code == 0
    after = cron_jobs(cron_dsn, database)
    assert {j[1]: j[0] for j in after} == before
    assert {j[1]: j[2] for j in after}[f"attrib-run:{database}"] == "30 2 * * *"


def test_retry_window_0_removes_the_retry_job(dsn: str, cron_dsn: str) -> None:
    database = dsn.rsplit("/", 1)[1]
    assert attrib("schedule", "--dsn", dsn).exit_code == 0
    assert attrib("schedule", "--dsn", dsn, "--retry-window", "0").exit_code == 0
    assert [j[1] for j in cron_jobs(cron_dsn, database)] == [f"attrib-run:{database}"]


def test_unschedule_removes_the_jobs_and_is_safe_to_repeat(dsn: str, cron_dsn: str) -> None:
    database = dsn.rsplit("/", 1)[1]
    assert attrib("schedule", "--dsn", dsn).exit_code == 0
    first = attrib("unschedule", "--dsn", dsn)
    assert first.exit_code == 0
    assert f"removed attrib-run:{database}" in first.stdout
    assert cron_jobs(cron_dsn, database) == []
    again = attrib("unschedule", "--dsn", dsn)
    assert again.exit_code == 0
    assert "no attrib jobs" in again.stderr


def test_bad_cron_expression_is_a_usage_error(dsn: str) -> None:
    result = attrib("schedule", "--dsn", dsn, "--cron", "every night")
    assert result.exit_code == 2
    assert "not a cron schedule" in result.stderr


def test_scheduled_job_runs_and_writes_run_log(conn: psycopg.Connection, dsn: str, cron_dsn: str) -> None:
    with_source(conn)
    result = attrib("schedule", "--dsn", dsn, "--cron", "* * * * *", "--retry-window", "0")
    assert result.exit_code == 0, result.stderr
    # pg_cron starts every-minute jobs at the top of the next minute; wait for the first one to end
    # (a slow machine may start a second, refused, run meanwhile)
    first_run = "SELECT status, complete FROM attrib.runs WHERE started_by = 'pg_cron' ORDER BY run_id LIMIT 1"
    wait_for(lambda: (conn.execute(first_run).fetchone() or ("running",))[0] != "running", timeout=100, every=1)
    first = conn.execute(first_run).fetchone()
    assert first == ("ok", True)


def test_scheduled_run_runs_as_the_runner_role_not_a_superuser(conn: psycopg.Connection, dsn: str,
                                                               cron_dsn: str) -> None:
    with_source(conn)
    result = attrib("schedule", "--dsn", dsn, "--cron", "* * * * *", "--retry-window", "0")
    assert result.exit_code == 0, result.stderr
    database = dsn.rsplit("/", 1)[1]
    with psycopg.connect(cron_dsn) as c:
        owners = c.execute("SELECT username FROM cron.job WHERE database = %s", (database,)).fetchall()
    assert owners == [("attrib_runner",)]
    first_run = "SELECT status, run_as FROM attrib.runs WHERE started_by = 'pg_cron' ORDER BY run_id LIMIT 1"
    wait_for(lambda: (conn.execute(first_run).fetchone() or ("running",))[0] != "running", timeout=100, every=1)
    assert conn.execute(first_run).fetchone() == ("ok", "attrib_runner")
    assert conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = 'attrib_runner'").fetchone() == (False,)


def test_schedule_replaces_a_job_of_the_same_name_made_by_another_user(dsn: str, cron_dsn: str) -> None:
    database = dsn.rsplit("/", 1)[1]
    with psycopg.connect(cron_dsn, autocommit=True) as c:  # what attrib schedule used to create: a superuser's job
        c.execute("SELECT cron.schedule_in_database(%s, '0 5 * * *', 'CALL attrib.run_attribution()', %s)",
                  (f"attrib-run:{database}", database))
    assert attrib("schedule", "--dsn", dsn, "--retry-window", "0").exit_code == 0
    with psycopg.connect(cron_dsn) as c:
        jobs = c.execute("SELECT jobname, username FROM cron.job WHERE database = %s", (database,)).fetchall()
    assert jobs == [(f"attrib-run:{database}", "attrib_runner")]
