"""Errors the CLI reports: one line on stderr, a documented exit code.

Exit codes: 0 ok, 1 failed, 2 usage, 3 another run in progress.
"""

from __future__ import annotations

import click
import psycopg

from . import safe_text

EXIT_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 3


class AttribError(click.ClickException):
    """A failure the user can act on; the message says what to do next."""

    exit_code = EXIT_FAILED

    def __init__(self, message: str, exit_code: int = EXIT_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def describe_db_error(exc: BaseException) -> str:
    """`SQLSTATE: message` plus DETAIL and HINT lines, as PostgreSQL gave them, for printing.

    A message can carry values from the data (a type's name, a row's text):
    each part is one line with its control characters escaped (safe_text).
    """
    if isinstance(exc, psycopg.Error):
        diag = exc.diag
        state = exc.sqlstate or "08000"
        lines = [f"{safe_text.text(state)}: {safe_text.text(diag.message_primary or str(exc).strip())}"]
        if diag.message_detail:
            lines.append(f"DETAIL: {safe_text.text(diag.message_detail)}")
        if diag.message_hint:
            lines.append(f"HINT: {safe_text.text(diag.message_hint)}")
        return "\n".join(lines)
    return safe_text.lines(str(exc).strip())
