"""Which errors are retried (attrib.retry_policy(), the database's one policy), the retry deadline,
durations and the retry job's schedule."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from psycopg import errors

from attrib.durations import format_duration, parse_duration
from conftest import server_dsn
from attrib.retry import ConnectionLost, Kind, Policy, retrying
from attrib.schedule import retry_command, retry_cron


def db_error(cls: type[psycopg.Error], message: str = "boom") -> psycopg.Error:
    exc = cls(message)
    return exc


@pytest.fixture(scope="module")
def policy(template_db: str) -> Policy:
    """The policy as a deployed database defines it."""
    with psycopg.connect(server_dsn(template_db)) as conn:
        return Policy.load(conn)


@pytest.mark.parametrize("cls", [errors.SerializationFailure, errors.DeadlockDetected, errors.AdminShutdown,
                                 errors.ConnectionFailure, errors.LockNotAvailable])
def test_transient_errors_are_retried(policy: Policy, cls: type[psycopg.Error]) -> None:
    assert policy.classify(db_error(cls)) is Kind.TRANSIENT


def test_lost_connection_without_sqlstate_is_transient(policy: Policy) -> None:
    assert policy.classify(psycopg.OperationalError("server closed the connection unexpectedly")) is Kind.TRANSIENT
    assert policy.classify(ConnectionLost("cannot connect")) is Kind.TRANSIENT


@pytest.mark.parametrize("error", [
    errors.InvalidPassword("password authentication failed for user \"attrib_runner\""),
    errors.InvalidAuthorizationSpecification("no pg_hba.conf entry for host"),
    # what Citus reports when a worker refuses the role: class 08, but no passing fault
    errors.ConnectionFailure('connection to the remote node localhost:9701 failed with the following error: '
                             'FATAL:  role "attrib_owner" is not permitted to log in'),
    psycopg.OperationalError('connection failed: FATAL:  password authentication failed for user "x"'),
    ConnectionLost('connection failed: FATAL:  password authentication failed for user "x"'),
])
def test_a_login_refusal_is_not_retried(policy: Policy, error: BaseException) -> None:
    assert policy.classify(error) is Kind.PERMANENT


def test_another_runs_lease_is_busy(conn: psycopg.Connection, policy: Policy) -> None:
    with pytest.raises(psycopg.Error) as raised:
        conn.execute("SELECT attrib._raise(%s, 'another attrib run is in progress: run 1')", (policy.busy,))
    assert raised.value.sqlstate == "AT055"
    assert policy.classify(raised.value) is Kind.BUSY


@pytest.mark.parametrize("cls", [errors.InvalidParameterValue, errors.UniqueViolation, errors.UndefinedTable,
                                 errors.SyntaxError, errors.RaiseException, errors.ModifyingSqlDataNotPermitted])
def test_permanent_errors_fail_at_once(policy: Policy, cls: type[psycopg.Error]) -> None:
    assert policy.classify(db_error(cls)) is Kind.PERMANENT


def test_the_retry_job_and_the_cli_judge_alike(conn: psycopg.Connection, policy: Policy) -> None:
    for state in ("40001", "40P01", "55P03", "57P01", "08006", "08001", "22023", "23505", "42P01", "28P01", "P0001"):
        in_sql = conn.execute("SELECT attrib._is_transient(%s, 'boom')", (state,)).fetchone()[0]
        assert in_sql == (policy.classify(errors.lookup(state)("boom")) is Kind.TRANSIENT), state


def test_retrying_stops_at_the_deadline_and_reraises(policy: Policy) -> None:
    calls = []
    waits: list[float] = []

    def attempt() -> None:
        calls.append(1)
        raise errors.SerializationFailure("again")
    import time
    retry = retrying(time.monotonic() + 0.05, policy, sleep=waits.append, initial_wait=0.01)
    with pytest.raises(errors.SerializationFailure):
        retry(attempt)
    assert len(calls) >= 1 and len(waits) == len(calls) - 1


def test_retrying_never_retries_a_permanent_error(policy: Policy) -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise errors.UndefinedTable("no")
    import time
    with pytest.raises(errors.UndefinedTable):
        retrying(time.monotonic() + 3600, policy, sleep=lambda s: None)(attempt)
    assert len(calls) == 1


@pytest.mark.parametrize("text, seconds", [("2h", 7200), ("90m", 5400), ("1h30m", 5400), ("45s", 45),
                                           ("1d", 86400), ("0", 0), ("120", 120)])
def test_durations(text: str, seconds: int) -> None:
    assert parse_duration(text) == timedelta(seconds=seconds)


def test_bad_duration_is_rejected() -> None:
    with pytest.raises(ValueError):
        parse_duration("two hours")


def test_format_duration() -> None:
    assert format_duration(timedelta(minutes=90)) == "1h30m"


@pytest.mark.parametrize("cron, window, expected", [
    ("0 5 * * *", "2h", "*/10 5,6 * * *"),
    ("30 23 * * *", "2h", "*/10 0,1,23 * * *"),
    ("0 5 * * 1-5", "1h", "*/10 5 * * 1-5"),
    ("0 5 * * *", "20m", "*/5 5 * * *"),
    ("*/30 * * * *", "2h", "*/10 * * * *"),
])
def test_retry_job_fires_in_the_hours_after_a_daily_run(cron: str, window: str, expected: str) -> None:
    assert retry_cron(cron, parse_duration(window)) == expected


def test_retry_job_command_is_one_call() -> None:
    assert retry_command(timedelta(hours=2)) == "CALL attrib.run_attribution_retry('7200 seconds')"
