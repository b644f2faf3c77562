"""Run the pipeline from the CLI: the database's run, stage by stage, each retried on transient errors.

The database owns the run: `CALL attrib.run_begin(...)` takes the run lease
for this connection, draws the run id, checks the settings and returns the
stages to run; each `CALL attrib.run_stage(stage, run_id)` is one
transaction; `attrib.run_end(run_id)` releases the lease and announces the
run. This module keeps only what a terminal needs: progress, retries by the
database's policy (attrib.retry_policy(), read once), timings and exit
codes. After a lost connection it reconnects and resumes the run
(run_begin with p_resume), then reruns the stage (stages are idempotent).
Another run holding the lease ends this one at once (busy, exit 3).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Callable, Protocol

import psycopg
from psycopg import sql
from psycopg.conninfo import make_conninfo

from . import db
from .checks import require_deployed
from .errors import EXIT_USAGE, AttribError, describe_db_error
from .retry import ConnectionLost, Kind, Policy, retrying

APPLICATION_NAME = "attrib run"
BACKEND_EXIT_WAIT_SECONDS = 15.0


@dataclass
class StageResult:
    stage: str
    status: str  # ok | failed | busy
    attempts: int = 0
    seconds: float | None = None  # the last attempt, as run_log timed it
    wall_seconds: float = 0.0  # all attempts and waits, as the CLI saw them
    rows_read: int | None = None
    rows_written: int | None = None
    rows_rejected: int | None = None
    rows_duplicated: int | None = None
    sqlstate: str | None = None
    message: str | None = None


@dataclass
class RunResult:
    run_id: int | None
    database: str
    full: bool
    started_at: datetime
    status: str = "running"  # ok | failed | busy
    seconds: float = 0.0
    stages: list[StageResult] = field(default_factory=list)
    error: str | None = None  # `SQLSTATE: message` plus DETAIL/HINT lines
    error_kind: str | None = None  # transient | busy | permanent
    superuser: str | None = None  # the superuser the run connected as (it should be the runner role)
    runner_role: str | None = None

    @property
    def failed_stage(self) -> StageResult | None:
        return next((s for s in self.stages if s.status != "ok"), None)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        return data


class Reporter(Protocol):
    def stage_started(self, stage: str, attempt: int) -> None: ...
    def stage_retrying(self, stage: str, attempt: int, error: str, wait_seconds: float) -> None: ...
    def stage_finished(self, result: StageResult) -> None: ...


class QuietReporter:
    def stage_started(self, stage: str, attempt: int) -> None:
        pass

    def stage_retrying(self, stage: str, attempt: int, error: str, wait_seconds: float) -> None:
        pass

    def stage_finished(self, result: StageResult) -> None:
        pass


def _with_application_name(dsn: str) -> str:
    return make_conninfo(dsn, application_name=APPLICATION_NAME)


class RunSession:
    """The runner's connection and the run it began; after a lost connection, a new one that resumes the run."""

    def __init__(self, dsn: str, lock_timeout: timedelta) -> None:
        self.dsn = dsn
        self.lock_timeout = lock_timeout
        self.conn: psycopg.Connection | None = None
        self.policy: Policy | None = None
        self.run_id: int | None = None
        self._pid: int | None = None  # the backend holding our run lease
        self._lost_pid: int | None = None

    def open(self) -> None:
        """The first connection: a wrong DSN is an AttribError at once, not retried."""
        self.conn = db.connect(_with_application_name(self.dsn))
        require_deployed(self.conn)
        self._prepare()
        self.policy = Policy.load(self.conn)

    def begin(self, full: bool, stage: str | None) -> list[str]:
        """attrib.run_begin: the run id and the stages to run, as the database decides them."""
        assert self.conn is not None
        self.run_id, stages = self.conn.execute("CALL attrib.run_begin(%s, %s, NULL, NULL, NULL)",
                                                (full, stage)).fetchone()
        self._pid = self.conn.info.backend_pid
        return list(stages)

    def ensure(self) -> psycopg.Connection:
        """The connection, reopened (and the run resumed on it) if it was lost."""
        if self.conn is not None and not self.conn.closed and not self.conn.broken:
            return self.conn
        if self.conn is not None:
            self.conn.close()
            self.conn = None
            self._lost_pid = self._lost_pid or self._pid
        try:
            conn = db.connect(_with_application_name(self.dsn))
        except Exception as exc:  # AttribError from db.connect: the server may be restarting
            raise ConnectionLost(str(exc).splitlines()[0]) from None
        self.conn = conn
        try:
            self._wait_for_lost_backend()
            self._prepare()
            conn.execute("CALL attrib.run_begin(false, NULL, %s, NULL, NULL)", (self.run_id,))
        except psycopg.Error as exc:
            self.conn = None
            busy = self.policy is not None and self.policy.classify(exc) is Kind.BUSY
            old_backend_holds_it = busy and self._holder(conn) == self._lost_pid
            conn.close()
            if old_backend_holds_it:
                # our previous backend still runs (the network failed, not the server): wait for it
                raise ConnectionLost(f"the previous connection's backend (pid {self._lost_pid}) "
                                     "still holds the run lease") from None
            raise
        self._pid = conn.info.backend_pid
        self._lost_pid = None
        return conn

    def _prepare(self) -> None:
        assert self.conn is not None
        millis = int(self.lock_timeout.total_seconds() * 1000)
        self.conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(millis)))

    @staticmethod
    def _holder(conn: psycopg.Connection) -> int | None:
        try:
            return conn.execute("SELECT pid FROM attrib._run_holder()").fetchone()[0]
        except psycopg.Error:
            return None

    def _wait_for_lost_backend(self) -> None:
        """A killed backend holds the run lease until its process has exited: wait a little for that."""
        if self._lost_pid is None or self.conn is None:
            return
        deadline = time.monotonic() + BACKEND_EXIT_WAIT_SECONDS
        while time.monotonic() < deadline:
            alive = self.conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s",
                                      (self._lost_pid,)).fetchone()
            if not alive:
                return
            time.sleep(0.2)

    def close(self) -> None:
        """attrib.run_end when this connection holds the begun run (best effort: a dead backend's lease lapses)."""
        if self.conn is None:
            return
        try:
            if self.run_id is not None and not self.conn.closed and not self.conn.broken:
                self.conn.execute("SELECT attrib.run_end(%s)", (self.run_id,))
        except psycopg.Error:
            pass
        finally:
            self.conn.close()
            self.conn = None


def _superuser_and_runner(conn: psycopg.Connection) -> tuple[str | None, str | None]:
    """The superuser this run connected as and the runner role to name instead; (None, None) for anyone else.

    Only a superuser reads attrib.roles here: the runner and other logins have no right to it.
    """
    superuser = conn.execute("SELECT r.rolname::text FROM pg_catalog.pg_roles r "
                             " WHERE r.rolname = current_user AND r.rolsuper").fetchone()
    if superuser is None:
        return None, None
    runner = conn.execute("SELECT x.role_name FROM attrib.roles x WHERE x.kind = 'runner'").fetchone()
    return superuser[0], runner[0] if runner else None


def _read_log(session: RunSession, result: StageResult) -> None:
    """Counts and timing of the stage from run_log (best effort: the stage itself succeeded)."""
    try:
        row = session.ensure().execute(
            "SELECT rows_read, rows_written, rows_rejected, rows_duplicated, "
            "       extract(epoch FROM finished_at - started_at)::float8 "
            "  FROM attrib.run_log WHERE run_id = %s AND stage = %s", (session.run_id, result.stage)).fetchone()
    except (psycopg.Error, ConnectionLost):
        return
    if row:
        (result.rows_read, result.rows_written, result.rows_rejected, result.rows_duplicated,
         result.seconds) = row


def run(dsn: str, *, stage: str | None = None, full: bool = False,
        retry_for: timedelta = timedelta(hours=2), lock_timeout: timedelta = timedelta(minutes=1),
        reporter: Reporter | None = None, sleep: Callable[[float], None] = time.sleep,
        initial_wait: float = 1.0) -> RunResult:
    """One run, stage by stage. Never raises for database errors: the result says what happened.

    An unknown `stage` is a usage error (AttribError, exit 2), as the database judges it.
    """
    reporter = reporter or QuietReporter()
    db.remember_secrets(dsn)  # every message below is scrubbed of its password
    started = time.monotonic()
    deadline = started + retry_for.total_seconds()
    session = RunSession(dsn, lock_timeout)
    result = RunResult(run_id=None, database="", full=full, started_at=datetime.now(timezone.utc))
    try:
        try:
            session.open()
        except psycopg.Error as exc:
            return _finish(result, started, exc, None)
        conn = session.ensure()
        result.database = conn.info.dbname
        result.superuser, result.runner_role = _superuser_and_runner(conn)
        try:
            stages = session.begin(full, stage)
        except psycopg.errors.UndefinedObject as exc:  # 42704: an unknown --stage (attrib.stages)
            raise AttribError(db.scrub(describe_db_error(exc)), exit_code=EXIT_USAGE) from None
        result.run_id = session.run_id
        for name in stages:
            outcome = StageResult(stage=name, status="running")
            result.stages.append(outcome)
            error = _run_stage(session, outcome, deadline, reporter, sleep, initial_wait)
            if error is not None:
                return _finish(result, started, error, session.policy)
        return _finish(result, started, None, session.policy)
    except psycopg.Error as exc:  # outside any stage: beginning the run
        return _finish(result, started, exc, session.policy)
    finally:
        session.close()


def _run_stage(session: RunSession, outcome: StageResult, deadline: float, reporter: Reporter,
               sleep: Callable[[float], None], initial_wait: float) -> BaseException | None:
    """Run one stage of the begun run with retries; fill in `outcome`; return the error that ended it, if any."""
    assert session.policy is not None
    began = time.monotonic()
    error: BaseException | None = None

    def before_sleep(state) -> None:
        exc = state.outcome.exception()
        reporter.stage_retrying(outcome.stage, state.attempt_number, _one_line(exc), state.upcoming_sleep)

    try:
        for attempt in retrying(deadline, session.policy, before_sleep=before_sleep, sleep=sleep,
                                initial_wait=initial_wait):
            with attempt:
                outcome.attempts = attempt.retry_state.attempt_number
                reporter.stage_started(outcome.stage, outcome.attempts)
                conn = session.ensure()
                conn.execute("CALL attrib.run_stage(%s, %s)", (outcome.stage, session.run_id))
        outcome.status = "ok"
        _read_log(session, outcome)
    except (psycopg.Error, ConnectionLost) as exc:
        error = exc
        outcome.status = "busy" if session.policy.classify(exc) is Kind.BUSY else "failed"
        outcome.sqlstate = _sqlstate(exc)
        outcome.message = _message(exc)
    outcome.wall_seconds = round(time.monotonic() - began, 3)
    reporter.stage_finished(outcome)
    return error


def _sqlstate(exc: BaseException) -> str:
    """The error's SQLSTATE; a lost connection without one is 08006 (connection_failure)."""
    return getattr(exc, "sqlstate", None) or "08006"


def _message(exc: BaseException) -> str:
    if isinstance(exc, psycopg.Error):
        return db.scrub(exc.diag.message_primary or str(exc).strip().splitlines()[0])
    return db.scrub(str(exc).strip())


def _one_line(exc: BaseException | None) -> str:
    if exc is None:
        return ""
    if isinstance(exc, psycopg.Error):
        return f"{_sqlstate(exc)}: {_message(exc)}"
    return db.scrub(str(exc))


def _finish(result: RunResult, started: float, exc: BaseException | None, policy: Policy | None) -> RunResult:
    result.seconds = round(time.monotonic() - started, 3)
    if exc is None:
        result.status = "ok"
        return result
    kind = policy.classify(exc) if policy is not None else Kind.PERMANENT
    result.status = "busy" if kind is Kind.BUSY else "failed"
    result.error_kind = kind.value
    result.error = db.scrub(describe_db_error(exc) if isinstance(exc, psycopg.Error) else f"{_sqlstate(exc)}: {exc}")
    if result.failed_stage is None:  # before any stage: connecting, or beginning the run
        result.stages.append(StageResult(stage="(start)", status=result.status, sqlstate=_sqlstate(exc),
                                         message=_message(exc)))
    return result
