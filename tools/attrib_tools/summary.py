"""A short read-out of the published outputs, for `attrib demo` and humans.

Reads aggregates only: no event rows travel to Python.
"""

from __future__ import annotations

import psycopg
from psycopg import sql
from rich.console import Console
from rich.table import Table

from attrib import safe_text


def _one(conn: psycopg.Connection, query: str | sql.Composable) -> object:
    return conn.execute(query).fetchone()[0]


def print_summary(conn: psycopg.Connection, console: Console) -> None:
    schema = _one(conn, "SELECT attrib.setting_text('source_schema')")
    counts = Table(title="attrib: what the run produced", show_header=False)
    counts.add_column("what")
    counts.add_column("count", justify="right")
    for label, query in [
        ("source rows (pages + tracks)",
         sql.SQL("SELECT (SELECT count(*) FROM {}) + (SELECT count(*) FROM {})").format(
             sql.Identifier(str(schema), "pages"), sql.Identifier(str(schema), "tracks"))),
        ("events kept", "SELECT count(*) FROM partitioning.events"),
        ("duplicate rows dropped", "SELECT coalesce(sum(copies), 0)::bigint FROM attrib.duplicates"),
        ("rows rejected", "SELECT coalesce(sum(copies), 0)::bigint FROM attrib.rejects"),
        ("aliases", "SELECT count(*) FROM sessions.user_session_counts"),
        ("identified aliases", "SELECT count(DISTINCT alias_id) FROM sessions.all_sessions WHERE identified"),
        ("sessions", "SELECT count(*) FROM sessions.all_sessions"),
        ("signups (attribution rows)", "SELECT count(*) FROM sessions.attribution"),
        ("signed up in their first session",
         "SELECT coalesce(round(100.0 * count(*) FILTER (WHERE session_count_before_signup = 1) "
         "/ nullif(count(*), 0), 1) || ' %', '-') FROM sessions.attribution"),
        ("signups with a paid touch",
         "SELECT coalesce(round(100.0 * count(first_attributed_touch_timestamp) / nullif(count(*), 0), 1) "
         "|| ' %', '-') FROM sessions.attribution"),
    ]:
        value = _one(conn, query)
        counts.add_row(label, f"{value:,}" if isinstance(value, int) else safe_text.cell(value))
    console.print(counts)

    rejects = conn.execute("SELECT reason, sum(copies)::bigint FROM attrib.rejects GROUP BY 1 ORDER BY 2 DESC, 1").fetchall()
    if rejects:
        console.print(safe_text.cell("rejects by reason: " + ", ".join(f"{r} {n:,}" for r, n in rejects)))
