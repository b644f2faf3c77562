"""Run the pipeline from the CLI: stage by stage, each retried on transient errors.

The runner opens an autocommit connection, takes the run lock for the whole
run (attrib._run_lock: re-entrant, so each `CALL attrib.run_stage(stage,
run_id)` takes and releases one more level), and calls the stages in order
under one run id. A transient failure (retry.py) is retried with backoff
until the deadline, reconnecting first when the connection was lost; a
permanent one, or the deadline, ends the run. Another run holding the lock
ends it at once (busy, exit 3).
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
from .retry import ConnectionLost, Kind, classify, is_run_lock_busy, retrying

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
    """The runner's connection. Holds the run lock; after a lost connection, opens a new one and takes it again."""

    def __init__(self, dsn: str, lock_timeout: timedelta) -> None:
        self.dsn = dsn
        self.lock_timeout = lock_timeout
        self.conn: psycopg.Connection | None = None
        self._pid: int | None = None  # the backend holding our run lock
        self._lost_pid: int | None = None

    def open(self) -> None:
        """The first connection: a wrong DSN is an AttribError at once, not retried."""
        self.conn = db.connect(_with_application_name(self.dsn))
        require_deployed(self.conn)
        self._prepare()

    def ensure(self) -> psycopg.Connection:
        """The connection, reopened (with the lock taken again) if it was lost."""
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
        except psycopg.Error as exc:
            self.conn = None
            old_backend_holds_it = is_run_lock_busy(exc) and self._holder(conn) == self._lost_pid
            conn.close()
            if old_backend_holds_it:
                # our previous backend still runs (the network failed, not the server): wait for it
                raise ConnectionLost(f"the previous connection's backend (pid {self._lost_pid}) "
                                     "still holds the run lock") from None
            raise
        self._lost_pid = None
        return conn

    def _prepare(self) -> None:
        assert self.conn is not None
        millis = int(self.lock_timeout.total_seconds() * 1000)
        self.conn.execute(sql.SQL("SET lock_timeout = {}").format(sql.Literal(millis)))
        self.conn.execute("SELECT attrib._run_lock()")
        self._pid = self.conn.info.backend_pid

    @staticmethod
    def _holder(conn: psycopg.Connection) -> int | None:
        try:
            return conn.execute("SELECT pid FROM attrib._run_holder()").fetchone()[0]
        except psycopg.Error:
            return None

    def _wait_for_lost_backend(self) -> None:
        """A killed backend holds the run lock until its process has exited: wait a little for that."""
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
        if self.conn is None:
            return
        try:
            if not self.conn.closed and not self.conn.broken:
                self.conn.execute("SELECT attrib._run_unlock()")
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


def stage_names(conn: psycopg.Connection) -> list[str]:
    """The stages in run order, as the database defines them (attrib._run_stages())."""
    return list(conn.execute("SELECT attrib._run_stages()").fetchone()[0])


def plan(all_stages: list[str], stage: str | None, full: bool) -> list[str]:
    """The stages to call, in order; an unknown --stage is a usage error (exit 2)."""
    if stage:
        if stage not in [*all_stages, "reset"]:
            raise AttribError(f"unknown stage {stage!r}\nHINT: stages, in run order: {', '.join(all_stages)}; "
                              "or reset (empties everything derived).", exit_code=EXIT_USAGE)
        return [stage]
    return (["reset"] if full else []) + all_stages


def _read_log(session: RunSession, run_id: int, result: StageResult) -> None:
    """Counts and timing of the stage from run_log (best effort: the stage itself succeeded)."""
    try:
        row = session.ensure().execute(
            "SELECT rows_read, rows_written, rows_rejected, rows_duplicated, "
            "       extract(epoch FROM finished_at - started_at)::float8 "
            "  FROM attrib.run_log WHERE run_id = %s AND stage = %s", (run_id, result.stage)).fetchone()
    except (psycopg.Error, ConnectionLost):
        return
    if row:
        (result.rows_read, result.rows_written, result.rows_rejected, result.rows_duplicated,
         result.seconds) = row


def run(dsn: str, *, stage: str | None = None, full: bool = False,
        retry_for: timedelta = timedelta(hours=2), lock_timeout: timedelta = timedelta(minutes=1),
        reporter: Reporter | None = None, sleep: Callable[[float], None] = time.sleep,
        initial_wait: float = 1.0) -> RunResult:
    """One run, stage by stage. Never raises for database errors: the result says what happened."""
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
            return _finish(result, started, exc)
        conn = session.ensure()
        result.database = conn.info.dbname
        result.superuser, result.runner_role = _superuser_and_runner(conn)
        stages = plan(stage_names(conn), stage, full)
        result.run_id = conn.execute("SELECT nextval('attrib.run_id_seq')").fetchone()[0]
        for name in stages:
            outcome = StageResult(stage=name, status="running")
            result.stages.append(outcome)
            error = _run_stage(session, result.run_id, outcome, deadline, reporter, sleep, initial_wait)
            if error is not None:
                return _finish(result, started, error)
        return _finish(result, started, None)
    except psycopg.Error as exc:  # outside any stage (reading the stage list, the run id)
        return _finish(result, started, exc)
    finally:
        session.close()


def _run_stage(session: RunSession, run_id: int, outcome: StageResult, deadline: float,
               reporter: Reporter, sleep: Callable[[float], None], initial_wait: float) -> BaseException | None:
    """Run one stage with retries; fill in `outcome`; return the error that ended it, if any."""
    began = time.monotonic()
    error: BaseException | None = None

    def before_sleep(state) -> None:
        exc = state.outcome.exception()
        reporter.stage_retrying(outcome.stage, state.attempt_number, _one_line(exc), state.upcoming_sleep)

    try:
        for attempt in retrying(deadline, before_sleep=before_sleep, sleep=sleep, initial_wait=initial_wait):
            with attempt:
                outcome.attempts = attempt.retry_state.attempt_number
                reporter.stage_started(outcome.stage, outcome.attempts)
                conn = session.ensure()
                conn.execute("CALL attrib.run_stage(%s, %s)", (outcome.stage, run_id))
        outcome.status = "ok"
        _read_log(session, run_id, outcome)
    except (psycopg.Error, ConnectionLost) as exc:
        error = exc
        outcome.status = "busy" if classify(exc) is Kind.BUSY else "failed"
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


def _finish(result: RunResult, started: float, exc: BaseException | None) -> RunResult:
    result.seconds = round(time.monotonic() - started, 3)
    if exc is None:
        result.status = "ok"
        return result
    kind = classify(exc)
    result.status = "busy" if kind is Kind.BUSY else "failed"
    result.error_kind = kind.value
    result.error = db.scrub(describe_db_error(exc) if isinstance(exc, psycopg.Error) else f"{_sqlstate(exc)}: {exc}")
    if result.failed_stage is None:  # before any stage: the run lock, or reading the stage list
        result.stages.append(StageResult(stage="(start)", status=result.status, sqlstate=_sqlstate(exc),
                                         message=_message(exc)))
    return result
