"""`make test-citus`: attrib on a real Citus cluster, compared with plain PostgreSQL bit for bit.

Run by scripts/test-citus.sh after Citus is built and installed. On one
coordinator and two workers on 127.0.0.1 (attrib.cluster.up_citus) it

1. deploys attrib into a Citus database (which distributes the tables) and
   into a plain database of the same server (no citus extension: plain
   PostgreSQL), checks the distribution, the owner's login and that a second
   deploy does nothing;
2. runs the worked example (../shared/examples) on both and compares it with
   the expected tables (tests/py/test_example.py) and the two sides with
   each other;
3. generates --events events (attrib demo-data) into the plain database,
   copies the source tables to the Citus one, and runs on both as the
   runner: the full run, --increments incremental days, an erasure
   (attrib forget) and a rebuild (attrib run --full), comparing every table
   after each step (row count and md5 of the rows as text, credits as
   float8 text);
4. reads how Citus plans the statements of sessionize, attribute and the
   publish in the last incremental run (its planner messages; auto_explain
   cannot explain them, see run_stages_watched) and fails on work that
   pulls rows through the coordinator over partitioning.events or the
   stage tables;
5. writes the result as JSON (--out).

Exit status 0 only when every comparison and check passed. Not part of
`make test` (it needs Citus); nothing of it is skipped there.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "py"))

from attrib import cluster, deploy  # noqa: E402

ATTRIB = str(Path(sys.executable).parent / "attrib")
EXAMPLES = Path(os.environ.get("ATTRIB_EXAMPLES", ROOT.parent / "shared" / "examples"))
SCHEMAS = ("attrib", "partitioning", "aliasing", "sessions", "sessions_stages")
# bookkeeping that differs between two databases by nature (clocks, pids, run ids' times)
SKIP_TABLES = {"attrib.run_log", "attrib.run_lease", "attrib.deployed_procedures", "attrib.ingest_state",
               "attrib.test_faults", "attrib.roles", "attrib.stages", "attrib.run_referrals"}
# columns that follow the planner's statistics, which autovacuum updates on its own schedule
SKIP_COLUMNS = {"attrib.pipeline_state": {"outputs_changed"}}
PLAN_STAGES = ("sessionize", "attribute", "_publish")
# what pulls rows through the coordinator in a Citus plan
PULL = re.compile(r"pull to coordinator|Distributed Subplan|repartition", re.I)
WATCHED = re.compile(r"partitioning\.events|events_\d+|sessions_stages\.|all_sessions|signups|dirty_aliases")


def log(message: str) -> None:
    print(f"[{datetime.now():%H:%M:%S}] {message}", flush=True)


def run_cli(*args: str, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run([ATTRIB, *args], capture_output=True, text=True, env={**os.environ, **(env or {})})
    if proc.returncode != 0:
        raise RuntimeError(f"attrib {' '.join(args[:2])} failed ({proc.returncode}):\n{proc.stderr.strip()}")
    return proc.stderr


class Side:
    """One database: the Citus one or the plain one, with a superuser and a runner connection string."""

    def __init__(self, name: str, node: cluster.Cluster, database: str, runner_password: str) -> None:
        self.name, self.node, self.database = name, node, database
        self.dsn = node.dsn_for(database)
        self.runner_dsn = f"postgresql://attrib_runner@127.0.0.1:{node.port}/{database}"
        self.runner_env = {"PGPASSWORD": runner_password}

    def connect(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn, autocommit=True)

    def run(self, *extra: str) -> float:
        started = time.perf_counter()
        run_cli("run", "--dsn", self.runner_dsn, *extra, env=self.runner_env)
        return time.perf_counter() - started


def checksums(conn: psycopg.Connection) -> dict[str, dict[str, Any]]:
    """Per table of attrib's schemas: rows and the md5 of every row as text (clock columns left out)."""
    tables = [r[0] for r in conn.execute(
        """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (%s)
            ORDER BY 1""", (list(SCHEMAS),))]
    conn.execute("SET extra_float_digits = 1")  # float8 as the shortest text that reads back to the same bits
    conn.execute("SET TimeZone = 'UTC'")
    out: dict[str, dict[str, Any]] = {}
    for table in tables:
        if table in SKIP_TABLES:
            continue
        columns = [r[0] for r in conn.execute(
            """SELECT a.attname FROM pg_attribute a WHERE a.attrelid = %s::regclass AND a.attnum > 0
                 AND NOT a.attisdropped
                 AND NOT EXISTS (SELECT FROM pg_attrdef d WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum
                                  AND pg_get_expr(d.adbin, d.adrelid) ~ 'now\\(\\)|clock_timestamp')
                ORDER BY a.attnum""", (table,)) if r[0] not in SKIP_COLUMNS.get(table, set())]
        schema, name = table.split(".")
        row = sql.SQL("ROW({})::text").format(sql.SQL(", ").join(sql.Identifier(c) for c in columns))
        count, digest = conn.execute(sql.SQL(
            "SELECT count(*), md5(coalesce(string_agg(r, E'\\n' ORDER BY r COLLATE \"C\"), '')) "
            "FROM (SELECT {} AS r FROM {}) x").format(row, sql.Identifier(schema, name))).fetchone()
        out[table] = {"rows": count, "md5": digest}
    return out


def compare(step: str, citus: Side, plain: Side, results: dict[str, Any]) -> bool:
    with citus.connect() as c, plain.connect() as p:
        left, right = checksums(c), checksums(p)
    differ = sorted(t for t in set(left) | set(right) if left.get(t) != right.get(t))
    results["steps"].append({"step": step, "equal": not differ, "differ": differ,
                             "citus": left, "plain": right})
    log(f"{step}: {'equal' if not differ else 'DIFFERENT: ' + ', '.join(differ)} "
        f"({sum(v['rows'] for v in left.values()):,} rows in {len(left)} tables)")
    return not differ


def copy_source(plain: Side, citus: Side, schema: str = "segment") -> None:
    """The plain side's source tables, as they are, into the Citus database (pg_dump | psql)."""
    with citus.connect() as conn:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
    dump = subprocess.Popen([str(cluster.PG_BIN / "pg_dump"), "-n", schema, "--no-owner", plain.dsn],
                            stdout=subprocess.PIPE)
    load = subprocess.run([str(cluster.PG_BIN / "psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", citus.dsn],
                          stdin=dump.stdout, capture_output=True, text=True)
    dump.wait()
    if dump.returncode or load.returncode:
        raise RuntimeError(f"copying {schema} failed: {load.stderr.strip()}")
    # as documented: a deploy with --grant-source (on Citus a deploy that finds the tables distributed
    # changes nothing else)
    run_cli("deploy", "--dsn", citus.dsn, "--grant-source")


def deploy_checks(citus: Side, results: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    again = deploy.upgrade(citus.dsn)
    if again.changed:
        problems.append(f"a second deploy changed something: {again.distribution_actions or again.procedures_applied}")
    with citus.connect() as conn:
        planned = {r[0]: r[1:] for r in conn.execute(
            "SELECT table_name, kind, column_name FROM attrib._distribution()")}
        actual = {r[0]: r[1:] for r in conn.execute(
            """SELECT p.logicalrelid::regclass::text,
                      CASE WHEN p.partmethod = 'h' THEN 'distributed' WHEN p.repmodel = 't' THEN 'reference' END,
                      CASE WHEN p.partmethod = 'h' THEN column_to_column_name(p.logicalrelid, p.partkey) END
                 FROM pg_dist_partition p JOIN pg_class c ON c.oid = p.logicalrelid
                WHERE NOT c.relispartition AND c.relnamespace::regnamespace::text = ANY (%s)""",
            (list(SCHEMAS),))}
        if planned != actual:
            problems.append(f"distribution differs from attrib._distribution(): planned {planned}, actual {actual}")
        colocated = conn.execute(
            """SELECT count(DISTINCT p.colocationid) FROM pg_dist_partition p
                WHERE p.logicalrelid::regclass::text IN (SELECT d.table_name FROM attrib._distribution() d
                                                         WHERE d.column_name = 'alias_id')""").fetchone()[0]
        if colocated != 1:
            problems.append(f"per-person tables are in {colocated} co-location groups, not one")
        if not conn.execute("SELECT EXISTS (SELECT FROM pg_dist_authinfo WHERE rolename = 'attrib_owner' "
                            "AND nodeid = 0 AND authinfo LIKE 'password=%')").fetchone()[0]:
            problems.append("pg_dist_authinfo holds no password for attrib_owner")
        if conn.execute("SELECT has_table_privilege('attrib_runner', 'pg_dist_authinfo', 'SELECT') "
                        "OR pg_has_role('attrib_runner', 'attrib_owner', 'MEMBER')").fetchone()[0]:
            problems.append("the runner can read pg_dist_authinfo or is a member of the owner")
        logins = conn.execute(
            "SELECT nodeid, success, result FROM run_command_on_all_nodes("
            "$$SELECT rolcanlogin FROM pg_roles WHERE rolname = 'attrib_owner'$$)").fetchall()
        if any(not ok or result != "t" for _, ok, result in logins):
            problems.append(f"the owner cannot log in on every node: {logins}")
    # the runner has no way in as the owner: no password of its own reaches a node
    for node in (citus.node,):
        try:
            psycopg.connect(f"postgresql://attrib_owner@127.0.0.1:{node.port}/{citus.database}",
                            password=citus.runner_env["PGPASSWORD"], connect_timeout=5).close()
            problems.append("attrib_owner logged in with the runner's password")
        except psycopg.OperationalError:
            pass
    results["deploy"] = {"distribution": {t: list(v) for t, v in sorted(actual.items())},
                         "second_deploy_changed": again.changed, "problems": problems}
    for p in problems:
        log(f"deploy check FAILED: {p}")
    if not problems:
        log(f"deploy: {len(actual)} tables distributed as planned, owner logs in on every node, "
            "a second deploy changes nothing")
    return problems


def worked_example(citus: Side, plain: Side, results: dict[str, Any]) -> bool:
    import test_example
    from segment import load_csv_dir, run_stages

    failures = []
    for side in (citus, plain):
        with side.connect() as conn:
            load_csv_dir(conn, EXAMPLES)
            run_stages(conn)
            if side is citus:
                for name in sorted(n for n in dir(test_example) if n.startswith("test_example_")):
                    try:
                        getattr(test_example, name)(conn)
                    except AssertionError as exc:
                        failures.append(f"{name}: {str(exc)[:500]}")
    for f in failures:
        log(f"worked example on Citus FAILED {f}")
    equal = compare("worked example", citus, plain, results)
    results["worked_example"] = {"expected_tables_match": not failures, "failures": failures}
    if not failures:
        log("worked example on Citus: every expected table matches")
    return not failures and equal


def run_stages_watched(side: Side, notes: list[dict[str, str]] | None = None) -> None:
    """The stages of one run, called as a superuser one by one (as tests/py/segment.run_stages does); on
    the Citus side with the planner's messages of sessionize and attribute (which calls the publish) kept
    in `notes`: Citus says at DEBUG1/DEBUG2 how it plans each statement (a subquery planned apart and
    shipped as an intermediate result, an INSERT ... SELECT collected on the coordinator or
    repartitioned, a distributed table wrapped into a subquery, a multi-shard SELECT).

    Not auto_explain: with PL/pgSQL parameters in the statements, Citus 13.2 cannot explain them
    (remote plans fetched with untyped parameters abort the distributed transaction; an INSERT ...
    SELECT via the coordinator is planned again without its parameters: 'could not create distributed
    plan'; the settings check of run_begin fails 'cache lookup failed for type'), so a run with
    auto_explain on does not finish."""
    from segment import STAGES

    with side.connect() as conn:
        watched = side.name == "citus"
        if watched:
            conn.add_notice_handler(lambda d: notes is not None and d.severity_nonlocalized == "DEBUG" and notes.append(
                {"message": d.message_primary or "", "context": d.context or ""}))
        for stage in STAGES:
            if watched and stage in ("sessionize", "attribute"):
                conn.execute("SET client_min_messages = debug2")
            conn.execute(sql.SQL("SELECT * FROM attrib.{}()").format(sql.Identifier(stage))).fetchone()
            conn.execute("RESET client_min_messages")


def stage_of(context: str) -> str | None:
    return next((s for s in ("_publish", "sessionize", "attribute") if f"function attrib.{s}(" in context), None)


PULLED = re.compile(r"generating subplan|Collecting INSERT \.\.\. SELECT results on coordinator"
                    r"|performing repartitioned|Wrapping relation \"(events|all_sessions|signups|dirty_aliases|"
                    r"attribution|attribution_credit|useful_sessions|user_session_counts|alias_months)\"")


def plan_kind(messages: list[str]) -> str:
    """How Citus ran one statement, from its planner messages."""
    if any(PULLED.search(m) and not m.startswith("generating subplan") for m in messages):
        return "through the coordinator"
    if any(m.startswith("distributed statement: ") for m in messages):
        return "pushed down to each shard"
    if any(m.startswith("generating subplan") for m in messages):
        return "multi-shard counts or probes merged on the coordinator"
    if any(m.startswith("Router planner cannot handle multi-shard select") for m in messages):
        return "multi-shard read merged on the coordinator"
    if any(m.startswith("Creating router plan") for m in messages):
        return "router (one task per shard or one shard)"
    return "utility or coordinator-only table"


def statement_of(context: str) -> str:
    """The statement a planner message is about: its SQL text, or for a PL/pgSQL expression the context's
    first line ("... line N at assignment"), on one line."""
    statement = re.search(r'SQL statement "(.*?)"\n', context, re.S)
    return " ".join((statement.group(1) if statement else context.splitlines()[0] if context else "").split())


def plan_check(citus: Side, results: dict[str, Any], run_step: Callable[[list[dict[str, str]]], None]) -> list[str]:
    notes: list[dict[str, str]] = []
    run_step(notes)
    problems = []
    for n in notes:
        stage = stage_of(n["context"])
        if not stage:
            continue
        text = statement_of(n["context"])
        m = n["message"]
        what = None
        if m.startswith("generating subplan"):
            # a subquery over a distributed work table or the events (not a temp table's rows
            # shipped to the workers, nor a single count or an EXISTS probe)
            if WATCHED.search(m) and not re.search(
                    r'for subquery SELECT (count\(\*\) AS count|1 AS "\?column\?") FROM \S+( \S+)?( LIMIT 1)?$', m):
                what = m
        elif PULLED.search(m) and WATCHED.search(text):
            what = m
        elif m.startswith("Router planner cannot handle multi-shard select") and re.match(r"(?i)CREATE TEMP", text) \
                and WATCHED.search(text):
            what = "multi-shard SELECT into a temp table on the coordinator"
        if what:
            problems.append(f"{stage}: {' '.join(what.split())[:90]} -- in: {text[:110]}")
    statements: dict[tuple[str, str], list[str]] = {}
    for n in notes:
        if stage := stage_of(n["context"]):
            statements.setdefault((stage, statement_of(n["context"])[:80]), []).append(n["message"])
    summary: dict[str, dict[str, int]] = {}
    for (stage, _), messages in statements.items():
        kind = plan_kind(messages)
        summary.setdefault(stage, {})[kind] = summary.get(stage, {}).get(kind, 0) + 1
    results["plan_statements"] = [{"stage": k[0], "statement": k[1], "kind": plan_kind(v)}
                                  for k, v in statements.items()]
    seen = sorted({s for n in notes if (s := stage_of(n["context"]))})
    if set(seen) != set(PLAN_STAGES):
        problems.append(f"planner messages found only for {seen}")
    problems = list(dict.fromkeys(problems))
    results["plans"] = {"planner_messages": len(notes), "stages": seen, "problems": problems, "summary": summary}
    for p in problems:
        log(f"plan check FAILED: {p}")
    if not problems:
        log(f"plans: {len(notes)} planner messages of {', '.join(PLAN_STAGES)}; none pulls rows through the coordinator")
    for stage, kinds in sorted(summary.items()):
        log(f"plans of {stage}: " + "; ".join(f"{n} {kind}" for kind, n in sorted(kinds.items())))
    return problems


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, default=56432)
    parser.add_argument("--datadir", type=Path, default=ROOT / ".pgdata")
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--increments", type=int, default=3)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--citus-commit", default=os.environ.get("CITUS_COMMIT", ""))
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    from attrib_tools import demo_data

    started = time.perf_counter()
    coordinator, workers = cluster.citus_clusters(args.port, args.datadir)
    results: dict[str, Any] = {
        "when": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "attrib_commit": git("rev-parse", "HEAD"), "attrib_dirty": bool(git("status", "--porcelain")),
        "citus_commit": args.citus_commit, "events": args.events, "days": args.days,
        "increments": args.increments, "seed": args.seed,
        "nodes": {"coordinator": coordinator.port, "workers": [w.port for w in workers]},
        "steps": [],
    }
    failures: list[str] = []
    password = secrets.token_hex(16)

    def sides(suffix: str) -> tuple[Side, Side]:
        cluster.up_citus(coordinator, workers, f"attrib_citus{suffix}", log=log, fresh=True)
        cluster.create_database(coordinator, f"attrib_plain{suffix}", fresh=True)
        citus = Side("citus", coordinator, f"attrib_citus{suffix}", password)
        plain = Side("plain", coordinator, f"attrib_plain{suffix}", password)
        for side in (citus, plain):
            deploy.upgrade(side.dsn)
            with side.connect() as conn:
                conn.execute(sql.SQL("ALTER ROLE attrib_runner PASSWORD {}").format(sql.Literal(password)))
        return citus, plain

    log("worked example")
    citus, plain = sides("_example")
    with citus.connect() as conn:
        results["postgres_version"] = conn.execute("SHOW server_version").fetchone()[0]
        results["citus_version"] = conn.execute("SELECT citus_version()").fetchone()[0]
    failures += deploy_checks(citus, results)
    try:
        if not worked_example(citus, plain, results):
            failures.append("worked example")
    except psycopg.Error as exc:
        failures.append(f"worked example: {exc.sqlstate}: {exc}")
        log(f"worked example FAILED: {exc.sqlstate}: {exc}")

    log(f"{args.events:,} generated events over {args.days} days")
    citus, plain = sides("")
    timings: dict[str, dict[str, float]] = {}

    def step(name: str, action: Callable[[Side], None]) -> None:
        for side in (plain, citus):
            t0 = time.perf_counter()
            action(side)
            timings.setdefault(name, {})[side.name] = round(time.perf_counter() - t0, 2)
        if not compare(name, citus, plain, results):
            failures.append(name)

    try:
        with plain.connect() as conn:
            demo_data.generate(conn, events=args.events, days=args.days, seed=args.seed)
        copy_source(plain, citus)
        step("full run", lambda s: s.run())
        for day in range(1, args.increments + 1):
            with plain.connect() as conn:
                demo_data.generate(conn, events=args.events, days=args.days, seed=args.seed, replace=False,
                                   append_days=1)
            copy_source(plain, citus)
            if day == args.increments:
                failures += plan_check(citus, results, lambda notes: step(
                    f"incremental day {day}", lambda s: run_stages_watched(s, notes)))
            else:
                step(f"incremental day {day}", lambda s: s.run())
        with plain.connect() as conn:
            user = conn.execute("SELECT alias_id FROM sessions.attribution ORDER BY alias_id COLLATE \"C\" "
                                "LIMIT 1 OFFSET 7").fetchone()[0]
        step("forget", lambda s: (run_cli("forget", "--dsn", s.dsn, user), s.run()))
        # partitions a superuser's pg_partman maintenance makes, then a rebuild that truncates them
        step("--full", lambda s: (s.connect().execute(
            "SELECT partman.run_maintenance('partitioning.events', p_analyze => false, p_jobmon => false)"),
            s.run("--full")))
    except (psycopg.Error, RuntimeError) as exc:
        failures.append(f"{type(exc).__name__}: {exc}")
        log(f"FAILED: {exc}")

    results["seconds"] = {k: v for k, v in timings.items()}
    results["failures"] = failures
    results["ok"] = not failures
    results["total_seconds"] = round(time.perf_counter() - started, 1)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
        log(f"result: {args.out}")
    log("OK: Citus equals plain PostgreSQL" if not failures else f"FAILED: {'; '.join(failures)[:2000]}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main())
