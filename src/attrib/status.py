"""`attrib status`: the last runs with per-stage timings and counts, and the run in progress."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import psycopg
from psycopg.rows import dict_row
from rich import box
from rich.console import Group
from rich.table import Table
from rich.text import Text

from . import safe_text
from .checks import require_deployed


def in_progress(conn: psycopg.Connection) -> dict[str, Any] | None:
    """The backend holding the run lock, with its run and stage; None when no run is in progress."""
    row = conn.cursor(row_factory=dict_row).execute(
        "SELECT h.pid, h.run_id, h.stage, h.run_started_at, h.application_name, "
        "       extract(epoch FROM clock_timestamp() - coalesce(h.run_started_at, h.backend_start))::float8 "
        "         AS seconds "
        "  FROM attrib._run_holder() h").fetchone()
    if row is None or row["pid"] is None:
        return None
    return row


def recent_runs(conn: psycopg.Connection, limit: int) -> list[dict[str, Any]]:
    """The last `limit` runs, newest first, each with its stages in the order they ran."""
    cur = conn.cursor(row_factory=dict_row)
    runs = cur.execute(
        "SELECT r.run_id, r.status, r.complete, r.full_rebuild, r.started_by, r.pid, r.started_at, r.finished_at, "
        "       extract(epoch FROM coalesce(r.finished_at, clock_timestamp()) - r.started_at)::float8 AS seconds "
        "  FROM attrib.runs r ORDER BY r.run_id DESC LIMIT %s", (limit,)).fetchall()
    if not runs:
        return []
    stages = cur.execute(
        "SELECT l.run_id, l.stage, l.status, l.started_at, l.finished_at, "
        "       extract(epoch FROM coalesce(l.finished_at, clock_timestamp()) - l.started_at)::float8 AS seconds, "
        "       l.attempts, l.rows_read, l.rows_written, l.rows_rejected, l.rows_duplicated, "
        "       l.sqlstate, l.message, l.pid "
        "  FROM attrib.run_log l WHERE l.run_id = ANY(%s) ORDER BY l.run_id DESC, l.started_at, l.stage",
        ([r["run_id"] for r in runs],)).fetchall()
    by_run: dict[int, list[dict[str, Any]]] = {}
    for s in stages:
        by_run.setdefault(s.pop("run_id"), []).append(s)
    for r in runs:
        r["stages"] = by_run.get(r["run_id"], [])
    return runs


def collect(conn: psycopg.Connection, limit: int = 5) -> dict[str, Any]:
    require_deployed(conn)
    return {"database": conn.info.dbname, "in_progress": in_progress(conn), "runs": recent_runs(conn, limit)}


def to_json(status: dict[str, Any]) -> dict[str, Any]:
    """The status with timestamps as ISO 8601 strings and seconds rounded."""
    def clean(value: Any) -> Any:
        if isinstance(value, datetime):
            return value.isoformat()
        if isinstance(value, float):
            return round(value, 3)
        if isinstance(value, dict):
            return {k: clean(v) for k, v in value.items()}
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return clean(status)


def _fmt_time(value: datetime | None) -> str:
    return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S") if value else ""


def _num(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def render(status: dict[str, Any]) -> Group:
    """The status for the terminal; every value from the database passes through safe_text
    (a stage's message can quote a type's or a column's name, which anyone who creates one picks)."""
    shown = safe_text.text
    parts: list[Any] = []
    now = status["in_progress"]
    database = shown(status["database"])
    if now:
        run = f"run {now['run_id']}" if now["run_id"] is not None else "a run"
        parts.append(Text(f"In progress: {run}, stage {shown(now['stage'] or '-')}, pid {now['pid']}, "
                          f"started {_fmt_time(now['run_started_at']) or '?'} UTC ({now['seconds'] or 0:.0f} s ago), "
                          f"application {shown(now['application_name'] or '?')}"))
    else:
        parts.append(Text("No run in progress."))
    if not status["runs"]:
        parts.append(Text(f"No runs yet in {database}: `attrib run` starts one."))
        return Group(*parts)
    # One small table per run, so the whole stays readable at 80 columns; errors on their own lines.
    parts.append(Text(f"Last runs in {database} (times in UTC):"))
    for run in status["runs"]:
        label = shown(run["status"]) + (" (full)" if run["full_rebuild"] else "")
        table = Table(box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False,
                      title=Text(f"run {run['run_id']}: {label}, started {_fmt_time(run['started_at'])}, "
                                 f"{run['seconds']:.2f} s, by {shown(run['started_by'] or '?')}"))
        for name, justify in (("stage", "left"), ("status", "left"), ("seconds", "right"), ("tries", "right"),
                              ("read", "right"), ("written", "right"), ("rejected", "right"), ("dups", "right")):
            table.add_column(name, justify=justify)  # type: ignore[arg-type]
        errors = []
        for s in run["stages"]:
            if s["message"]:
                errors.append(Text(f"  {shown(s['stage'])}: {shown(s['sqlstate'] or '')}: {shown(s['message'])}"))
            table.add_row(safe_text.cell(s["stage"]), safe_text.cell(s["status"]), f"{s['seconds']:.2f}",
                          str(s["attempts"]),
                          _num(s["rows_read"]), _num(s["rows_written"]), _num(s["rows_rejected"]),
                          _num(s["rows_duplicated"]))
        parts.append(table)
        parts.extend(errors)
    return Group(*parts)


def check(conn: psycopg.Connection, max_age: timedelta) -> tuple[bool, str]:
    """Whether the pipeline is healthy, for monitoring: (ok, one line saying why, safe to print).

    Not ok when the latest run failed or was abandoned, when a run has been
    in progress longer than `max_age` (stuck), or when no complete run
    succeeded within `max_age`.
    """
    require_deployed(conn)
    cur = conn.cursor(row_factory=dict_row)
    latest = cur.execute("SELECT run_id, status, started_at, finished_at, "
                         "       (SELECT l.stage || ': ' || coalesce(l.sqlstate || ': ', '') || coalesce(l.message, '') "
                         "          FROM attrib.run_log l WHERE l.run_id = r.run_id AND l.status = 'failed' "
                         "         ORDER BY l.started_at DESC LIMIT 1) AS error "
                         "  FROM attrib.runs r ORDER BY run_id DESC LIMIT 1").fetchone()
    good = cur.execute("SELECT run_id, finished_at, clock_timestamp() - finished_at AS age FROM attrib.runs "
                       "WHERE complete AND status = 'ok' ORDER BY run_id DESC LIMIT 1").fetchone()
    now = cur.execute("SELECT clock_timestamp() AS now").fetchone()["now"]
    if latest is None:
        return False, f"no run yet in {safe_text.text(conn.info.dbname)}: `attrib run` or `attrib schedule` starts them"
    if latest["status"] in ("failed", "abandoned"):
        return False, (f"run {latest['run_id']} {latest['status']} (started {_fmt_time(latest['started_at'])} UTC)"
                       + (f": {safe_text.text(latest['error'])}" if latest["error"] else ""))
    if latest["status"] == "running" and now - latest["started_at"] > max_age:
        return False, (f"run {latest['run_id']} has been running since {_fmt_time(latest['started_at'])} UTC, "
                       f"longer than {max_age}: stuck?")
    if good is None or good["age"] > max_age:
        when = f"the last at {_fmt_time(good['finished_at'])} UTC" if good else "none ever"
        return False, f"no run succeeded within {max_age} ({when})"
    return True, f"ok: run {good['run_id']} succeeded at {_fmt_time(good['finished_at'])} UTC"
