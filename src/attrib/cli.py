"""The `attrib` command line: deploy, run and inspect the attribution pipeline.

Exit codes: 0 ok, 1 failed, 2 usage error, 3 another run in progress.
Diagnostics go to stderr; results to stdout.
"""

from __future__ import annotations

import importlib
import sys

import click
import psycopg

from . import __version__, cluster, db, deploy, safe_text
from .cli_common import CONTEXT, cluster_options, dsn_option, echo, err
from .errors import AttribError, describe_db_error

# Commands in other modules, loaded when used: `attrib run` never imports the
# demo-data generator or the benchmark, and no module imports this one.
# demo, demo-data and bench are tooling: package attrib_tools (tools/ in the
# repository, the extra attrib[tools]), which the runtime never imports.
LAZY_COMMANDS = {
    "run": "attrib.cli_run:run_cmd",
    "status": "attrib.cli_run:status_cmd",
    "schedule": "attrib.cli_run:schedule_cmd",
    "unschedule": "attrib.cli_run:unschedule_cmd",
    "forget": "attrib.cli_forget:forget_cmd",
    "sources": "attrib.cli_sources:sources_group",
    "demo": "attrib_tools.cli_demo:demo_cmd",
    "demo-data": "attrib_tools.cli_demo:demo_data_cmd",
    "bench": "attrib_tools.cli_bench:bench_cmd",
    "report": "attrib.cli_report:report_cmd",
    "docs": "attrib.cli_report:docs_cmd",
}


TOOLS = "attrib_tools"
TOOLS_HINT = ("pip install 'attrib[tools]' (the extra that ships attrib-tools); "
              "from a clone of the repository, `make venv`")


def _needs_tools(name: str) -> click.Command:
    """Stands in for a tooling command when attrib_tools is not installed: says which extra to install."""

    def missing(args: tuple[str, ...]) -> None:
        raise AttribError(f"`attrib {name}` is tooling, not part of the runtime package: {TOOLS_HINT}")

    return click.Command(name, callback=missing, help=f"Needs the tooling extra: {TOOLS_HINT}.",
                         params=[click.Argument(["args"], nargs=-1, type=click.UNPROCESSED)],
                         context_settings={**CONTEXT, "ignore_unknown_options": True})


class AttribGroup(click.Group):
    """Loads the commands of LAZY_COMMANDS when used, and turns database errors escaping a command
    into `SQLSTATE: message` on stderr.

    Every error message leaving a command passes through db.scrub: no
    password the command was given (a DSN's, PGPASSWORD) is ever printed;
    and through safe_text.lines: no control character from a value in it
    reaches the terminal.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS:
            module, attribute = LAZY_COMMANDS[cmd_name].split(":")
            try:
                return getattr(importlib.import_module(module), attribute)
            except ModuleNotFoundError as exc:
                if module.startswith(TOOLS + ".") and (exc.name or "").split(".")[0] == TOOLS:
                    return _needs_tools(cmd_name)
                raise
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context):  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except psycopg.Error as exc:
            raise AttribError(db.scrub(describe_db_error(exc))) from None
        except click.ClickException as exc:
            exc.message = safe_text.lines(db.scrub(exc.message))
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
    target = cluster.default_cluster(port, datadir)
    was_running = cluster.is_running(target)
    cluster.down(target, destroy=destroy)
    state = "stopped" if was_running else "not running"
    click.echo(f"{state}: {target.datadir}" + (" (deleted)" if destroy else ""))


@db_group.command("status", context_settings=CONTEXT)
@cluster_options
def db_status(port: int, datadir: str | None) -> None:
    """Say whether the local cluster runs; exit 1 when it does not."""
    target = cluster.default_cluster(port, datadir)
    if cluster.is_running(target):
        # every database, not only the empty `attrib`: after `attrib demo` the data is in attrib_demo
        for name in cluster.databases(target):
            echo(f"running: {target.dsn_for(name)}" + ("  (attrib demo's)" if name == "attrib_demo" else ""))
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
@click.option("--distribute/--no-distribute", default=None,
              help="On a Citus coordinator, distribute attrib's tables (docs/scale-out.md). Default: when the "
                   "citus extension is installed; --distribute fails without it.")
def deploy_cmd(dsn: str | None, sql_only: bool, owner_role: str | None, runner_role: str | None,
               reader_role: str | None, grant_source: bool, distribute: bool | None) -> None:
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
    result = deploy.upgrade(target, roles=roles, grant_source=grant_source, distribute=distribute)
    for notice in result.notices:
        err(f"NOTICE: {safe_text.text(notice)}")
    if result.changed:
        err(f"deployed to {db.mask_dsn(target)}: revision {result.revision_before or 'none'} -> "
            f"{result.revision_after}; procedures applied: {len(result.procedures_applied)}")
    elif result.source_actions:
        err(f"{db.mask_dsn(target)} is at revision {result.revision_after}; no procedure changed")
    else:
        err(f"{db.mask_dsn(target)} is up to date (revision {result.revision_after}); nothing to do")
    for action in result.distribution_actions:
        err(f"citus: {safe_text.text(action)}")
    for action in result.source_actions:
        err(f"source: {safe_text.text(action)}")
    if grant_source and not result.source_actions:
        err("source: nothing new to grant or index")


main.add_command(deploy_cmd, name="deploy")

