"""The `attrib bench` command: full, incremental, hostile-row and reclassifying runs against the reference statement.

cli.py loads it only when `attrib bench` is used (LAZY_COMMANDS), so the
commands that deploy and run never import the benchmark. The work is in
bench.py.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from attrib import cluster
from attrib.cli_common import CONTEXT, cluster_options, err
from attrib.paths import project_root

from . import bench, projection


def _scales(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [bench.parse_count(part) for part in value.split(",") if part.strip()]
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


def _workers(_ctx: click.Context, _param: click.Parameter, value: str) -> list[int]:
    try:
        return bench.order_workers([int(part) for part in value.split(",") if part.strip()])
    except ValueError as exc:
        raise click.BadParameter(f"{value!r}: counts >= 0, comma-separated (e.g. 0,2); {exc}") from None


def _count(_ctx: click.Context, _param: click.Parameter, value: str | int | None) -> int | None:
    if value is None:
        return None
    try:
        return bench.parse_count(str(value))
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("bench", context_settings=CONTEXT)
@cluster_options
@click.option("--events", default="1000000", show_default=True, callback=_count, metavar="N",
              help="Source events (pages + tracks rows) of the history; 20k, 1M, 5M also work.")
@click.option("--days", type=click.IntRange(min=1), default=365, show_default=True,
              help="Days the history spans; the increment is one more day (about EVENTS/DAYS events).")
@click.option("--seed", type=int, default=42, show_default=True, help="Random seed of the generated data.")
@click.option("--scales", callback=_scales, metavar="N,N,...",
              help="Scaling mode: measure each history size (e.g. 1M,5M,10M) in its own database, all "
                   "with the daily volume of the smallest over --days; --events is then not used.")
@click.option("--increments", type=click.IntRange(min=1), default=bench.DEFAULT_INCREMENTS, show_default=True,
              metavar="K", help="One-day increments appended and timed one after the other; the ratios use "
                                "the median run.")
@click.option("--workers", default=str(bench.DEFAULT_WORKERS), show_default=True, callback=_workers,
              metavar="N,N,...",
              help="max_parallel_workers_per_gather values to time the reference and the full run with "
                   f"(e.g. 0,2). The targets use {bench.DEFAULT_WORKERS} when listed, else the first value; "
                   "it is timed first, on the fresh database, each other value after attrib.reset().")
@click.option("--output", type=click.Path(file_okay=False, path_type=Path),
              help="Directory for the JSON result.  [default: bench/results in the project]")
@click.option("--keep", is_flag=True, help="Keep the benchmark databases (attrib_bench_<events>_<pid>).")
@click.option("--optional-sources", is_flag=True,
              help="After the usual runs, set revenue_source, spend_source, survey_source and content_source "
                   "(the demo's tables) and time as many one-day increments again: the cost of reading them.")
@click.option("--profile", is_flag=True,
              help="Also record the slowest statements of each run with pg_stat_statements (in the JSON); "
                   "adds a little overhead.")
@click.option("--project", callback=_count, metavar="N",
              help="Do not benchmark: project a first load of N events (e.g. 800M) and a nightly increment "
                   "on 2 and 16 cores from measured results (bench/project.py); no database needed.")
@click.option("--years", type=click.FloatRange(min=0.01), default=3.0, show_default=True,
              help="With --project: the years the N events span (gives the events per day).")
@click.option("--measured", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              metavar="FILE", help="With --project: attrib bench JSON results to read (repeatable).  "
                                   "[default: the committed bench/measured-*.json]")
def bench_cmd(port: int, datadir: str | None, events: int, days: int, seed: int, scales: list[int] | None,
              increments: int, workers: list[int], output: Path | None, keep: bool, optional_sources: bool,
              profile: bool, project: int | None, years: float, measured: tuple[Path, ...]) -> None:
    """Benchmark full, incremental and reclassifying runs against the physical limit, on the local cluster.

    In a fresh database per history size: generate Segment data; time the
    reference statement (one CREATE TABLE AS sessionizing the same events per
    anonymous id with lag() and a running sum(); its text is frozen); time a
    full run stage by stage, per --workers value; append one day and time the
    incremental run, K days in a row (the median counts); append a few
    hostile rows (referrers and utm_source values of 127 labels in 253
    characters, and of 32 KB) and time the run that takes them in; last, add
    a source class no event matches and time the run that reclassifies
    everyone.
    Prints the tables on stdout (progress on stderr) and writes JSON to
    bench/results/.

    Targets (issue 16), each PASS or MISS against its must-reach bound with
    the goal beside it; a MISS never fails the command: full / reference
    <= 10x at every scale (goal 3x); increment <= 1% of full at 10 M;
    increment growth <= 1.2x for 10x history (goal 1.0x); reclassify / full
    <= 0.5 at 1 M (goal 0.25); peak RSS, largest over smallest scale,
    <= 1.25 (goal 1.1). The databases are dropped at the end unless --keep.

    With --project N it runs nothing: it prints the projection of N events
    from measured results (see bench/project.py and docs/benchmarks.md).
    """
    if project is not None:
        files = list(measured) or projection.default_inputs(project_root())
        try:
            found, disk = projection.load(files)
            result = projection.project(found, events=project, years=years, disk=disk)
        except (ValueError, KeyError, FileNotFoundError) as exc:
            raise click.ClickException(f"cannot project: {exc}") from None
        click.echo(projection.markdown(result), nl=False)
        return
    target = cluster.default_cluster(port, datadir)
    command = ["attrib", "bench", "--days", str(days), "--seed", str(seed)]
    command += ["--scales", ",".join(map(str, scales))] if scales else ["--events", str(events)]
    command += ["--increments", str(increments), "--workers", ",".join(map(str, workers))]
    command += ["--profile"] if profile else []
    result = bench.run(target, events=events, days=days, seed=seed, scales=scales, keep=keep,
                       profile=profile, increments=increments, workers=workers, say=err, command=command,
                       optional_sources=optional_sources)
    console = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 120)
    bench.print_tables(result, console)
    path = bench.write_json(result, output or bench.default_output())
    if keep:
        err("kept: " + ", ".join(target.dsn_for(s.database) for s in result.scales))
    err(f"wrote {path}")
