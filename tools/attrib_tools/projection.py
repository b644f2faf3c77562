"""Project measured benchmark figures to a size this machine cannot run.

Reads the JSON `attrib bench` writes (bench/results/*.json) or, without
files, the committed measurements (bench/measured-*.json, same shape), and
projects a first load of N events and a nightly one-day increment on a
number of cores. Standard library only, so bench/project.py runs it without
a database. Every assumption is a named constant or a parameter below and is
printed with the result; the projection table of docs/benchmarks.md is this module's
output.

The model, per stage (ingest, alias, sessionize, signup, attribute, maintain):

* first load: t(N) = a * N**b, fitted by least squares on log t against
  log N over the measured sizes (1 M, 5 M, 10 M). The fit is extrapolated 80x
  beyond the largest measurement, so the linear bound t(N_max) * N / N_max
  is printed beside it: superlinear growth in the measurements comes from
  sorts (n log n) and from data outgrowing shared_buffers and the page cache;
  at 800 M nothing fits in memory either way, so the truth is expected
  between the two.
* increment: the measured per-stage increment at the largest size, times
  (events per day / measured events per day) (linear in the day's volume,
  which overstates fixed costs), times (N / N_max)**g, where g is fitted the
  same way from the measured increments' totals (how an increment grows with
  the history kept).
* cores: t(c) = t_measured * ((1 - p) + p / s(c)), Amdahl's law, where p is
  the share of the stage's time that can use more cores and s(c) the speedup
  of that share. Two deployments:
  - one PostgreSQL 15 server with parallel query (PARALLEL_PG15 below): the
    parallel share already ran on the measured 2 cores (max_parallel_workers_
    per_gather = 2), so s(c) = c / 2;
  - attrib's per-person work split by alias_id into one shard per core (Citus
    on the same cores, docs/scale-out.md; designed, not measured here), with
    SHARDED as p: the measured run used one backend, so s(c) = c * SHARD_EFFICIENCY.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable

STAGES = ("ingest", "alias", "sessionize", "signup", "attribute", "maintain")

# Share of each stage's time that PostgreSQL 15's parallel query can spread
# over more cores, read from the statements in procedures/:
#  - INSERT ... SELECT, UPDATE and DELETE never use a parallel plan in PG 15
#    (parallel INSERT ... SELECT was committed for 14 and reverted); nearly all
#    of ingest, alias, signup and attribute (with the publish) is such
#    statements, or CREATE TEMP TABLE AS over temp tables, whose scans are
#    parallel restricted (leader only).
#  - sessionize's CREATE TEMP TABLE AS over the events can scan and sort in
#    parallel workers (CREATE TABLE AS may use a parallel plan), but the
#    WindowAgg above the Gather Merge runs in the leader, and the INSERTs into
#    the stage tables that follow are serial: about a third of the stage.
#  - maintain is pg_partman and one ANALYZE after another: serial.
PARALLEL_PG15 = {"ingest": 0.0, "alias": 0.0, "sessionize": 0.3, "signup": 0.0, "attribute": 0.0,
                 "maintain": 0.0}

# Share of each stage's time that runs shard by shard when the per-person
# tables are distributed by alias_id (docs/scale-out.md). The per-person
# stages are co-located INSERT ... SELECTs pushed down to every shard; what
# stays on the coordinator: ingest's cleaning pass over the source tables
# and its dedupe by message id (temp tables), the owner map (a reference
# table: every write goes to every node), the publish's bookkeeping,
# pg_partman's partition DDL.
SHARDED = {"ingest": 0.3, "alias": 0.5, "sessionize": 0.95, "signup": 0.95, "attribute": 0.9,
           "maintain": 0.5}
# One shard per core does not give one core's speed per shard: shared disk
# and memory bandwidth, the coordinator, 2PC. Assumed, not measured.
SHARD_EFFICIENCY = 0.6

DEFAULT_EVENTS = 800_000_000
DEFAULT_YEARS = 3.0
DEFAULT_CORES = (2, 16)
BASELINE_HOURS = 4.0          # the replaced system: 4 hours a night for 800 M events, 600 K users


@dataclass
class Measured:
    """One history size: per-stage seconds of the full run and of the median increment."""

    events: int
    events_per_day: float
    full: dict[str, float]
    full_seconds: float
    increment_seconds: float | None
    increment: dict[str, float] | None    # per stage, when the source has them
    reference_seconds: float | None


@dataclass
class Fit:
    a: float   # log coefficient
    b: float   # exponent

    def at(self, n: float) -> float:
        return math.exp(self.a) * n ** self.b


def fit_power_law(points: Iterable[tuple[float, float]]) -> Fit:
    """Least squares of log y on log x; at least two distinct x."""
    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y > 0]
    if len({x for x, _ in pts}) < 2:
        raise ValueError("a power law needs measurements at two or more sizes")
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    b = sum((x - mx) * (y - my) for x, y in pts) / sum((x - mx) ** 2 for x, _ in pts)
    return Fit(my - b * mx, b)


def default_inputs(root: Path) -> list[Path]:
    """The newest committed measurement file, bench/measured-*.json."""
    found = sorted((root / "bench").glob("measured-*.json"))
    if not found:
        raise FileNotFoundError(f"no bench/measured-*.json under {root}")
    return [found[-1]]


def load(paths: Iterable[Path]) -> tuple[list[Measured], dict[str, Any]]:
    """Every run of every file, one per size (a later file wins); and the last file's disk figures."""
    by_size: dict[int, Measured] = {}
    disk: dict[str, Any] = {}
    for path in paths:
        doc = json.loads(Path(path).read_text())
        for run in doc.get("runs", []):
            stages = {s: float(v["seconds"]) for s, v in run["full"]["stages"].items()}
            inc = run.get("increment") or {}
            inc_stages = {s: float(v["seconds"]) for s, v in (inc.get("stages") or {}).items()} or None
            by_size[int(run["events"])] = Measured(
                events=int(run["events"]),
                events_per_day=float(run.get("events_per_day") or run["events"] / run["days"]),
                full=stages, full_seconds=float(run["full"]["seconds"]),
                increment_seconds=float(inc["seconds"]) if "seconds" in inc else None,
                increment=inc_stages,
                reference_seconds=float(run["reference"]["seconds"]) if run.get("reference") else None)
        disk = doc.get("disk") or disk
    return [by_size[k] for k in sorted(by_size)], disk


def speedup_time(seconds: float, p: float, speedup: float) -> float:
    return seconds * ((1 - p) + p / max(speedup, 1.0))


def project(measured: list[Measured], *, events: int = DEFAULT_EVENTS, years: float = DEFAULT_YEARS,
            cores: Iterable[int] = DEFAULT_CORES, disk: dict[str, Any] | None = None) -> dict[str, Any]:
    """The projection as a JSON-ready dict (see the module docstring for the model)."""
    if len(measured) < 2:
        raise ValueError("need measurements at two or more history sizes (attrib bench --scales 1M,5M,10M)")
    cores = list(cores)
    largest = measured[-1]
    per_day = events / (years * 365.25)
    fits = {s: fit_power_law((m.events, m.full[s]) for m in measured if s in m.full) for s in STAGES}

    with_inc = [m for m in measured if m.increment_seconds]
    growth = fit_power_law((m.events, m.increment_seconds) for m in with_inc).b if len(with_inc) >= 2 else 0.0
    inc_source = next((m for m in reversed(measured) if m.increment), None)
    if inc_source is None:
        raise ValueError("need per-stage increment seconds at one size at least")
    day_factor = per_day / inc_source.events_per_day
    history_factor = (events / inc_source.events) ** growth

    def variants(seconds: float, stage: str) -> dict[str, dict[str, float]]:
        return {str(c): {"parallel_query": speedup_time(seconds, PARALLEL_PG15[stage], c / 2),
                         "sharded": speedup_time(seconds, SHARDED[stage], c * SHARD_EFFICIENCY)}
                for c in cores}

    stages = []
    for s in STAGES:
        fitted = fits[s].at(events)
        linear = largest.full[s] * events / largest.events
        inc = inc_source.increment[s] * day_factor * history_factor
        stages.append({
            "stage": s, "exponent": fits[s].b, "measured_seconds": largest.full[s],
            "full_fitted_seconds": fitted, "full_linear_seconds": linear,
            "full_fitted": variants(fitted, s), "full_linear": variants(linear, s),
            "increment_measured_seconds": inc_source.increment[s], "increment_seconds": inc,
            "increment": variants(inc, s),
            "parallel_query_share": PARALLEL_PG15[s], "sharded_share": SHARDED[s]})

    def total(key: str, c: int | None = None, mode: str | None = None) -> float:
        if c is None:
            return sum(x[key + "_seconds"] for x in stages)
        return sum(x[key][str(c)][mode] for x in stages)

    totals = {key: {str(c): {mode: total(key, c, mode) for mode in ("parallel_query", "sharded")}
                    for c in cores}
              for key in ("full_fitted", "full_linear", "increment")}
    out: dict[str, Any] = {
        "events": events, "years": years, "events_per_day": per_day, "cores": cores,
        "measured_sizes": [m.events for m in measured],
        "measured_events_per_day": inc_source.events_per_day,
        "increment_history_exponent": growth, "increment_day_factor": day_factor,
        "increment_history_factor": history_factor,
        "stages": stages, "totals": totals,
        "totals_one_backend": {"full_fitted": total("full_fitted"), "full_linear": total("full_linear"),
                               "increment": total("increment")},
        "baseline_hours": BASELINE_HOURS,
        "assumptions": {"parallel_query_share": PARALLEL_PG15, "sharded_share": SHARDED,
                        "shard_efficiency": SHARD_EFFICIENCY,
                        "parallel_query_speedup": "c / 2 (the measured 2 cores already ran the parallel share)",
                        "sharded_speedup": "c * shard_efficiency (the measured run used one backend)"},
    }
    if disk and disk.get("bytes_per_event"):
        b = disk["bytes_per_event"]
        tables = sum(b[k] for k in ("events", "message_index", "alias_months", "sessions_outputs",
                                    "aliasing_attrib_stages"))
        ingest_temp = b["ingest_temp_per_copy"] * disk.get("ingest_temp_copies", 1)
        out["disk"] = {
            "bytes_per_event": b, "measured_at_events": disk.get("events"),
            "tables_bytes": tables * events, "source_bytes": b["segment_source"] * events,
            "first_load_temp_bytes": max(ingest_temp, b["sessionize_temp"]) * events,
            "increment_temp_bytes": max(ingest_temp, b["sessionize_temp"] * disk.get(
                "sessionize_reread_per_new_event", 1.0)) * per_day,
            "sessionize_reread_per_new_event": disk.get("sessionize_reread_per_new_event")}
    return out


# -- text ------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.1f} s"
    if seconds < 3 * 3600:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def size(n: float) -> str:
    for unit, scale in (("TB", 1e12), ("GB", 1e9), ("MB", 1e6)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}" if n < 10 * scale else f"{n / scale:.0f} {unit}"
    return f"{n:.0f} B"


def count(n: float) -> str:
    return f"{n / 1e6:g} M" if n >= 1e6 else f"{n / 1e3:g} K"


def markdown(p: dict[str, Any]) -> str:
    """The projection as Markdown tables (what docs/benchmarks.md shows)."""
    cores = p["cores"]
    lines = [f"Projection of {count(p['events'])} events over {p['years']:g} years "
             f"({p['events_per_day']:,.0f} events a day), from measurements at "
             + ", ".join(count(n) for n in p["measured_sizes"]) + " events.", ""]
    head = "| | " + " | ".join(
        [f"{c} cores, one PostgreSQL" for c in cores] + [f"{c} cores, {c} shards by alias_id" for c in cores if c > 2]
    ) + " |"
    lines += [head, "|---" * (head.count("|") - 1) + "|"]

    def row(label: str, key: str) -> str:
        cells = [duration(p["totals"][key][str(c)]["parallel_query"]) for c in cores]
        cells += [duration(p["totals"][key][str(c)]["sharded"]) for c in cores if c > 2]
        return f"| {label} | " + " | ".join(cells) + " |"

    lines.append(row("first load, fitted power law per stage", "full_fitted"))
    lines.append(row(f"first load, linear from {count(p['measured_sizes'][-1])} (lower bound)", "full_linear"))
    lines.append(row("nightly one-day increment", "increment"))
    lines.append(f"| replaced system, every night | {p['baseline_hours']:g} h |"
                 + " |" * (head.count("|") - 3))
    largest = count(p["measured_sizes"][-1])
    lines += ["", f"| stage | exponent b (t ~ N^b) | {largest} measured | first load, fitted | first load, linear "
              f"| increment measured ({largest}) | increment projected | parallel-query share | sharded share |",
              "|---|---|---|---|---|---|---|---|---|"]
    for s in p["stages"]:
        lines.append(f"| {s['stage']} | {s['exponent']:.2f} | {duration(s['measured_seconds'])} "
                     f"| {duration(s['full_fitted_seconds'])} | {duration(s['full_linear_seconds'])} "
                     f"| {s['increment_measured_seconds']:.2f} s | {duration(s['increment_seconds'])} "
                     f"| {s['parallel_query_share']:g} | {s['sharded_share']:g} |")
    lines += ["", f"Increment: measured per stage at {count(p['measured_sizes'][-1])} events "
              f"({p['measured_events_per_day']:,.0f} events a day), times {p['increment_day_factor']:.0f} "
              f"for the day's volume, times {p['increment_history_factor']:.2f} for the history "
              f"(increments grew as N^{p['increment_history_exponent']:.2f} from "
              f"{count(p['measured_sizes'][0])} to {count(p['measured_sizes'][-1])})."]
    if "disk" in p:
        d = p["disk"]
        lines += ["", "| disk (bytes per event measured at "
                  f"{d['measured_at_events']:,} events) | {count(p['events'])} events |", "|---|---|",
                  f"| attrib's tables and indexes ({sum(d['bytes_per_event'][k] for k in ('events', 'message_index', 'alias_months', 'sessions_outputs', 'aliasing_attrib_stages'))} B/event) | {size(d['tables_bytes'])} |",
                  f"| the Segment source tables themselves ({d['bytes_per_event']['segment_source']} B/event) | {size(d['source_bytes'])} |",
                  f"| temp tables of a one-run first load (peak, one stage) | {size(d['first_load_temp_bytes'])} |",
                  f"| temp tables of a nightly increment | {size(d['increment_temp_bytes'])} |"]
    return "\n".join(lines) + "\n"
