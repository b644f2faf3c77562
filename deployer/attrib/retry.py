"""Which database errors are worth retrying, and the retry policy (tenacity).

Transient, retried with exponential backoff and jitter until the deadline:
  40001 serialization_failure, 40P01 deadlock_detected,
  55P03 lock_not_available while waiting for a lock a reader holds (lock_timeout),
  57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown,
  57P03 cannot_connect_now (server starting), class 08 and a lost connection.
Busy, never retried (exit 3): 55P03 raised because another attrib run holds
  the run lock.
Permanent, never retried: everything else (classes 22 data, 23 integrity,
  42 syntax/undefined object, 2B, P0 raised by PL/pgSQL, ...).
"""

from __future__ import annotations

import enum
import time
from typing import Callable

import psycopg
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential, wait_random
from tenacity.stop import stop_base

# The start of the message attrib._run_lock raises (procedures/run/_run_lock.sql).
RUN_LOCK_MESSAGE = "another attrib run is in progress"

TRANSIENT_SQLSTATES = frozenset({"40001", "40P01", "55P03", "57P01", "57P02", "57P03"})


class Kind(enum.Enum):
    TRANSIENT = "transient"
    BUSY = "busy"
    PERMANENT = "permanent"


class ConnectionLost(Exception):
    """The connection broke and could not be opened again (yet): transient."""


def is_run_lock_busy(exc: BaseException) -> bool:
    """Another attrib run holds the run lock (not a reader holding a table lock)."""
    if not isinstance(exc, psycopg.Error) or exc.sqlstate != "55P03":
        return False
    return (exc.diag.message_primary or "").startswith(RUN_LOCK_MESSAGE)


def classify(exc: BaseException) -> Kind:
    if isinstance(exc, ConnectionLost):
        return Kind.TRANSIENT
    if not isinstance(exc, psycopg.Error):
        return Kind.PERMANENT
    if is_run_lock_busy(exc):
        return Kind.BUSY
    state = exc.sqlstate
    if state in TRANSIENT_SQLSTATES or (state or "").startswith("08"):
        return Kind.TRANSIENT
    if state is None and isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return Kind.TRANSIENT  # "server closed the connection unexpectedly" and the like
    return Kind.PERMANENT


def is_transient(exc: BaseException) -> bool:
    return classify(exc) is Kind.TRANSIENT


class stop_at_deadline(stop_base):
    """Stop retrying when the next attempt would start after `deadline` (time.monotonic())."""

    def __init__(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.clock() + (retry_state.upcoming_sleep or 0) > self.deadline


def retrying(deadline: float, *, before_sleep: Callable[[RetryCallState], None] | None = None,
             sleep: Callable[[float], None] = time.sleep, initial_wait: float = 1.0,
             max_wait: float = 120.0) -> Retrying:
    """Retry transient errors with exponential backoff plus jitter until `deadline`; re-raise the last error."""
    return Retrying(
        retry=retry_if_exception(is_transient),
        wait=wait_exponential(multiplier=initial_wait, max=max_wait) + wait_random(0, initial_wait),
        stop=stop_at_deadline(deadline),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
