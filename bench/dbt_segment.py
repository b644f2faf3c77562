#!/usr/bin/env python3
"""Time the dbt `segment` package's full refresh against attrib's full run on the same generated data.

    make bench-dbt DBT_SEGMENT_DIR=/path/to/segment DBT_UTILS_DIR=/path/to/dbt-utils [EVENTS=1000000 DAYS=365]

A recipe, not a test: nothing in `make test` or CI runs it (it needs dbt and
two package checkouts). Environment (or the matching --options):

- DBT_SEGMENT_DIR: a local checkout of the archived dbt-labs/segment package;
- DBT_UTILS_DIR:   a local checkout of dbt-labs/dbt-utils at a 1.x tag (the
  segment package asks for dbt_utils >= 1.0.0, < 2.0.0);
- EVENTS (1000000), DAYS (365), SEED (42): the data, as `attrib bench` makes it;
- ATTRIB_PGPORT (55432): the running local cluster (`make db`);
- KEEP=1 keeps the database and the dbt project directory (their paths are printed).

What it does, one step after the other on the one cluster (never both sides at once):

1. creates dbt's own virtualenv `.venv-dbt/` (git-ignored) with dbt-core and
   dbt-postgres from PyPI at the versions pinned below, unless it is there;
2. creates a fresh database `attrib_bench_dbt_<events>_<pid>`, deploys
   attrib and generates the Segment source tables (`segment.pages`,
   `tracks`, `identifies`) with `attrib bench`'s generator, seed and settle;
3. writes a dbt project in a temporary directory. The segment package is
   copied there (its .git and integration tests left out) and the copy's
   packages.yml, which names dbt_utils on dbt's package hub (not reachable
   here), is rewritten to `local: $DBT_UTILS_DIR`; nothing of either
   package enters this repository. The project points the package's
   `segment_page_views_table` var at a view `dbt_segment_src.pages` that only
   maps our generated columns to the ones the package selects (see
   MAPPING_VIEW); every other var keeps the package's default (30-minute
   inactivity cutoff). `dbt deps`, `dbt seed` (the package's referrer
   mapping) and `dbt parse` run untimed;
4. settles (VACUUM (ANALYZE), CHECKPOINT; untimed) and times attrib's full
   run stage by stage, exactly as `attrib bench` does (bench.time_stages);
5. settles again and times the wall clock of `dbt run --full-refresh`
   (dbt's start-up and parse included; dbt's own per-model times from
   target/run_results.json are kept beside it);
6. writes bench/results/<UTC time>-dbt-segment-<events>.json (git-ignored)
   and drops the database unless KEEP=1.

Both sides run with max_parallel_workers_per_gather = 2 (WORKERS) and dbt
with 2 threads (DBT_THREADS), the machine's cores. They do not compute the
same thing: the package sessionizes page views only (and maps anonymous ids
to the latest user_id seen on pages); attrib validates, deduplicates and
sessionizes pages and tracks, stitches identities through identifies,
classifies touches and attributes signups. The JSON says so in `notes`.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent

# dbt-core 1.12 needs dbt-core-experimental-parser, whose build downloads a
# prebuilt wheel from outside PyPI: it does not install here. 1.11 is the
# newest line that does; dbt-postgres 1.11.0 is the newest adapter.
DBT_CORE = os.environ.get("DBT_CORE_VERSION", "1.11.16")
DBT_POSTGRES = os.environ.get("DBT_POSTGRES_VERSION", "1.11.0")
DBT_SCHEMA = "dbt_segment"          # where dbt builds the package's models
MAP_SCHEMA = "dbt_segment_src"      # the mapping view the package reads
SOURCE_SCHEMA = "segment"           # where `attrib bench`'s generator writes (bench.SCHEMA)

# The package's base model selects these columns from its pages table
# (models/base/segment_web_page_views.sql). Our pages carry all of them but
# `search` and `context_ip`; `url`/`referrer` fall back to context_page_* the
# way attrib reads them (docs/definitions.md §1). A view, not a change to the
# generated tables: both sides read the very same rows.
MAPPING_VIEW = f"""
CREATE SCHEMA {MAP_SCHEMA};
CREATE VIEW {MAP_SCHEMA}.pages AS
SELECT p.id, p.anonymous_id, p.user_id, p.received_at, p.sent_at, p."timestamp",
       coalesce(nullif(p.url, ''), p.context_page_url) AS url,
       p.path, p.title,
       substring(coalesce(nullif(p.url, ''), p.context_page_url) FROM '\\?[^#]*') AS search,
       coalesce(nullif(p.referrer, ''), p.context_page_referrer) AS referrer,
       p.context_campaign_source, p.context_campaign_medium, p.context_campaign_name,
       p.context_campaign_term, p.context_campaign_content,
       NULL::text AS context_ip,
       p.context_user_agent
  FROM {SOURCE_SCHEMA}.pages p
"""

NOTES = [
    "Same cluster, same database, same generated rows (attrib bench's generator and seed), one side after "
    "the other: attrib's full run first, then dbt run --full-refresh; an untimed VACUUM (ANALYZE) and "
    "CHECKPOINT before each.",
    "dbt seconds are the wall clock of the dbt process (start-up, parse, 6 models); dbt_elapsed_seconds is "
    "dbt's own run_results.json elapsed_time (the models only). dbt deps, dbt seed (referrer_mapping) and "
    "dbt parse ran before, untimed. attrib's seconds are its full run timed in-process stage by stage as "
    "attrib bench times it (run_begin, each stage, run_end), without a process start. faster_than_dbt "
    "judges attrib_over_dbt (the wall clock); attrib_over_dbt_elapsed is shown beside it.",
    "The segment package sessionizes pages only: dedup by id, 30-minute inactivity sessions per anonymous_id, "
    "session first/last values, referrer mapping, and anonymous_id -> last user_id seen on pages.",
    "attrib's full run computes more: it reads pages AND tracks (and identifies), validates and rejects rows "
    "(bots, bad timestamps, ...), deduplicates across pages and tracks, stitches identities through "
    "identifies, sessionizes pages and tracks, classifies touches into channels, and attributes signups "
    "(first/last/multi-touch); see docs/definitions.md.",
    f"The package reads the view {MAP_SCHEMA}.pages over segment.pages: url/referrer fall back to "
    "context_page_url/context_page_referrer as attrib does, search is the url's query string, context_ip "
    "is NULL (the generator has no IP).",
    "The segment package's packages.yml names dbt_utils on dbt's hub; the recipe copies the package to a "
    "temporary directory and rewrites the copy's packages.yml to the local dbt-utils checkout.",
]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def fail(message: str) -> NoReturn:
    say(f"error: {message}")
    sys.exit(2)


USAGE = """set DBT_SEGMENT_DIR and DBT_UTILS_DIR to local checkouts of the two dbt packages, e.g.

    git clone <the archived dbt-labs/segment repository> /work/dbt-pkgs/segment
    git clone --branch 1.4.1 <the dbt-labs/dbt-utils repository> /work/dbt-pkgs/dbt-utils
    make bench-dbt DBT_SEGMENT_DIR=/work/dbt-pkgs/segment DBT_UTILS_DIR=/work/dbt-pkgs/dbt-utils

(or export them; keep the checkouts outside this repository)"""


def package_dir(value: str | None, var: str, name: str) -> Path:
    """The checkout `var` names, checked to be dbt package `name`."""
    if not value:
        fail(f"{var} is not set.\n{USAGE}")
    path = Path(value).expanduser().resolve()
    project = path / "dbt_project.yml"
    if not project.is_file():
        fail(f"{var}={value}: no dbt_project.yml there; it must be a checkout of the dbt package {name!r}.\n{USAGE}")
    declared = next((line.split(":", 1)[1].strip().strip("'\"") for line in project.read_text().splitlines()
                     if line.startswith("name:")), None)
    if declared != name:
        fail(f"{var}={value}: its dbt_project.yml names package {declared!r}, not {name!r}.\n{USAGE}")
    if path == ROOT or ROOT in path.parents:
        fail(f"{var}={value} is inside this repository; keep the checkout outside it.")
    return path


def git(path: Path, *args: str) -> str | None:
    proc = subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def checkout_info(path: Path) -> dict[str, Any]:
    version = next((line.split(":", 1)[1].strip().strip("'\"") for line in
                    (path / "dbt_project.yml").read_text().splitlines() if line.startswith("version:")), None)
    return {"path": str(path), "commit": git(path, "rev-parse", "HEAD"),
            "tag": git(path, "describe", "--tags", "--exact-match"), "describe": git(path, "describe", "--tags"),
            "dirty": bool(git(path, "status", "--porcelain")), "dbt_project_version": version}


def ensure_dbt(venv: Path) -> dict[str, str]:
    """dbt's own virtualenv with the pinned dbt-core and dbt-postgres; their installed versions."""
    pins = [f"dbt-core=={DBT_CORE}", f"dbt-postgres=={DBT_POSTGRES}"]
    marker = venv / ".installed"
    if not (marker.is_file() and marker.read_text().split() == pins and (venv / "bin" / "dbt").exists()):
        say(f"installing {' '.join(pins)} into {venv} (from PyPI)")
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", "--upgrade", "pip"], check=True)
        subprocess.run([str(venv / "bin" / "pip"), "install", "-q", *pins], check=True)
        marker.write_text("\n".join(pins) + "\n")
    out = subprocess.run([str(venv / "bin" / "python"), "-c",
                          "import importlib.metadata as m; print(m.version('dbt-core'), m.version('dbt-postgres'))"],
                         capture_output=True, text=True, check=True).stdout.split()
    return {"dbt_core": out[0], "dbt_postgres": out[1], "venv": str(venv)}


def write_project(work: Path, segment: Path, utils: Path, *, port: int, database: str, threads: int) -> Path:
    """A dbt project in `work` using a copy of the segment package whose dbt_utils is the local checkout."""
    copy = work / "segment"
    shutil.copytree(segment, copy, ignore=shutil.ignore_patterns(
        ".git", "integration_tests", "target", "dbt_packages", "logs", ".circleci", ".github"))
    # The package's own packages.yml asks dbt's hub for dbt-labs/dbt_utils
    # [">=1.0.0", "<2.0.0"]; `dbt deps` would fail here without the hub. dbt
    # reads a dependency's packages.yml from the package's directory, so the
    # copy's is pointed at the local dbt-utils checkout (an absolute path:
    # dbt resolves a nested local path from the root project, not the package).
    (copy / "packages.yml").write_text(
        "# rewritten by attrib's bench/dbt_segment.py: the original names dbt-labs/dbt_utils\n"
        "# [\">=1.0.0\", \"<2.0.0\"] on dbt's package hub, which is not reachable here\n"
        f"packages:\n  - local: {json.dumps(str(utils))}\n")
    project = work / "project"
    (project / "models").mkdir(parents=True)
    (project / "dbt_project.yml").write_text(f"""\
name: attrib_bench_dbt
version: '1.0'
config-version: 2
profile: attrib_bench_dbt
flags:
  send_anonymous_usage_stats: false
vars:
  segment:
    # the one var the package needs set; the rest keep its defaults
    segment_page_views_table: "{{{{ source('attrib_generated', 'pages') }}}}"
""")
    (project / "models" / "sources.yml").write_text(f"""\
version: 2
sources:
  - name: attrib_generated
    schema: {MAP_SCHEMA}
    tables:
      - name: pages
""")
    (project / "packages.yml").write_text(f"packages:\n  - local: {json.dumps(str(copy))}\n")
    (project / "profiles.yml").write_text(f"""\
attrib_bench_dbt:
  target: bench
  outputs:
    bench:
      type: postgres
      host: 127.0.0.1
      port: {port}
      user: postgres
      password: ""
      dbname: {database}
      schema: {DBT_SCHEMA}
      threads: {threads}
""")
    return project


def dbt(venv: Path, project: Path, *args: str, workers: int) -> float:
    """Run one dbt command in `project`; its wall seconds. Output goes to project/dbt-<command>.log."""
    env = {**os.environ, "DBT_PROFILES_DIR": str(project), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
           "DBT_USE_COLORS": "false",
           # the same max_parallel_workers_per_gather as attrib's session (libpq reads PGOPTIONS)
           "PGOPTIONS": f"-c max_parallel_workers_per_gather={workers}"}
    log = project / f"dbt-{args[0]}.log"
    with log.open("w") as out:
        started = time.perf_counter()
        proc = subprocess.run([str(venv / "bin" / "dbt"), *args], cwd=project, env=env, stdout=out,
                              stderr=subprocess.STDOUT)
        seconds = time.perf_counter() - started
    if proc.returncode != 0:
        tail = "\n".join(log.read_text().splitlines()[-40:])
        fail(f"dbt {' '.join(args)} failed (exit {proc.returncode}); the end of {log}:\n{tail}")
    return seconds


def count(conn: Any, table: str) -> int | None:
    """Rows in `table` (a trusted name written here), None when it does not exist."""
    if conn.execute("SELECT to_regclass(%s)", (table,)).fetchone()[0] is None:
        return None
    return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def main(argv: list[str] | None = None) -> int:
    env = os.environ.get
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", default=env("EVENTS") or "1000000", help="[EVENTS, 1000000; 1M, 100k work]")
    parser.add_argument("--days", type=int, default=int(env("DAYS") or 365))
    parser.add_argument("--seed", type=int, default=int(env("SEED") or 42))
    parser.add_argument("--segment-dir", default=env("DBT_SEGMENT_DIR"), help="[DBT_SEGMENT_DIR]")
    parser.add_argument("--utils-dir", default=env("DBT_UTILS_DIR"), help="[DBT_UTILS_DIR]")
    parser.add_argument("--port", type=int, default=int(env("ATTRIB_PGPORT") or 55432))
    parser.add_argument("--workers", type=int, default=int(env("WORKERS") or 2),
                        help="max_parallel_workers_per_gather on both sides [WORKERS, 2]")
    parser.add_argument("--threads", type=int, default=int(env("DBT_THREADS") or 2), help="dbt threads [2]")
    parser.add_argument("--venv", type=Path, default=Path(env("DBT_VENV") or ROOT / ".venv-dbt"))
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results")
    parser.add_argument("--keep", action="store_true", default=env("KEEP", "") not in ("", "0"),
                        help="keep the database and the dbt project directory [KEEP=1]")
    parser.add_argument("--check", action="store_true",
                        help="only check DBT_SEGMENT_DIR and DBT_UTILS_DIR (needs no attrib install)")
    args = parser.parse_args(argv)

    segment = package_dir(args.segment_dir, "DBT_SEGMENT_DIR", "segment")
    utils = package_dir(args.utils_dir, "DBT_UTILS_DIR", "dbt_utils")
    if args.check:
        return 0
    # attrib (and psycopg) only now, so that --check runs with any python3
    try:
        from attrib import cluster, deploy
        from attrib_tools import bench, demo_data
    except ImportError:  # not installed: the source tree (run it with .venv/bin/python for psycopg)
        sys.path[:0] = [str(ROOT / "src"), str(ROOT / "tools")]
        from attrib import cluster, deploy
        from attrib_tools import bench, demo_data
    try:
        events = bench.parse_count(args.events)
    except ValueError as exc:
        fail(f"EVENTS={args.events}: {exc}")
    utils_info = checkout_info(utils)
    if not str(utils_info["tag"] or utils_info["describe"] or "").startswith("1."):
        say(f"warning: {utils} is not at a 1.x tag ({utils_info['describe']}); the segment package asks for 1.x")
    versions = ensure_dbt(args.venv.resolve())
    target = cluster.default_cluster(args.port)
    started_at = datetime.now(timezone.utc)
    name = f"attrib_bench_dbt_{events}_{os.getpid()}"
    try:
        dsn = cluster.create_database(target, name, fresh=True)
    except Exception as exc:  # psycopg.OperationalError, without importing psycopg here
        fail(f"cannot reach the local cluster on port {args.port}: {str(exc).strip()}\n"
             "HINT: start it with `make db` (ATTRIB_PGPORT picks another port)")
    work = Path(tempfile.mkdtemp(prefix="attrib-bench-dbt-"))
    try:
        say(f"[{events:,} events over {args.days} days, seed {args.seed}] fresh database {name}")
        deploy.upgrade(dsn)
        with bench._connect(dsn) as conn:
            stats = demo_data.generate(conn, schema=SOURCE_SCHEMA, events=events, days=args.days, seed=args.seed,
                                       progress=say)
            say(f"  generated {stats.events:,} events, {stats.identifies:,} identifies in {stats.seconds:.1f} s")
            conn.execute(MAPPING_VIEW)
            settings = bench.postgres_settings(conn)

            project = write_project(work, segment, utils, port=args.port, database=name, threads=args.threads)
            say(f"  dbt project in {project}: deps, seed, parse (untimed)")
            for command in (["deps"], ["seed", "--full-refresh"], ["parse"]):
                dbt(args.venv, project, *command, workers=args.workers)

            settle = bench.settle(conn)
            say(f"  settled (untimed) in {settle:.1f} s; attrib full run:")
            bench.set_workers(conn, args.workers)
            full = bench.time_stages(conn, say, "full")
            say(f"  attrib full run {full.seconds:.2f} s")

            settle_dbt = bench.settle(conn)
            say(f"  settled (untimed) in {settle_dbt:.1f} s; dbt run --full-refresh:")
            dbt_seconds = dbt(args.venv, project, "run", "--full-refresh", workers=args.workers)
            say(f"  dbt run --full-refresh {dbt_seconds:.2f} s (wall)")
            run_results = json.loads((project / "target" / "run_results.json").read_text())
            outputs = {
                "attrib_sessions": count(conn, "sessions.all_sessions"),
                "dbt_page_views": count(conn, f"{DBT_SCHEMA}.segment_web_page_views__sessionized"),
                "dbt_sessions": count(conn, f"{DBT_SCHEMA}.segment_web_sessions"),
                "dbt_anonymous_ids_stitched": count(conn, f"{DBT_SCHEMA}.segment_web_user_stitching"),
            }
    finally:
        if not args.keep:
            bench.drop_database(target, name)
            shutil.rmtree(work, ignore_errors=True)

    ratio = full.seconds / dbt_seconds
    result = {
        "kind": "attrib full run vs dbt segment package full refresh",
        "started_at": started_at.isoformat(), "finished_at": datetime.now(timezone.utc).isoformat(),
        "command": f"make bench-dbt EVENTS={events} DAYS={args.days}"
                   + (f" SEED={args.seed}" if args.seed != 42 else ""),
        "attrib": {"commit": git(ROOT, "rev-parse", "HEAD"), "dirty": bool(git(ROOT, "status", "--porcelain")),
                   "version": bench.__version__},
        "dbt": {**versions, "threads": args.threads,
                "segment_package": checkout_info(segment), "dbt_utils": utils_info,
                "segment_packages_yml": "rewritten in a temporary copy: local dbt-utils checkout instead of the hub"},
        "postgres": settings, "machine": bench.machine_info(),
        "max_parallel_workers_per_gather": args.workers,
        "data": {"events": stats.events, "pages": stats.pages, "tracks": stats.tracks,
                 "identifies": stats.identifies, "days": args.days, "seed": args.seed,
                 "generate_seconds": stats.seconds},
        "attrib_full_run": full.to_dict(),
        "dbt_run_full_refresh": {
            "wall_seconds": dbt_seconds, "dbt_elapsed_seconds": run_results.get("elapsed_time"),
            "models": {r["unique_id"]: {"status": r["status"], "execution_time": r["execution_time"],
                                        "rows_affected": (r.get("adapter_response") or {}).get("rows_affected")}
                       for r in run_results.get("results", [])}},
        "outputs": outputs,
        "attrib_over_dbt": ratio,
        # beside the verdict: over dbt's own elapsed time, without its process start and parse
        "attrib_over_dbt_elapsed": (full.seconds / run_results["elapsed_time"]
                                    if run_results.get("elapsed_time") else None),
        "faster_than_dbt": "PASS" if full.seconds < dbt_seconds else "MISS",
        "kept": {"database": target.dsn_for(name), "dbt_project": str(project)} if args.keep else None,
        "notes": NOTES,
    }
    args.output.mkdir(parents=True, exist_ok=True)
    path = args.output / f"{started_at:%Y%m%dT%H%M%SZ}-dbt-segment-{events}.json"
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"attrib full run        {full.seconds:9.2f} s")
    print(f"dbt run --full-refresh {dbt_seconds:9.2f} s (wall; dbt's elapsed_time "
          f"{run_results.get('elapsed_time') or 0:.2f} s)")
    print(f"attrib / dbt           {ratio:9.3f}  faster_than_dbt: {result['faster_than_dbt']}")
    if args.keep:
        say(f"kept: {target.dsn_for(name)} and {work}")
    say(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
