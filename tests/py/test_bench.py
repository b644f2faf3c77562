"""`attrib bench` works end to end on a tiny data set (a smoke test: no assertions on speed)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import psycopg
from click.testing import CliRunner
from psycopg.conninfo import conninfo_to_dict

from segment import STAGES
from attrib import bench
from attrib.cli import main
from conftest import SERVER, server_dsn


def test_bench_smoke_writes_json_and_drops_its_database(tmp_path: Path) -> None:
    port = conninfo_to_dict(SERVER).get("port") or "5432"
    result = CliRunner().invoke(main, ["bench", "--port", str(port), "--events", "20000", "--days", "30",
                                       "--increments", "2", "--output", str(tmp_path)])
    assert result.exit_code == 0, result.output

    [path] = tmp_path.glob("*-*.json")
    report = json.loads(path.read_text())
    assert {"machine", "postgres", "runs", "targets", "peak_rss_mb"} <= report.keys()
    assert report["machine"]["cores"] > 0 and report["machine"]["memory_bytes"] > 0
    assert {"shared_buffers", "work_mem", "max_parallel_workers_per_gather", "fsync",
            "synchronous_commit"} <= report["postgres"].keys()
    assert report["peak_rss_mb"] > 0

    [run] = report["runs"]
    assert run["events"] > 15_000 and run["increment"]["events"] > 0
    assert run["reference"]["seconds"] > 0 and run["reference"]["rows"] == run["events"]
    for phase in ("full", "increment"):
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

    with psycopg.connect(server_dsn("postgres")) as conn:
        left = conn.execute("SELECT datname FROM pg_database WHERE datname = %s", (run["database"],)).fetchall()
    assert left == [], "the benchmark database is dropped unless --keep"
    assert str(os.getpid()) in run["database"]


# The sha256 of reference_statement('00:30:00') as rendered on 2026-12-03 (commit 145b2bf).
REFERENCE_SHA256 = "a7180bfde99b5c467111f6b97930d58fa3335b6473148d5d668e8a306df814b3"


def test_the_reference_statement_is_frozen() -> None:
    """The reference statement is the denominator of every ratio the bench reports.

    If its text drifted, full / reference would change without the pipeline
    changing, and figures of different commits would stop being comparable.
    A deliberate change needs a new constant here and says so in the README.
    """
    with psycopg.connect(server_dsn("postgres")) as conn:
        rendered = bench.reference_statement("00:30:00").as_string(conn)
    assert hashlib.sha256(rendered.encode()).hexdigest() == REFERENCE_SHA256, rendered
