"""`attrib schedule` / `attrib unschedule`: the nightly run as pg_cron jobs.

Two jobs per database, upserted by name (pg_cron's named jobs), each command
exactly one CALL (a procedure that COMMITs cannot run inside the
transaction block pg_cron would wrap around several statements):

  attrib-run:<database>    CALL attrib.run_attribution()
  attrib-retry:<database>  CALL attrib.run_attribution_retry('7200 seconds')
                           every few minutes inside the retry window; it does
                           nothing unless the nightly run failed and none is
                           in progress (procedures/run/run_attribution_retry.sql)

pg_cron runs in one database of the server (cron.database_name); the jobs
are created there with cron.schedule_in_database(..., database => the
user's database, username => attrib's runner role), so the nightly run is
never a superuser's. That call needs the scheduling user to be a superuser,
and the runner role to be able to log in. Jobs of the same name that an
earlier `attrib schedule` created under another user are removed.
pg_cron reads schedules in GMT (cron.timezone, from pg_cron 1.5, defaults to GMT).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import timedelta

import psycopg
from psycopg.conninfo import make_conninfo
from psycopg.rows import dict_row

from . import db
from .checks import require_deployed
from .durations import pg_interval
from .errors import EXIT_USAGE, AttribError

RUN_COMMAND = "CALL attrib.run_attribution()"
DEFAULT_CRON = "0 5 * * *"


@dataclass(frozen=True)
class CronLocation:
    dsn: str  # where pg_cron's functions are called
    database: str  # the user's database, where the jobs run
    same_database: bool  # pg_cron lives in the user's database
    timezone: str
    runner: str  # the role the jobs run as


def job_names(database: str) -> tuple[str, str]:
    return f"attrib-run:{database}", f"attrib-retry:{database}"


def retry_command(window: timedelta) -> str:
    return f"CALL attrib.run_attribution_retry('{pg_interval(window)}')"


def check_cron(expression: str) -> str:
    """A light check (pg_cron has the last word): five fields, or an @-macro such as @daily."""
    text = " ".join(expression.split())
    if text.startswith("@") or len(text.split(" ")) == 5:
        return text
    raise AttribError(f"not a cron schedule: {expression!r}\n"
                      "HINT: five fields, minute hour day-of-month month day-of-week (GMT), e.g. '0 5 * * *'.",
                      exit_code=EXIT_USAGE)


def retry_cron(expression: str, window: timedelta) -> str:
    """When the retry job fires: every few minutes in the hours after a daily 'M H ...' run, else all day.

    The retry procedure checks the window exactly; this only keeps pg_cron's
    run history short.
    """
    step = 10 if window >= timedelta(minutes=30) else 5
    fields = expression.split()
    if len(fields) == 5 and fields[0].isdigit() and fields[1].isdigit():
        start = int(fields[1]) * 60 + int(fields[0])
        end = start + math.ceil(window.total_seconds() / 60)
        hours = sorted({(t // 60) % 24 for t in range(start + step, end, step)} or {(start // 60) % 24})
        days = fields[2:] if end < 24 * 60 else ["*", "*", "*"]
        return " ".join([f"*/{step}", ",".join(map(str, hours)), *days])
    return f"*/{step} * * * *"


def locate(conn: psycopg.Connection, dsn: str) -> CronLocation:
    """Where pg_cron lives for the connected database, or an AttribError saying how to get it."""
    database, has_extension, preload, cron_db, timezone, runner, can_login = conn.execute(
        "SELECT current_database(), EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'), "
        "       current_setting('shared_preload_libraries'), current_setting('cron.database_name', true), "
        "       current_setting('cron.timezone', true), r.role_name, "
        "       (SELECT rolcanlogin FROM pg_roles WHERE rolname = r.role_name) "
        "  FROM attrib.roles r WHERE r.kind = 'runner'").fetchone()
    timezone = timezone or "GMT"
    if not can_login:
        raise AttribError(
            f"the runner role {runner} cannot log in, so pg_cron cannot run the nightly job as it\n"
            f"HINT: as a superuser: ALTER ROLE {runner} LOGIN; then `attrib schedule` again.")
    if has_extension:
        return CronLocation(dsn, database, True, timezone, runner)
    if "pg_cron" not in [p.strip() for p in preload.split(",")]:
        raise AttribError(
            "pg_cron is not available on this server: it is not in shared_preload_libraries\n"
            "HINT: add pg_cron to shared_preload_libraries, set cron.database_name, restart PostgreSQL, "
            "run CREATE EXTENSION pg_cron in that database, then `attrib schedule` again; "
            "or run `attrib run` from the system's cron instead.")
    cron_db = cron_db or "postgres"
    if cron_db == database:
        raise AttribError(
            f"pg_cron is preloaded for database {database} but the extension is not created there\n"
            "HINT: as a superuser: CREATE EXTENSION pg_cron; then `attrib schedule` again.")
    return CronLocation(make_conninfo(dsn, dbname=cron_db), database, False, timezone, runner)


def _connect_cron(location: CronLocation) -> psycopg.Connection:
    conn = db.connect(location.dsn)
    found = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_cron'").fetchone()
    if not found:
        database = conn.info.dbname  # read before closing: a closed connection answers nothing (08000)
        conn.close()
        raise AttribError(
            f"pg_cron runs in database {database} (cron.database_name) but the extension is not "
            f"created there\nHINT: as a superuser: psql -d {database} -c 'CREATE EXTENSION pg_cron;' "
            "then `attrib schedule` again.")
    return conn


def _upsert(cron: psycopg.Connection, location: CronLocation, name: str, schedule: str, command: str) -> None:
    """Create or update the job as the runner role; drop same-named jobs of other users (older schedules)."""
    try:
        cron.execute("SELECT cron.schedule_in_database(%s, %s, %s, %s, %s)",
                     (name, schedule, command, location.database, location.runner))
    except psycopg.errors.InsufficientPrivilege:
        raise AttribError(
            f"cannot create pg_cron job {name} for role {location.runner}: pg_cron 1.4 lets only a superuser "
            "schedule a job for another role\nHINT: run `attrib schedule` as a superuser; the job itself runs as "
            f"{location.runner}.") from None
    _drop(cron, name, keep=location.runner)


def _drop(cron: psycopg.Connection, name: str, keep: str | None = None) -> bool:
    """Remove the jobs called `name` (all but `keep`'s); True when one was removed."""
    rows = cron.execute("SELECT cron.unschedule(j.jobid) FROM cron.job j "
                        "WHERE j.jobname = %s AND j.username IS DISTINCT FROM %s", (name, keep)).fetchall()
    return any(r[0] for r in rows)


def jobs(cron: psycopg.Connection, database: str) -> list[dict]:
    return cron.cursor(row_factory=dict_row).execute(
        "SELECT j.jobid, j.jobname, j.schedule, j.command, j.database, j.username, j.active "
        "  FROM cron.job j WHERE j.jobname = ANY(%s) ORDER BY j.jobname DESC",
        (list(job_names(database)),)).fetchall()


def schedule(dsn: str, cron_expression: str = DEFAULT_CRON,
             retry_window: timedelta = timedelta(hours=2)) -> tuple[CronLocation, list[dict]]:
    """Create or update the jobs; return where they live and what they are."""
    expression = check_cron(cron_expression)
    if retry_window < timedelta(0) or retry_window >= timedelta(days=1):
        raise AttribError("--retry-window must be between 0 (no retry job) and 24h", exit_code=EXIT_USAGE)
    with db.connection(dsn) as conn:
        require_deployed(conn)
        location = locate(conn, dsn)
    run_name, retry_name = job_names(location.database)
    with _connect_cron(location) as cron:
        _upsert(cron, location, run_name, expression, RUN_COMMAND)
        if retry_window > timedelta(0):
            _upsert(cron, location, retry_name, retry_cron(expression, retry_window), retry_command(retry_window))
        else:
            _drop(cron, retry_name)
        return location, jobs(cron, location.database)


def unschedule(dsn: str) -> tuple[CronLocation, list[str]]:
    """Remove the jobs of the connected database; return the names removed."""
    with db.connection(dsn) as conn:
        location = locate(conn, dsn)
    with _connect_cron(location) as cron:
        removed = [name for name in job_names(location.database) if _drop(cron, name)]
    return location, removed
