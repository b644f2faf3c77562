"""Which database errors are worth retrying, by the database's own policy, and the retry loop (tenacity).

The policy is attrib.retry_policy() (procedures/run/retry_policy.sql), the one
definition that the pg_cron retry job applies too: transient SQLSTATEs and
classes, the login refusals that look transient but are not, the "busy"
SQLSTATE of a run refused by another run's lease, and how long to retry.
`attrib run` reads it once, when it connects. Here it only adds what the
server cannot say: a connection lost without a SQLSTATE is transient, unless
its message is a login refusal.
"""

from __future__ import annotations

import enum
import re
import time
from dataclasses import dataclass
from datetime import timedelta
from typing import Callable

import psycopg
from tenacity import RetryCallState, Retrying, retry_if_exception, wait_exponential, wait_random
from tenacity.stop import stop_base


class Kind(enum.Enum):
    TRANSIENT = "transient"
    BUSY = "busy"
    PERMANENT = "permanent"


class ConnectionLost(Exception):
    """The connection broke and could not be opened again (yet): transient."""


@dataclass(frozen=True)
class Policy:
    transient: tuple[str, ...]  # SQLSTATEs, or two-character classes
    login_refusal: re.Pattern[str]
    busy: str
    retry_for: timedelta

    @classmethod
    def load(cls, conn: psycopg.Connection) -> "Policy":
        transient, refusal, busy, retry_for = conn.execute(
            "SELECT transient, login_refusal, busy, retry_for FROM attrib.retry_policy()").fetchone()
        return cls(tuple(transient), re.compile(refusal), busy, retry_for)

    def is_login_refusal(self, exc: BaseException) -> bool:
        state = getattr(exc, "sqlstate", None) or ""
        return state.startswith("28") or bool(self.login_refusal.search(str(exc)))

    def classify(self, exc: BaseException) -> Kind:
        if isinstance(exc, ConnectionLost):
            return Kind.PERMANENT if self.is_login_refusal(exc) else Kind.TRANSIENT
        if not isinstance(exc, psycopg.Error):
            return Kind.PERMANENT
        state = exc.sqlstate
        if state == self.busy:
            return Kind.BUSY
        if self.is_login_refusal(exc):
            return Kind.PERMANENT  # a password or pg_hba.conf does not fix itself
        if state is not None:
            return Kind.TRANSIENT if state in self.transient or state[:2] in self.transient else Kind.PERMANENT
        if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
            return Kind.TRANSIENT  # "server closed the connection unexpectedly" and the like
        return Kind.PERMANENT

    def is_transient(self, exc: BaseException) -> bool:
        return self.classify(exc) is Kind.TRANSIENT


class stop_at_deadline(stop_base):
    """Stop retrying when the next attempt would start after `deadline` (time.monotonic())."""

    def __init__(self, deadline: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.deadline = deadline
        self.clock = clock

    def __call__(self, retry_state: RetryCallState) -> bool:
        return self.clock() + (retry_state.upcoming_sleep or 0) > self.deadline


def retrying(deadline: float, policy: Policy, *, before_sleep: Callable[[RetryCallState], None] | None = None,
             sleep: Callable[[float], None] = time.sleep, initial_wait: float = 1.0,
             max_wait: float = 120.0) -> Retrying:
    """Retry the policy's transient errors with exponential backoff plus jitter until `deadline`; re-raise the last."""
    return Retrying(
        retry=retry_if_exception(policy.is_transient),
        wait=wait_exponential(multiplier=initial_wait, max=max_wait) + wait_random(0, initial_wait),
        stop=stop_at_deadline(deadline),
        before_sleep=before_sleep,
        sleep=sleep,
        reraise=True,
    )
