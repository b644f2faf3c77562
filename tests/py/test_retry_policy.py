"""Which errors are retried, the retry deadline, durations and the retry job's schedule (no database)."""

from __future__ import annotations

from datetime import timedelta

import psycopg
import pytest
from psycopg import errors

from attrib.durations import format_duration, parse_duration
from attrib.retry import ConnectionLost, Kind, classify, retrying
from attrib.schedule import retry_command, retry_cron


def db_error(cls: type[psycopg.Error], message: str = "boom") -> psycopg.Error:
    exc = cls(message)
    return exc


@pytest.mark.parametrize("cls", [errors.SerializationFailure, errors.DeadlockDetected, errors.AdminShutdown,
                                 errors.ConnectionFailure, errors.LockNotAvailable])
def test_transient_errors_are_retried(cls: type[psycopg.Error]) -> None:
    assert classify(db_error(cls)) is Kind.TRANSIENT


def test_lost_connection_without_sqlstate_is_transient() -> None:
    assert classify(psycopg.OperationalError("server closed the connection unexpectedly")) is Kind.TRANSIENT
    assert classify(ConnectionLost("cannot connect")) is Kind.TRANSIENT


@pytest.mark.parametrize("cls", [errors.InvalidParameterValue, errors.UniqueViolation, errors.UndefinedTable,
                                 errors.SyntaxError, errors.RaiseException, errors.ModifyingSqlDataNotPermitted])
def test_permanent_errors_fail_at_once(cls: type[psycopg.Error]) -> None:
    assert classify(db_error(cls)) is Kind.PERMANENT


def test_retrying_stops_at_the_deadline_and_reraises() -> None:
    calls = []
    waits: list[float] = []

    def attempt() -> None:
        calls.append(1)
        raise errors.SerializationFailure("again")

    import time
    policy = retrying(time.monotonic() + 0.05, sleep=waits.append, initial_wait=0.01)
    with pytest.raises(errors.SerializationFailure):
        policy(attempt)
    assert len(calls) >= 1 and len(waits) == len(calls) - 1


def test_retrying_never_retries_a_permanent_error() -> None:
    calls = []

    def attempt() -> None:
        calls.append(1)
        raise errors.UndefinedTable("no")

    import time
    with pytest.raises(errors.UndefinedTable):
        retrying(time.monotonic() + 3600, sleep=lambda s: None)(attempt)
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
