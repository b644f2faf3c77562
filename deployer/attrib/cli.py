"""The `attrib` command line: deploy, run and inspect the attribution pipeline.

Exit codes: 0 ok, 1 failed, 2 usage error, 3 another run in progress.
Diagnostics go to stderr; results to stdout.
"""

from __future__ import annotations

import sys
from typing import Callable

import click
import psycopg

from . import __version__, cluster, db, deploy
from .errors import AttribError, describe_db_error

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def dsn_option(func: Callable) -> Callable:
    return click.option(
        "--dsn", envvar="ATTRIB_DSN", show_envvar=True,
        help="Database to use (libpq DSN or URL). Default: the libpq environment (PGHOST, PGPORT, ...).",
    )(func)


def err(message: str) -> None:
    click.echo(message, err=True)


class AttribGroup(click.Group):
    """Turns database errors escaping a command into `SQLSTATE: message` on stderr.

    Every error message leaving a command passes through db.scrub: no
    password the command was given (a DSN's, PGPASSWORD) is ever printed.
    """

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except psycopg.Error as exc:
            raise AttribError(db.scrub(describe_db_error(exc))) from None
        except click.ClickException as exc:
            exc.message = db.scrub(exc.message)
            raise


@click.group(cls=AttribGroup, context_settings=CONTEXT)
@click.version_option(__version__, "-V", "--version", prog_name="attrib")
def main() -> None:
    """Marketing attribution for Segment data, computed inside PostgreSQL.

    \b
    Typical use:
      attrib db up                 start a local throwaway PostgreSQL, print its DSN
      attrib deploy --dsn DSN      install or upgrade schema and procedures
      attrib run --dsn DSN         ingest, alias, sessionize and attribute new data

    Exit codes: 0 ok, 1 failed, 2 usage error, 3 another run in progress.
    """


# -- db ----------------------------------------------------------------------


@main.group(context_settings=CONTEXT)
def db_group() -> None:
    """Manage the local throwaway PostgreSQL 15 cluster (development, demo, tests)."""


main.add_command(db_group, name="db")


def cluster_options(func: Callable) -> Callable:
    func = click.option("--port", type=int, envvar="ATTRIB_PGPORT", show_envvar=True,
                        default=cluster.DEFAULT_PORT, show_default=True, help="Port on 127.0.0.1.")(func)
    func = click.option("--datadir", envvar="ATTRIB_PGDATA", show_envvar=True,
                        help="Data directory. Default: .pgdata/pg15-PORT in the project.")(func)
    return func


@db_group.command("up", context_settings=CONTEXT)
@cluster_options
def db_up(port: int, datadir: str | None) -> None:
    """Install (apt-get) and start the local cluster, create database `attrib`, print its DSN.

    Running it again reuses the running cluster.
    """
    target = cluster.default_cluster(port, datadir)
    click.echo(cluster.up(target, log=err))


@db_group.command("down", context_settings=CONTEXT)
@cluster_options
@click.option("--destroy", is_flag=True, help="Also delete the data directory.")
def db_down(port: int, datadir: str | None, destroy: bool) -> None:
    """Stop the local cluster (and with --destroy, delete it)."""
    cluster.down(cluster.default_cluster(port, datadir), destroy=destroy)


@db_group.command("status", context_settings=CONTEXT)
@cluster_options
def db_status(port: int, datadir: str | None) -> None:
    """Say whether the local cluster runs; exit 1 when it does not."""
    target = cluster.default_cluster(port, datadir)
    if cluster.is_running(target):
        click.echo(f"running: {target.dsn}")
    else:
        err(f"not running (data directory {target.datadir}); start it with `attrib db up`")
        sys.exit(1)


# -- deploy ------------------------------------------------------------------


@main.command(context_settings=CONTEXT)
@dsn_option
@click.option("--sql", "sql_only", is_flag=True,
              help="Print the SQL a deploy to an empty database would run; change nothing.")
@click.option("--owner-role", metavar="ROLE",
              help="NOLOGIN role that owns every attrib object. Default: the deployed one, else attrib_owner.")
@click.option("--runner-role", metavar="ROLE",
              help="Role that runs the pipeline (and the pg_cron jobs). Default: the deployed one, else attrib_runner.")
@click.option("--reader-role", metavar="ROLE",
              help="Role that may read the sessions.* outputs. Default: the deployed one, else attrib_reader.")
@click.option("--grant-source", is_flag=True,
              help="Also let attrib read the source tables (pages, tracks, identifies in source_schema) "
                   "and give them the load-time index that keeps increments fast.")
def deploy_cmd(dsn: str | None, sql_only: bool, owner_role: str | None, runner_role: str | None,
               reader_role: str | None, grant_source: bool) -> None:
    """Install or upgrade attrib in a database (Alembic to head, then changed procedures, then grants).

    Safe to repeat: a second deploy changes nothing. Edit a file in procedures/
    and deploy again to ship it. Run it as a superuser: it creates the
    extensions and the three roles (owner, runner, reader; see README,
    Security), missing ones created, and gives each only what it needs.
    """
    if sql_only:
        click.echo(deploy.upgrade_sql())
        return
    target = db.resolve_dsn(dsn)
    roles = {"owner": owner_role, "runner": runner_role, "reader": reader_role}
    result = deploy.upgrade(target, roles=roles, grant_source=grant_source)
    for notice in result.notices:
        err(f"NOTICE: {notice}")
    if result.changed:
        err(f"deployed to {db.mask_dsn(target)}: revision {result.revision_before or 'none'} -> "
            f"{result.revision_after}; procedures applied: {len(result.procedures_applied)}")
    else:
        err(f"{db.mask_dsn(target)} is up to date (revision {result.revision_after}); nothing to do")


main.add_command(deploy_cmd, name="deploy")

# run, status, schedule, unschedule live in cli_run.py and register themselves on `main`.
from . import cli_run  # noqa: E402,F401
from . import cli_demo  # noqa: E402,F401
from . import cli_bench  # noqa: E402,F401  (attrib bench)
from . import cli_sources  # noqa: E402,F401  (attrib sources)
from . import cli_forget  # noqa: E402,F401  (attrib forget)
from . import cli_report  # noqa: E402,F401  (attrib report, attrib docs)


# -- demo data -----------------------------------------------------------------


@main.command("demo-data", context_settings=CONTEXT)
@dsn_option
@click.option("--events", type=click.IntRange(min=0), default=100_000, show_default=True,
              help="About how many pages + tracks rows to write (identifies come on top).")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True,
              help="Days of traffic, ending 2024-12-31 23:59:59 UTC.")
@click.option("--seed", type=int, default=42, show_default=True,
              help="Random seed: the same seed writes the same rows.")
@click.option("--schema", default="segment", show_default=True,
              help="Schema of the pages, tracks and identifies tables.")
@click.option("--append-days", type=click.IntRange(min=0), default=0, show_default=True,
              help="Keep the existing rows and append this many days of traffic after them "
                   "(about EVENTS/DAYS events a day).")
def demo_data_cmd(dsn: str | None, events: int, days: int, seed: int, schema: str,
                  append_days: int) -> None:
    """Write realistic, deterministic Segment data (pages, tracks, identifies) for demos and benchmarks.

    Replaces the three tables in --schema; with --append-days, appends fresh
    traffic after the newest existing row instead (for incremental-run benchmarks).
    Progress goes to stderr, a one-line summary of counts to stdout.
    """
    from . import demo_data

    target = db.resolve_dsn(dsn)
    with db.connection(target) as conn:
        try:
            stats = demo_data.generate(conn, schema=schema, events=events, days=days, seed=seed,
                                       replace=not append_days, append_days=append_days,
                                       progress=err)
        except ValueError as exc:
            raise AttribError(str(exc)) from None
    err(f"wrote {stats.events} events and {stats.identifies} identifies to {db.mask_dsn(target)} "
        f"in {stats.seconds:.1f}s")
    click.echo(stats.summary())
