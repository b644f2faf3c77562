"""`attrib bench` works end to end on a tiny data set (a smoke test: no assertions on speed)."""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import psycopg
import pytest
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict
from rich.console import Console

from segment import STAGES
from attrib_tools import bench, hostile, projection
from attrib.cli import main
from attrib_tools.demo_data import generate
from conftest import SERVER, server_dsn
from test_incremental_equals_full import snapshot


def test_bench_smoke_writes_json_and_drops_its_database(tmp_path: Path) -> None:
    port = conninfo_to_dict(SERVER).get("port") or "5432"
    result = CliRunner().invoke(main, ["bench", "--port", str(port), "--events", "20000", "--days", "30",
                                       "--increments", "2", "--workers", "0,2", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output

    [path] = tmp_path.glob("*-*.json")
    report = json.loads(path.read_text())
    assert {"machine", "postgres", "runs", "targets", "peak_rss_mb"} <= report.keys()
    assert report["machine"]["cores"] > 0 and report["machine"]["memory_bytes"] > 0
    assert {"shared_buffers", "work_mem", "max_parallel_workers_per_gather", "fsync",
            "synchronous_commit"} <= report["postgres"].keys()
    assert report["peak_rss_mb"] > 0
    assert report["workers"] == [2, 0], "the targets' value first, on the fresh database"
    assert report["command"][-2:] == ["--workers", "2,0"]

    [run] = report["runs"]
    assert run["events"] > 15_000 and run["increment"]["events"] > 0
    assert run["reference"]["seconds"] > 0 and run["reference"]["rows"] == run["events"]
    for phase in ("full", "increment", "reclassify"):
        assert list(run[phase]["stages"]) == list(STAGES)
        assert all(stage["seconds"] > 0 for stage in run[phase]["stages"].values())
        assert run[phase]["seconds"] > 0
    assert run["full"]["stages"]["ingest"]["rows_written"] > 0
    days = run["increments"]
    assert len(days) == 2 and all(day["events"] > 0 and day["seconds"] > 0 for day in days)
    assert run["increment"]["seconds"] == min(day["seconds"] for day in days), "median of two: the lower"
    assert run["full"]["events_per_second"] > 0
    assert run["ratios"]["full_over_reference"] > 0 and run["ratios"]["increment_over_full"] > 0
    assert {t["status"] for t in report["targets"]} <= {"PASS", "MISS"}
    assert "full / reference" in result.output and "incremental / full" in result.output

    assert run["max_parallel_workers_per_gather"] == 2
    first, second = run["parallel"]
    assert (first["max_parallel_workers_per_gather"], first["after_reset"]) == (2, False)
    assert (second["max_parallel_workers_per_gather"], second["after_reset"]) == (0, True)
    assert first["full"] == {k: v for k, v in run["full"].items() if k != "events_per_second"}
    assert first["reference"] == run["reference"]
    assert second["reference"]["rows"] == run["events"], "the reference reads the same rows at 0 workers"
    assert list(second["full"]["stages"]) == list(STAGES)
    assert second["full"]["stages"]["ingest"]["rows_written"] == run["full"]["stages"]["ingest"]["rows_written"], \
        "after attrib.reset() the repeated full run ingests everything again"
    assert run["ratios"]["full_over_reference_by_workers"] == {
        "2": first["full_over_reference"], "0": second["full_over_reference"]}
    assert run["parallel_overridden_by"] == [] or all("(" in f for f in run["parallel_overridden_by"])
    assert "workers 0: full / reference" in result.output

    reclassify = run["reclassify"]
    assert reclassify["new_source_rows"] == 0, "reclassifying reads no new source row"
    assert reclassify["stages"]["ingest"]["rows_written"] == 0
    assert reclassify["aliases_recomputed"] > 0, "every alias is recomputed"
    assert reclassify["events"] == run["events"] + sum(day["events"] for day in days) + run["hostile"]["events"]
    assert reclassify["source_class"] == {"name": bench.RECLASSIFY_SOURCE[0], "class": bench.RECLASSIFY_SOURCE[1]}
    assert run["ratios"]["reclassify_over_full"] == reclassify["seconds"] / run["full"]["seconds"]
    assert "reclassify / full" in result.output
    assert run["peak_rss_mb"] >= run["full"]["peak_rss_mb"]

    hostile_run = run["hostile"]
    assert list(hostile_run["stages"]) == list(STAGES)
    assert hostile_run["rows"] == [r.to_dict() for r in hostile.rows()]
    assert hostile_run["events"] == hostile_run["sessions"] == len(hostile.rows()), "each hostile row is one session"
    assert run["ratios"]["hostile_over_increment"] == hostile_run["seconds"] / run["increment"]["seconds"]
    assert "hostile rows run" in result.output and "hostile / incremental (median)" in result.output

    names = [t["name"] for t in report["targets"]]
    assert names == ["full / reference @ 20 K", "increment / full @ 20 K", "reclassify / full @ 20 K"]
    assert all({"must_reach", "goal", "goal_reached"} <= t.keys() for t in report["targets"])

    [measured], _disk = projection.load([path])
    assert measured.full_seconds == run["full"]["seconds"], "--project reads the new JSON as before"

    with psycopg.connect(server_dsn("postgres")) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = %s", (run["database"],)).fetchall()
    assert left == [], "the benchmark database is dropped unless --keep"
    assert str(os.getpid()) in run["database"]


# The sha256 of reference_statement('00:30:00') as rendered on 2026-12-03 (commit 145b2bf).
REFERENCE_SHA256 = "a7180bfde99b5c467111f6b97930d58fa3335b6473148d5d668e8a306df814b3"


def test_bench_optional_sources_times_days_with_all_four_sources_set(tmp_path: Path) -> None:
    port = conninfo_to_dict(SERVER).get("port") or "5432"
    result = CliRunner().invoke(main, ["bench", "--port", str(port), "--events", "20000", "--days", "30",
                                       "--increments", "2", "--workers", "0", "--optional-sources",
                                       "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output
    [path] = tmp_path.glob("*-*.json")
    report = json.loads(path.read_text())
    [run] = report["runs"]
    optional = run["optional_sources"]
    assert len(optional["increments"]) == 2 and all(d["events"] > 0 for d in optional["increments"])
    assert run["ratios"]["optional_sources_over_increment"] == optional["increment"]["seconds"] / \
        run["increment"]["seconds"]
    [target] = [t for t in report["targets"] if t["name"].startswith("day with all optional sources")]
    assert target["must_reach"] == "<= 1.5x" and target["status"] in ("PASS", "MISS")
    assert "day with optional sources" in result.output
    # the days really read the sources: the reports they feed have rows
    assert "optional sources set: billing.revenue" in result.output


def test_the_reference_statement_is_frozen() -> None:
    """The reference statement is the denominator of every ratio the bench reports.

    If its text drifted, full / reference would change without the pipeline
    changing, and figures of different commits would stop being comparable.
    A deliberate change needs a new constant here and says so in docs/benchmarks.md.
    """
    with psycopg.connect(server_dsn("postgres")) as conn:
        rendered = bench.reference_statement("00:30:00").as_string(conn)
    assert hashlib.sha256(rendered.encode()).hexdigest() == REFERENCE_SHA256, rendered


# -- pure functions over constructed results ------------------------------------------


def phase(seconds: float, peak: float | None = 75.0, ingested: int = 0) -> bench.Phase:
    """A run of `seconds`, all of them in its first stage (exact sums); the ingest took in `ingested` new rows."""
    return bench.Phase([bench.StageTiming(stage, seconds if stage == STAGES[0] else 0.0, 10,
                                          ingested if stage == "ingest" else 5, 0, 0)
                        for stage in STAGES], peak)


def scale(events: int, *, full: float = 100.0, reference: float = 20.0, increment: float = 0.5,
          reclassify: float | None = 30.0, peak: float | None = 75.0, ingested: int = 0,
          workers0: tuple[float, float] | None = None, hostile_run: float | None = 0.75) -> bench.ScaleResult:
    parallel = [bench.ParallelRun(2, reference, events, phase(full, peak), after_reset=False)]
    if workers0:
        parallel.append(bench.ParallelRun(0, workers0[0], events, phase(workers0[1], peak), after_reset=True))
    recl = bench.Reclassify(phase(reclassify, peak, ingested), bench.RECLASSIFY_SOURCE, events + 2_000) \
        if reclassify is not None else None
    return bench.ScaleResult(
        database="x", events=events, identifies=events // 10, days=365, seed=42, generate_seconds=1.0,
        settle_seconds=1.0, parallel=parallel, increments=[bench.Increment(1_000, 10, 0.1, phase(increment, peak))],
        kept=False, reclassify=recl,
        hostile=bench.Hostile(phase(hostile_run, peak), hostile.rows()) if hostile_run is not None else None)


def by_name(targets: list[bench.Target]) -> dict[str, bench.Target]:
    return {t.name: t for t in targets}


def test_order_workers_puts_the_targets_value_first() -> None:
    assert bench.order_workers([0, 2]) == [2, 0]
    assert bench.order_workers([2, 0, 2]) == [2, 0]
    assert bench.order_workers([0]) == [0], "without 2 the first value listed is the targets' one"
    assert bench.order_workers([4, 0]) == [4, 0]
    for wrong in ([], [-1], [2, -1]):
        with pytest.raises(ValueError):
            bench.order_workers(wrong)


def test_bad_workers_are_a_usage_error() -> None:
    for wrong in ("x", "-1", ",", "1.5"):
        result = CliRunner().invoke(main, ["bench", "--workers", wrong])
        assert result.exit_code == 2, (wrong, result.output)
        assert "--workers" in result.output


def test_full_over_reference_passes_at_10x_and_reaches_the_goal_at_3x() -> None:
    targets = by_name(bench.evaluate_targets([scale(1_000_000, full=100.0, reference=10.0)]))
    full = targets["full / reference @ 1 M"]
    assert (full.value, full.status, full.goal_reached) == (10.0, "PASS", False)
    assert full.to_dict() | {"value": 0} == {"name": "full / reference @ 1 M", "goal": "<= 3x", "must_reach": "<= 10x",
                                             "value": 0, "status": "PASS", "goal_reached": False,
                                             "note": "workers 2"}
    assert by_name(bench.evaluate_targets([scale(1_000_000, full=100.1, reference=10.0)]))[
        "full / reference @ 1 M"].status == "MISS"
    assert by_name(bench.evaluate_targets([scale(1_000_000, full=30.0, reference=10.0)]))[
        "full / reference @ 1 M"].goal_reached


def test_full_over_reference_uses_workers_2_and_shows_the_others() -> None:
    [full] = [t for t in bench.evaluate_targets([scale(1_000_000, full=50.0, reference=10.0,
                                                       workers0=(8.0, 120.0))]) if t.name.startswith("full")]
    assert full.value == 5.0, "the targets use max_parallel_workers_per_gather = 2"
    assert full.note == "workers 2 (workers 0: 15.00x)"


def test_increment_share_is_judged_at_1_percent_at_10m() -> None:
    targets = by_name(bench.evaluate_targets([scale(10_000_011, full=1000.0, increment=9.0)]))
    share = targets["increment / full @ 10 M"]
    assert (share.status, share.note, share.to_dict()["must_reach"]) == ("PASS", "", "<= 1%")
    off = by_name(bench.evaluate_targets([scale(1_000_000, full=100.0, increment=2.0)]))["increment / full @ 1 M"]
    assert (off.status, off.note) == ("MISS", "target is set at 10 M")


def test_increment_growth_must_stay_within_1_2x_and_aims_at_1x() -> None:
    small, large = scale(1_000_000, increment=0.50), scale(10_000_000, increment=0.55)
    growth = by_name(bench.evaluate_targets([small, large]))["increment growth 1 M -> 10 M"]
    assert growth.value == pytest.approx(1.1)
    assert (growth.status, growth.goal_reached, growth.note) == ("PASS", False, "history x10.0")
    worse = by_name(bench.evaluate_targets([small, scale(5_000_000, increment=0.65)]))
    assert worse["increment growth 1 M -> 5 M"].status == "MISS"
    assert worse["increment growth 1 M -> 5 M"].note == "history only x5.0 (target is for x10)"


def test_reclassify_is_judged_against_half_the_full_run_at_1m() -> None:
    targets = by_name(bench.evaluate_targets([scale(1_000_000, full=100.0, reclassify=40.0)]))
    recl = targets["reclassify / full @ 1 M"]
    assert (recl.value, recl.status, recl.goal_reached, recl.note) == (0.4, "PASS", False, "")
    assert (recl.bound.limit(recl.bound.must), recl.bound.limit(recl.bound.goal)) == ("<= 0.5", "<= 0.25")
    assert by_name(bench.evaluate_targets([scale(1_000_000, full=100.0, reclassify=20.0)]))[
        "reclassify / full @ 1 M"].goal_reached
    slow = by_name(bench.evaluate_targets([scale(5_000_000, full=100.0, reclassify=60.0, ingested=7)]))
    assert slow["reclassify / full @ 5 M"].status == "MISS"
    assert slow["reclassify / full @ 5 M"].note == ("target is set at 1 M; "
                                                    "ingested 7 new source rows: not a pure recompute")
    assert not [t for t in bench.evaluate_targets([scale(1_000_000, reclassify=None)]) if "reclassify" in t.name]


def test_peak_memory_must_stay_flat_across_scales() -> None:
    flat = by_name(bench.evaluate_targets([scale(1_000_000, peak=73.0), scale(10_000_000, peak=82.0)]))
    memory = flat["peak RSS 1 M -> 10 M"]
    assert memory.value == pytest.approx(82 / 73)
    assert (memory.status, memory.goal_reached, memory.note) == ("PASS", False, "73 -> 82 MB; largest / smallest")
    grown = by_name(bench.evaluate_targets([scale(1_000_000, peak=73.0), scale(10_000_000, peak=100.0)]))
    assert grown["peak RSS 1 M -> 10 M"].status == "MISS"
    unmeasured = [scale(1_000_000, peak=None), scale(10_000_000, peak=None)]
    assert not [t for t in bench.evaluate_targets(unmeasured) if t.name.startswith("peak")]


def test_one_scale_reports_no_growth_targets() -> None:
    names = [t.name for t in bench.evaluate_targets([scale(1_000_000)])]
    assert names == ["full / reference @ 1 M", "increment / full @ 1 M", "reclassify / full @ 1 M"]


def constructed(scales: list[bench.ScaleResult]) -> bench.BenchResult:
    now = datetime.now(timezone.utc)
    return bench.BenchResult(started_at=now, finished_at=now, scales=scales, postgres={"work_mem": "4MB"},
                             machine={"cores": 2, "memory_gb": 8}, peak_rss_mb=80.0)


def test_the_json_adds_fields_and_stays_readable_by_the_projection(tmp_path: Path) -> None:
    result = constructed([scale(1_000_000, workers0=(8.0, 120.0)), scale(10_000_000, full=1000.0)])
    path = bench.write_json(result, tmp_path)
    report = json.loads(path.read_text())
    run = report["runs"][0]
    # what older readers (bench/project.py, the README's figures) read is where it was
    assert {"reference", "full", "increment", "increments", "ratios"} <= run.keys()
    assert run["ratios"]["full_over_reference"] == 5.0 and run["full"]["seconds"] == 100.0
    assert {"name", "goal", "value", "status", "note"} <= report["targets"][0].keys()
    assert [p["max_parallel_workers_per_gather"] for p in run["parallel"]] == [2, 0]
    assert run["ratios"]["full_over_reference_by_workers"] == {"2": 5.0, "0": 15.0}
    assert run["reclassify"]["seconds"] == 30.0 and run["ratios"]["reclassify_over_full"] == 0.3
    assert run["hostile"]["seconds"] == 0.75 and run["ratios"]["hostile_over_increment"] == 1.5
    assert run["hostile"]["rows"][0] == {"value": "127 labels, 253 characters", "field": "referrer",
                                         "characters": 253, "labels": 127}
    assert report["memory"]["largest_over_smallest"] == 1.0
    measured, _disk = projection.load([path])
    assert [m.full_seconds for m in measured] == [100.0, 1000.0]


def test_the_tables_show_both_workers_values_and_the_reclassify_run() -> None:
    console = Console(record=True, width=200)
    bench.print_tables(constructed([scale(1_000_000, workers0=(8.0, 120.0))]), console)
    text = console.export_text()
    for shown in ("workers 0: full / reference", "15.00x", "reclassify everything", "reclassify / full",
                  "new source rows (must be 0)", "must reach", "goal met", "<= 10x", "<= 0.25",
                  "hostile rows run", "hostile / incremental (median)", "1.50x"):
        assert shown in text, shown


# -- the reclassify run on a small database ---------------------------------------------


def test_reclassify_recomputes_everyone_changes_nothing_and_leaves_nothing_pending(
        conn: psycopg.Connection) -> None:
    generate(conn, schema=bench.SCHEMA, events=3_000, days=10, seed=7)
    bench.time_stages(conn, lambda _: None, "full")
    before = snapshot(conn)
    fingerprint = bench.outputs_fingerprint(conn)

    result = bench.time_reclassify(conn, lambda _: None, events=3_000, profile=False, restore=True)

    assert [s.stage for s in result.phase.stages] == list(STAGES)
    assert result.new_source_rows == 0
    assert result.aliases_recomputed == conn.execute(
        "SELECT count(DISTINCT alias_id) FROM partitioning.alias_months").fetchone()[0] > 0
    assert snapshot(conn) == before, "a class no event matches changes no output"
    assert bench.outputs_fingerprint(conn) == fingerprint
    assert conn.execute("SELECT count(*) FROM attrib.source_classes WHERE name = %s",
                        (bench.RECLASSIFY_SOURCE[0],)).fetchone()[0] == 0
    after = bench.time_stages(conn, lambda _: None, "next")
    assert [s.rows_written for s in after.stages if s.stage == "alias"] == [0], "no recompute left pending"


# -- the hostile rows on a small database ---------------------------------------------


def test_the_hostile_values_are_the_costliest_spec_5_still_reads_and_32_kb() -> None:
    values = dict(hostile.VALUES)
    longest = values["127 labels, 253 characters"]
    assert (len(longest), longest.count(".") + 1) == (253, 127), "the most labels 253 characters hold"
    assert len(values["32 KB of names"]) > 32_000


def test_the_hostile_run_takes_in_each_hostile_row_as_a_session(conn: psycopg.Connection) -> None:
    generate(conn, schema=bench.SCHEMA, events=3_000, days=10, seed=7)
    bench.time_stages(conn, lambda _: None, "full")

    result, _settled = bench.time_hostile(conn, lambda _: None, profile=False)

    assert [s.stage for s in result.phase.stages] == list(STAGES)
    assert result.events == result.sessions == len(hostile.rows())
    sources = dict(conn.execute(
        "SELECT s.referrer, s.source FROM sessions.all_sessions s "
        "WHERE s.alias_id LIKE 'attrib-bench-hostile-%' AND s.referrer IS NOT NULL").fetchall())
    values = dict(hostile.VALUES)
    assert sources == {f"https://{values['127 labels, 253 characters']}/": values["127 labels, 253 characters"],
                       f"https://{values['32 KB of names']}/": "(direct)"}, \
        "a 253-character host is a host, a 32 KB one none (definitions §5)"
