"""`attrib demo`: the whole product on sample data, from nothing to a summary."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click
from rich.console import Console

from attrib import cluster, db, deploy, progress, runner, safe_text
from attrib.cli_common import CONTEXT, dsn_option, err
from attrib.errors import AttribError

from . import demo_data, demo_sources, invocation, summary


@click.command("demo", context_settings=CONTEXT)
@click.option("--events", type=click.IntRange(min=1000), default=200_000, show_default=True,
              help="Sample events to generate.")
@click.option("--days", type=click.IntRange(min=1), default=90, show_default=True, help="Days of traffic.")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the sample data.")
@click.option("--port", type=int, envvar="ATTRIB_PGPORT", show_envvar=True, default=cluster.DEFAULT_PORT,
              show_default=True, help="Port of the local cluster.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("attrib-demo-report.html"), show_default=True,
              help="Where to write the HTML report.")
def demo_cmd(events: int, days: int, seed: int, port: int, html_file: Path) -> None:
    """Start the local cluster, deploy, load sample Segment data, run everything, print a summary.

    Uses (and replaces the sample data in) database `attrib_demo` of the local
    throwaway cluster; nothing else is touched.
    """
    started = time.monotonic()
    target = cluster.default_cluster(port)
    cluster.up(target, log=err)
    dsn = cluster.create_database(target, "attrib_demo")
    err(f"database: {dsn}")
    result = deploy.upgrade(dsn)
    err(f"deployed: revision {result.revision_after}, {len(result.procedures_applied)} procedures applied")
    with db.connection(dsn) as conn:
        stats = demo_data.generate(conn, events=events, days=days, seed=seed, progress=err)
        revenue_rows = demo_data.add_revenue(conn, seed=seed)
        optional = demo_sources.add_all(conn, seed=seed)
    err(f"sample data: {stats.summary()}; billing.revenue: {revenue_rows:,} rows (setting revenue_source); "
        + ", ".join(f"{table}: {rows:,} rows" for table, rows in optional.items())
        + " (settings spend_source, survey_source, content_source)")

    out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 140)
    outcome = runner.run(dsn, full=True, reporter=progress.ConsoleReporter(Console(stderr=True)))
    progress.print_result(outcome, out, as_json=False)
    if outcome.status != "ok":
        raise AttribError(outcome.error or "the run failed")
    from attrib import marketing, report_html  # lazy: Plotly is loaded only for the report

    with db.connection(dsn) as conn:
        summary.print_summary(conn, out)
        story = marketing.load(conn)
    marketing.print_report(story, out)
    out.print("[bold]What the data says[/]")
    for line in marketing.story(story):
        out.print(safe_text.cell(f"  {line}"), highlight=False)
    path = report_html.write_html(story, html_file, title="attrib demo: where signups come from")
    out.print(f"HTML report (charts, opens offline): {path.resolve()}", highlight=False, soft_wrap=True)
    if stats.signups != story.signups:
        out.print(f"(The sample data has {stats.signups:,} signup events; {story.signups:,} people signed up: "
                  "ingest rejects the events with no usable id, see attrib.rejects, and a person counts once.)",
                  highlight=False)
    attrib = invocation.command()
    err(f"demo done in {time.monotonic() - started:.1f}s. Next, from this folder "
        "(or `export ATTRIB_DSN=...` and leave out --dsn):")
    click.echo(f"{attrib} report --dsn {dsn}")
    click.echo(f"{attrib} status --dsn {dsn}")
    click.echo(f"psql {dsn}")


# -- demo data -----------------------------------------------------------------


@click.command("demo-data", context_settings=CONTEXT)
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
