"""The commands that run the pipeline: `attrib run`, `status`, `schedule`, `unschedule`.

cli.py loads them when one of them is used (LAZY_COMMANDS).
"""

from __future__ import annotations

import sys
from datetime import timedelta

import click
import psycopg
from rich.console import Console

from . import alert, db, own_domains, runner, safe_text
from . import progress as run_progress, schedule as scheduling, status as run_status
from .cli_common import CONTEXT, dsn_option, echo, err
from .durations import DURATION, format_duration
from .errors import EXIT_BUSY, EXIT_FAILED, AttribError


def _stdout_console() -> Console:
    return Console(file=sys.stdout, width=None if sys.stdout.isatty() else 140)


@click.command("run", context_settings=CONTEXT)
@dsn_option
@click.option("--stage", metavar="STAGE",
              help="Run only this stage: ingest, alias, sessionize, signup, attribute, maintain "
                   "(or reset, which empties everything derived).")
@click.option("--full", is_flag=True,
              help="Rebuild from the source: empty everything derived (attrib.reset), then run every stage.")
@click.option("--retry-for", type=DURATION, default="2h", show_default=True,
              help="Keep retrying transient failures (serialization failure, deadlock, lock timeout, "
                   "lost connection) this long, counted from the start of the run; 0 = never retry.")
@click.option("--lock-timeout", type=DURATION, default="1m", show_default=True,
              help="Give up waiting for a lock a reader holds after this long (then retry); 0 = wait forever.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as one JSON document on stdout.")
@click.option("--on-failure", metavar="CMD", envvar="ATTRIB_ON_FAILURE", show_envvar=True,
              help="Shell command to run when the run finally fails, with ATTRIB_RUN_ID, ATTRIB_STAGE, "
                   "ATTRIB_SQLSTATE, ATTRIB_MESSAGE, ATTRIB_DATABASE and ATTRIB_SUMMARY in its environment.")
def run_cmd(dsn: str | None, stage: str | None, full: bool, retry_for: timedelta, lock_timeout: timedelta,
            as_json: bool, on_failure: str | None) -> None:
    """Run the pipeline once: ingest, alias, sessionize, signup, attribute, maintain.

    Each stage is its own transaction (CALL attrib.run_stage), so a failure
    loses one stage and readers keep seeing the previous complete outputs.
    Transient failures are retried with exponential backoff and jitter;
    permanent ones (bad data, missing objects, ...) fail at once with
    `SQLSTATE: message` and the HINT on stderr. Progress goes to stderr, the
    timing table (or --json) to stdout.

    Exit codes: 0 ok, 1 failed, 2 usage error, 3 another run in progress.
    """
    if stage and full:
        raise click.UsageError("--full runs every stage after emptying the outputs; leave out --stage")
    target = db.resolve_dsn(dsn)
    progress = run_progress.ConsoleReporter(Console(stderr=True))
    result = runner.run(target, stage=stage, full=full, retry_for=retry_for, lock_timeout=lock_timeout,
                        reporter=progress)
    if result.superuser:
        err(f"warning: this run ran as superuser {safe_text.text(result.superuser)}; attrib needs no superuser to run. "
            f"Run it as the runner role instead, e.g. attrib run --dsn "
            f"'postgresql://{safe_text.text(result.runner_role)}@HOST/DB' "
            "(see README, Security).")
    if result.status == "ok" and result.run_id is not None:
        _warn_own_referrals(target, result.run_id)
    run_progress.print_result(result, _stdout_console(), as_json=as_json)
    if result.status == "ok":
        return
    if result.status == "failed" and on_failure:
        outcome = alert.fire(on_failure, result)
        if outcome.returncode != 0:
            state = "timed out" if outcome.returncode is None else f"exited {outcome.returncode}"
            err(f"warning: the --on-failure command {state}: {safe_text.text(outcome.output)}")
    raise AttribError(result.error or "the run failed", EXIT_BUSY if result.status == "busy" else EXIT_FAILED)


def _warn_own_referrals(target: str, run_id: int) -> None:
    """At most one warning per run: most Referral sessions it published came from the site's own domain."""
    try:
        with db.connection(target) as conn:
            text = own_domains.check(conn, run_id)
    except psycopg.Error:  # a hint after a finished run: never what fails it
        return
    if text:
        err(text)


@click.command("status", context_settings=CONTEXT)
@dsn_option
@click.option("--runs", "limit", type=click.IntRange(1, 1000), default=5, show_default=True,
              help="How many of the latest runs to show.")
@click.option("--json", "as_json", is_flag=True, help="Print the status as one JSON document on stdout.")
@click.option("--check", is_flag=True,
              help="For monitoring: print one line and exit 1 when the latest run failed, a run is stuck, "
                   "or no run succeeded within --max-age; exit 0 otherwise.")
@click.option("--max-age", type=DURATION, default="26h", show_default=True,
              help="With --check: how old the latest successful run may be (a nightly run plus slack).")
def status_cmd(dsn: str | None, limit: int, as_json: bool, check: bool, max_age: timedelta) -> None:
    """Show the latest runs with per-stage timings and counts, and whether a run is in progress.

    A run's status is ok, failed, running, or abandoned (its backend died; the
    next run marks its stages failed). With --check, one line and an exit
    code any monitoring system can call (a failed pg_cron run pages nobody
    by itself); runs also NOTIFY attrib_run with a JSON payload when they end.
    """
    if check:
        with db.connection(db.resolve_dsn(dsn)) as conn:
            healthy, line = run_status.check(conn, max_age)
        if not healthy:
            raise AttribError(f"attrib check failed: {line}", EXIT_FAILED)
        echo(line)
        return
    with db.connection(db.resolve_dsn(dsn)) as conn:
        current = run_status.collect(conn, limit)
    if as_json:
        click.echo(safe_text.json_text(run_status.to_json(current)))
    else:
        _stdout_console().print(run_status.render(current))


@click.command("schedule", context_settings=CONTEXT)
@dsn_option
@click.option("--cron", "cron_expression", default=scheduling.DEFAULT_CRON, show_default=True,
              help="When to run, as a cron schedule in GMT (pg_cron's cron.timezone defaults to GMT).")
@click.option("--retry-window", type=DURATION, default="2h", show_default=True,
              help="Retry a failed nightly run inside this window after it started; 0 = no retry job.")
def schedule_cmd(dsn: str | None, cron_expression: str, retry_window: timedelta) -> None:
    """Schedule the nightly run with pg_cron (safe to repeat: jobs are upserted by name).

    Creates the job `attrib-run:<database>` whose command is exactly
    `CALL attrib.run_attribution()`, and, unless --retry-window is 0, the job
    `attrib-retry:<database>`, which reruns a failed run every few minutes
    inside the window and does nothing once the run succeeded. When pg_cron
    lives in another database of the server (cron.database_name), the jobs are
    created there and run in this database.
    """
    location, created = scheduling.schedule(db.resolve_dsn(dsn), cron_expression, retry_window)
    where = "" if location.same_database else " (created in pg_cron's database with cron.schedule_in_database)"
    err(f"scheduled in database {safe_text.text(location.database)}{where}; pg_cron reads schedules in "
        f"{safe_text.text(location.timezone)}")
    for job in created:
        echo("\t".join(safe_text.text(job[k]) for k in ("jobname", "schedule", "command")))
    if retry_window > timedelta(0):
        err(f"a failed run is retried for {format_duration(retry_window)} after it started")


@click.command("unschedule", context_settings=CONTEXT)
@dsn_option
def unschedule_cmd(dsn: str | None) -> None:
    """Remove this database's pg_cron jobs (the nightly run and its retry job).

    Safe to repeat: with no jobs scheduled it says so and exits 0.
    """
    location, removed = scheduling.unschedule(db.resolve_dsn(dsn))
    if removed:
        for name in removed:
            echo(f"removed {safe_text.text(name)}")
    else:
        err(f"no attrib jobs are scheduled for database {safe_text.text(location.database)}")

