"""Preconditions with an error that says what to do."""

from __future__ import annotations

import psycopg

from .errors import AttribError


def require_deployed(conn: psycopg.Connection) -> None:
    """attrib's run procedures exist in the connected database, else an AttribError with a hint."""
    found = conn.execute("SELECT to_regprocedure('attrib.run_stage(text,bigint)') IS NOT NULL").fetchone()[0]
    if not found:
        raise AttribError(
            f"attrib is not deployed in database {conn.info.dbname} (no procedure attrib.run_stage)\n"
            "HINT: run `attrib deploy` with the same --dsn first.")
