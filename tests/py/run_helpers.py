"""Helpers for the run tests: tiny source data, the CLI, faults, and a run in the background."""

from __future__ import annotations

import threading
import time
from datetime import datetime, timedelta, timezone
from typing import Callable

import psycopg
from click.testing import CliRunner, Result

from attrib.cli import main
from segment import STAGES, create_source, insert  # noqa: F401  (STAGES: for the run tests)

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)



def histogram_size(conn: psycopg.Connection, table: str, column: str) -> int:
    """Bounds in a column's histogram: its last ANALYZE's statistics target, plus one (with enough distinct values)."""
    return conn.execute("""
        SELECT cardinality(histogram_bounds::text::text[]) FROM pg_stats
         WHERE schemaname || '.' || tablename = %s AND attname = %s""", (table, column)).fetchone()[0]


def may_partition(conn: psycopg.Connection) -> str:
    """May 2024's partition of partitioning.events, schema-qualified."""
    return conn.execute("SELECT format('%I.%I', partition_schema, partition_table) "
                        "FROM partman.show_partition_name('partitioning.events', '2024-05-15')").fetchone()[0]


def add_visitor(conn: psycopg.Connection, n: int) -> None:
    """Visitor n lands from a Google ad on day n and signs up five minutes later."""
    landed = T0 + timedelta(days=n)
    signed = landed + timedelta(minutes=5)
    insert(conn, "pages", [{"id": f"p{n}", "anonymous_id": f"anon-{n}", "timestamp": landed,
                            "received_at": landed, "url": "https://example.com/?utm_source=google&utm_medium=cpc",
                            "referrer": "https://www.google.com/"}])
    insert(conn, "tracks", [{"id": f"t{n}", "anonymous_id": f"anon-{n}", "user_id": f"user-{n}",
                             "event": "signed_up", "timestamp": signed, "received_at": signed}])
    insert(conn, "identifies", [{"id": f"i{n}", "anonymous_id": f"anon-{n}", "user_id": f"user-{n}",
                                 "timestamp": signed, "received_at": signed}])


def with_source(conn: psycopg.Connection, visitors: int = 1) -> psycopg.Connection:
    create_source(conn)
    for n in range(1, visitors + 1):
        add_visitor(conn, n)
    return conn


def attrib(*args: str, env: dict[str, str] | None = None) -> Result:
    """The CLI in-process; stdout and stderr apart (result.stdout, result.stderr)."""
    return CliRunner().invoke(main, list(args), env=env, catch_exceptions=False)


def inject(conn: psycopg.Connection, stage: str, sqlstate: str | None = None, *, times: int = 1,
           sleep: float = 0.0, message: str = "injected fault") -> None:
    """The next `times` runs of `stage` sleep `sleep` seconds after their work, then raise `sqlstate`."""
    conn.execute(
        "INSERT INTO attrib.test_faults (stage, sqlstate, message, sleep_seconds, remaining) "
        "VALUES (%s, %s, %s, %s, %s)", (stage, sqlstate, message, sleep, times))


def log(conn: psycopg.Connection, run_id: int | None = None) -> list[tuple]:
    """(stage, status, attempts, sqlstate) of a run (default: the latest), in the order they ran."""
    return conn.execute(
        "SELECT stage, status, attempts, sqlstate FROM attrib.run_log "
        " WHERE run_id = coalesce(%s, (SELECT max(run_id) FROM attrib.run_log)) ORDER BY started_at, stage",
        (run_id,)).fetchall()


def signups(conn: psycopg.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT alias_id FROM sessions.attribution ORDER BY alias_id")]


def wait_for(condition: Callable[[], object], timeout: float = 30.0, every: float = 0.1) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {condition}")


class BackgroundCall:
    """A statement on its own connection in a thread: its backend pid, and the error it ended with."""

    def __init__(self, dsn: str, statement: str) -> None:
        self.conn = psycopg.connect(dsn, autocommit=True)
        self.pid = self.conn.info.backend_pid
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, args=(statement,), daemon=True)
        self.thread.start()

    def _run(self, statement: str) -> None:
        try:
            self.conn.execute(statement)
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self.error = exc

    def join(self, timeout: float = 60.0) -> None:
        self.thread.join(timeout)
        assert not self.thread.is_alive(), "the background call did not finish"
        self.conn.close()


def sleeping(conn: psycopg.Connection, pid: int) -> bool:
    """The backend is in pg_sleep (a test fault's pause, after the stage did its work)."""
    row = conn.execute("SELECT wait_event FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row and row[0] == "PgSleep")


def gone(conn: psycopg.Connection, pid: int) -> bool:
    """The backend has exited (a terminated backend holds its locks until then)."""
    return conn.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone() is None
