"""What every `attrib` command shares: context settings, the --dsn and cluster options, output lines.

Command modules import this, never cli.py, so the command line has no
import cycle and loading one command loads nothing of the others.
"""

from __future__ import annotations

from typing import Callable

import click

from . import safe_text
from .cluster import DEFAULT_PORT

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def dsn_option(func: Callable) -> Callable:
    return click.option(
        "--dsn", envvar="ATTRIB_DSN", show_envvar=True,
        help="Database to use (libpq DSN or URL). Default: the libpq environment (PGHOST, PGPORT, ...).",
    )(func)


def echo(message: str) -> None:
    """One result line (or several) on stdout; no control character reaches the terminal.

    A value from the data goes in through safe_text.text, which escapes its
    newlines too; this is the guard for anything composed here.
    """
    click.echo(safe_text.lines(message))


def err(message: str) -> None:
    """A diagnostic on stderr, guarded as echo()."""
    click.echo(safe_text.lines(message), err=True)


def cluster_options(func: Callable) -> Callable:
    func = click.option("--port", type=int, envvar="ATTRIB_PGPORT", show_envvar=True,
                        default=DEFAULT_PORT, show_default=True, help="Port on 127.0.0.1.")(func)
    func = click.option("--datadir", envvar="ATTRIB_PGDATA", show_envvar=True,
                        help="Data directory. Default: .pgdata/pg15-PORT in the project.")(func)
    return func
