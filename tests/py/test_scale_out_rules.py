"""Rules that keep the path onto Citus open (issue 17, docs/scale-out.md).

Citus is not installed here, so the move is checked by its preconditions, in
the deployed catalog and in the SQL of procedures/ (and migrations/sql/):

1. Every table of attrib's schemas has a planned distribution (the lists
   below, the same as docs/scale-out.md): distributed by alias_id
   (PER_PERSON), distributed by a column of its own (OWN_DISTRIBUTION),
   a reference table (REFERENCE) or a table on the coordinator (COORDINATOR).
   A new table fails until it is classified.
2. Every per-person table has alias_id NOT NULL, its primary key leads with
   alias_id (NO_PRIMARY_KEY lists the exception and why), and every unique
   index on it or its partitions includes alias_id: Citus enforces
   uniqueness only when it includes the distribution column. A table with its
   own distribution column follows the same rule with that column.
3. No statement updates alias_id in place in a per-person table (UPDATE ...
   SET, INSERT ... ON CONFLICT DO UPDATE SET, MERGE ... UPDATE SET, and
   dynamic SQL whose table cannot be named): Citus rejects updates of the
   distribution column; re-aliasing moves rows with DELETE + INSERT.
4. Every window function (OVER (...) and WINDOW ... AS (...)) is partitioned
   by alias_id, which lets Citus push it down to the shards; WINDOW_EXCEPTIONS
   lists the one that is not, with the reason.
5. No foreign key from a per-person table to a table that is not a
   reference table, and none from a reference table to a distributed one.

Each rule has a negative self-check: a synthetic violation must be flagged.
The SQL rules read the files, not the functions' attributes (SECURITY
DEFINER, SET ...), and find them in subfolders of procedures/ too.
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import psycopg
import pytest

from conftest import create_database, drop_database, server_dsn

ROOT = Path(__file__).resolve().parents[2]
SCHEMAS = ("attrib", "partitioning", "aliasing", "sessions", "sessions_stages")

# -- the planned distribution (docs/scale-out.md) ------------------------------------

# Distributed by alias_id, co-located: everything per person.
PER_PERSON = (
    "partitioning.events",
    "partitioning.alias_months",
    "sessions.all_sessions",
    "sessions.useful_sessions",
    "sessions.attribution",
    "sessions.attribution_credit",
    "sessions.user_session_counts",
    "sessions_stages.all_sessions",
    "sessions_stages.useful_sessions",
    "sessions_stages.attribution",
    "sessions_stages.attribution_credit",
    "sessions_stages.user_session_counts",
    "sessions_stages.signups",
    "sessions_stages.dirty_aliases",
    "sessions_stages.changed_identities",
    "sessions_stages.session_bounds",
    "sessions_stages.session_landings",
    "attrib.user_revenue",
    "attrib.user_revenue_horizon",
    "attrib.survey_answers",
    "attrib.content_before_signup",
)
# Per-person tables without a primary key, and why.
NO_PRIMARY_KEY = {
    "sessions_stages.changed_identities":
        "a work list of (alias, anonymous id, user id) triples whose ids may be NULL and may repeat "
        "between two ingests; distributed by alias_id NOT NULL, it needs no unique key",
    "sessions_stages.session_bounds":
        "sessionize's scratch, filled and read whole within the stage: a key would only cost its index",
    "sessions_stages.session_landings":
        "sessionize's scratch, filled and read whole within the stage: a key would only cost its index",
}
# Distributed by another column: lookups keyed by something other than a person.
OWN_DISTRIBUTION = {
    "partitioning.message_index": "message_id",   # alias_id here is a plain column, updated on re-aliasing
    "attrib.rejects": "row_hash",
    "attrib.duplicates": "row_hash",
}
# Replicated to every node: small, read by joins on columns other than alias_id.
REFERENCE = (
    "attrib.settings",
    "attrib.setting_rules",
    "attrib.source_classes",
    "aliasing.identify_pairs",
    "aliasing.known_pairs",
    "aliasing.owners",
    "sessions_stages.touched_anonymous_ids",
    "attrib.forgotten",
    "attrib.spend",
)
# Plain tables on the coordinator: run bookkeeping, one writer, never joined with shards.
COORDINATOR = (
    "attrib.run_log",
    "attrib.ingest_state",
    "attrib.pipeline_state",
    "attrib.months_written",
    "attrib.overlap_rows",
    "attrib.deployed_procedures",
    "attrib.test_faults",
    "attrib.roles",
    "attrib.run_lease",
    "attrib.stages",
    "attrib.revenue_unmatched",
    "attrib.run_referrals",
    "attrib.optional_sources",
    "sessions_stages.ingest_agents",
)
# Windows not partitioned by alias_id: (file name, PARTITION BY as written) -> why.
WINDOW_EXCEPTIONS = {
    ("_ingest_dedupe.sql", "u.message_id"):
        "the winner per message id of definitions §2, ranked into sessions_stages.ingest_ranked (a load's contested "
        "message ids and their kept events): an unlogged table ingest makes on the coordinator, never distributed",
    ("_ingest_collapse.sql", "b2.source_table, b2.row_hash"):
        "identical copies of one source row in a load, numbered to keep one: sessions_stages.ingest_batch, "
        "an unlogged table ingest makes on the coordinator, never distributed",
}


def sql_files() -> list[Path]:
    files = sorted((ROOT / "procedures").glob("**/*.sql")) + sorted((ROOT / "migrations" / "sql").glob("*.sql"))
    assert files, "no SQL files found"
    return files


# -- a small SQL scanner ---------------------------------------------------------------


def mask(sql: str) -> str:
    """The SQL with comments and the contents of '...' literals blanked (same length, newlines kept).

    Dollar-quoted text stays: it is function bodies and format() templates,
    i.e. code. Dynamic SQL built from '...' literals is not seen.
    """
    out = list(sql)
    i, n = 0, len(sql)

    def blank(a: int, b: int) -> None:
        for k in range(a, b):
            if out[k] != "\n":
                out[k] = " "

    while i < n:
        if sql.startswith("--", i):
            j = sql.find("\n", i)
            j = n if j < 0 else j
            blank(i, j)
            i = j
        elif sql.startswith("/*", i):
            j = sql.find("*/", i + 2)
            j = n if j < 0 else j + 2
            blank(i, j)
            i = j
        elif sql[i] == "'":
            j = i + 1
            while j < n:
                if sql[j] == "'" and j + 1 < n and sql[j + 1] == "'":
                    j += 2
                elif sql[j] == "'":
                    break
                else:
                    j += 1
            blank(i + 1, j)
            i = j + 1
        else:
            i += 1
    return "".join(out)


def balanced(text: str, start: int) -> int:
    """Index just past the parenthesis that closes the one at text[start]."""
    depth = 0
    for k in range(start, len(text)):
        if text[k] == "(":
            depth += 1
        elif text[k] == ")":
            depth -= 1
            if depth == 0:
                return k + 1
    return len(text)


def split_top(text: str, sep: str = ",") -> list[str]:
    parts, depth, last = [], 0, 0
    for k, ch in enumerate(text):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[last:k])
            last = k + 1
    parts.append(text[last:])
    return [p.strip() for p in parts if p.strip()]


def bare(name: str) -> str:
    """Last component of a possibly qualified, possibly quoted name, lower case."""
    return name.strip().split(".")[-1].strip('"').lower()


def norm_table(name: str) -> str:
    return ".".join(part.strip('"').lower() for part in name.strip().split("."))


NAME = r'(?:"[^"]+"|[\w%$]+)(?:\s*\.\s*(?:"[^"]+"|[\w%$]+))?'
UPDATE_TABLE = re.compile(rf"\bUPDATE\s+(?:ONLY\s+)?(?P<table>{NAME})(?:\s+(?:AS\s+)?(?P<alias>\w+))?\s+SET\b",
                          re.I)
UPDATE_NO_TABLE = re.compile(r"\b(?:DO|THEN)\s+UPDATE\s+SET\b", re.I)
INTO_TABLE = re.compile(rf"\b(?:INSERT|MERGE)\s+INTO\s+(?P<table>{NAME})", re.I)
SET_END = re.compile(r"(?:FROM|WHERE|RETURNING|WHEN)\b", re.I)


@dataclass(frozen=True)
class Update:
    file: str
    line: int
    table: str           # as written, normalized
    columns: tuple[str, ...]


def set_columns(text: str, start: int) -> tuple[str, ...]:
    """The columns assigned by the SET list that starts at text[start]."""
    depth, end = 0, len(text)
    k = start
    while k < len(text):
        ch = text[k]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth < 0:
                end = k
                break
        elif ch == ";" and depth == 0:
            end = k
            break
        elif depth == 0:
            m = SET_END.match(text, k)
            if m and (k == 0 or not (text[k - 1].isalnum() or text[k - 1] == "_")):
                end = k
                break
        k += 1
    columns: list[str] = []
    for item in split_top(text[start:end]):
        target = item.split("=", 1)[0]
        columns += [bare(c) for c in re.findall(r'"[^"]+"|[\w.]+', target)]
    return tuple(columns)


def updates(sql: str, file: str = "<sql>") -> list[Update]:
    """Every UPDATE ... SET (with or without a table of its own) in the SQL text."""
    text = mask(sql)
    found = []
    for m in UPDATE_TABLE.finditer(text):
        found.append(Update(file, text.count("\n", 0, m.start()) + 1, norm_table(m.group("table")),
                            set_columns(text, m.end())))
    for m in UPDATE_NO_TABLE.finditer(text):
        into = [t for t in INTO_TABLE.finditer(text, 0, m.start())]
        table = norm_table(into[-1].group("table")) if into else "?"
        found.append(Update(file, text.count("\n", 0, m.start()) + 1, table, set_columns(text, m.end())))
    return found


def per_person_names() -> tuple[set[str], set[str]]:
    return set(PER_PERSON), {bare(t) for t in PER_PERSON}


def updates_alias_id_in_place(u: Update) -> bool:
    """True when the UPDATE sets alias_id of a per-person table, or of a table it cannot name."""
    if "alias_id" not in u.columns:
        return False
    full, bare_names = per_person_names()
    if u.table in OWN_DISTRIBUTION:
        return False
    dynamic = any(ch in u.table for ch in "%$?")
    return u.table in full or ("." not in u.table and u.table in bare_names) or dynamic


@dataclass(frozen=True)
class Window:
    file: str
    line: int
    spec: str
    partition_by: str        # as written, whitespace collapsed; '' when none


PARTITION_BY = re.compile(r"\bPARTITION\s+BY\b(?P<list>.*?)(?=\bORDER\s+BY\b|\bROWS\b|\bRANGE\b|\bGROUPS\b|$)",
                          re.I | re.S)


def windows(sql: str, file: str = "<sql>") -> list[Window]:
    """Every window specification: OVER (...), WINDOW name AS (...), and OVER name resolved to its definition."""
    text = mask(sql)
    found: list[Window] = []
    named: dict[str, Window] = {}

    def spec_at(start: int) -> Window:
        end = balanced(text, start)
        spec = " ".join(text[start + 1:end - 1].split())
        m = PARTITION_BY.search(spec)
        return Window(file, text.count("\n", 0, start) + 1, spec, " ".join(m.group("list").split()) if m else "")

    for m in re.finditer(r"\bWINDOW\s+(\w+)\s+AS\s*\(", text, re.I):
        named[m.group(1).lower()] = spec_at(m.end() - 1)
        # WINDOW a AS (...), b AS (...): every definition of the clause
        more = re.compile(r"\s*,\s*(\w+)\s+AS\s*\(", re.I).match(text, balanced(text, m.end() - 1))
        while more:
            named[more.group(1).lower()] = spec_at(more.end() - 1)
            more = re.compile(r"\s*,\s*(\w+)\s+AS\s*\(", re.I).match(text, balanced(text, more.end() - 1))
    found += named.values()
    for m in re.finditer(r"\bOVER\b\s*(\(|\w+)", text, re.I):
        if m.group(1) == "(":
            w = spec_at(m.end() - 1)
            first = w.spec.split(" ", 1)[0].lower() if w.spec else ""
            if not w.partition_by and first in named:    # OVER (w ORDER BY ...) inherits w's partitioning
                continue
            found.append(w)
        elif m.group(1).lower() not in named:
            found.append(Window(file, text.count("\n", 0, m.start()) + 1, m.group(1), "<undefined window>"))
    return found


def partitioned_by_alias(w: Window) -> bool:
    return any(bare(re.sub(r"\s+COLLATE\s+\S+", "", item, flags=re.I)) == "alias_id"
               for item in split_top(w.partition_by))


def window_violations(found: list[Window]) -> list[Window]:
    return [w for w in found
            if not partitioned_by_alias(w) and (Path(w.file).name, w.partition_by) not in WINDOW_EXCEPTIONS]


def all_updates() -> list[Update]:
    return [u for f in sql_files() for u in updates(f.read_text(), str(f.relative_to(ROOT)))]


def all_windows() -> list[Window]:
    return [w for f in sql_files() for w in windows(f.read_text(), str(f.relative_to(ROOT)))]


# -- the catalog --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(template_db: str) -> Iterator[psycopg.Connection]:
    name = create_database(template_db)
    try:
        with psycopg.connect(server_dsn(name), autocommit=True) as conn:
            yield conn
    finally:
        drop_database(name)


@contextmanager
def rolled_back(conn: psycopg.Connection) -> Iterator[None]:
    """A transaction on the autocommit connection that is always rolled back."""
    conn.execute("BEGIN")
    try:
        yield
    finally:
        conn.execute("ROLLBACK")


def tables_of(conn: psycopg.Connection) -> set[str]:
    return {r[0] for r in conn.execute(
        """SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND n.nspname = ANY (%s)""",
        (list(SCHEMAS),))}


def classification_problems(conn: psycopg.Connection, per_person=PER_PERSON) -> list[str]:
    planned = [*per_person, *OWN_DISTRIBUTION, *REFERENCE, *COORDINATOR]
    problems = [f"{t} is classified twice" for t in sorted({t for t in planned if planned.count(t) > 1})]
    existing = tables_of(conn)
    problems += [f"{t} has no planned distribution (add it to a list here and to docs/scale-out.md)"
                 for t in sorted(existing - set(planned))]
    problems += [f"{t} is planned but does not exist" for t in sorted(set(planned) - existing)]
    with_alias = {r[0] for r in conn.execute(
        """SELECT n.nspname || '.' || c.relname FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE a.attname = 'alias_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p')
              AND NOT c.relispartition AND n.nspname = ANY (%s)""", (list(SCHEMAS),))}
    problems += [f"{t} has an alias_id column but is neither per-person nor distributed by a column of its own"
                 for t in sorted(with_alias - set(per_person) - set(OWN_DISTRIBUTION))]
    return problems


def key_problems(conn: psycopg.Connection, table: str, column: str, *, needs_pk: bool = True) -> list[str]:
    """Rule 2 for one table: the column is NOT NULL, leads the primary key, is in every unique index."""
    problems = []
    notnull = conn.execute("SELECT a.attnotnull FROM pg_attribute a WHERE a.attrelid = %s::regclass "
                           "AND a.attname = %s AND NOT a.attisdropped", (table, column)).fetchone()
    if notnull is None:
        return [f"{table} has no column {column}"]
    if not notnull[0]:
        problems.append(f"{table}.{column} is nullable")
    # the table and every partition of it
    rels = [r[0] for r in conn.execute(
        "SELECT %s::regclass::text UNION SELECT relid::regclass::text FROM pg_partition_tree(%s::regclass) "
        "WHERE isleaf", (table, table))]
    assert table in rels   # (pg_partition_tree gives no row for a table that is not partitioned)
    for rel in rels:
        rows = conn.execute(
            """SELECT i.indexrelid::regclass::text, i.indisprimary,
                      array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, ord)
                              LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum
                             ORDER BY k.ord)
                 FROM pg_index i WHERE i.indrelid = %s::regclass AND (i.indisunique OR i.indisprimary)""",
            (rel,)).fetchall()
        primary = [cols for _, is_pk, cols in rows if is_pk]
        if needs_pk and not primary:
            problems.append(f"{rel} has no primary key")
        if primary and primary[0][0] != column:
            problems.append(f"{rel}'s primary key ({', '.join(primary[0])}) does not lead with {column}")
        problems += [f"unique index {name} on {rel} ({', '.join(c or 'expr' for c in cols)}) lacks {column}"
                     for name, _, cols in rows if column not in cols]
    return problems


def foreign_key_problems(conn: psycopg.Connection, per_person=PER_PERSON) -> list[str]:
    rows = conn.execute(
        """SELECT c.conname, src_n.nspname || '.' || src.relname, dst_n.nspname || '.' || dst.relname
             FROM pg_constraint c
             JOIN pg_class src ON src.oid = c.conrelid JOIN pg_namespace src_n ON src_n.oid = src.relnamespace
             JOIN pg_class dst ON dst.oid = c.confrelid JOIN pg_namespace dst_n ON dst_n.oid = dst.relnamespace
            WHERE c.contype = 'f' AND c.conparentid = 0 AND src_n.nspname = ANY (%s)""",
        (list(SCHEMAS),)).fetchall()
    distributed = set(per_person) | set(OWN_DISTRIBUTION)
    problems = []
    for name, src, dst in rows:
        if src in per_person and dst not in REFERENCE:
            problems.append(f"foreign key {name}: per-person {src} references {dst}, not a reference table")
        if src in REFERENCE and dst in distributed:
            problems.append(f"foreign key {name}: reference table {src} references distributed {dst}")
    return problems


# -- rule 1: everything has a planned distribution -----------------------------------------


def test_every_table_has_a_planned_distribution(catalog: psycopg.Connection) -> None:
    assert classification_problems(catalog) == []


def test_an_unclassified_table_is_flagged(catalog: psycopg.Connection) -> None:
    with rolled_back(catalog):
        catalog.execute("CREATE TABLE sessions_stages.scale_out_probe (alias_id text NOT NULL PRIMARY KEY)")
        problems = classification_problems(catalog)
    assert any("sessions_stages.scale_out_probe has no planned distribution" in p for p in problems)
    assert any("scale_out_probe has an alias_id column" in p for p in problems)


# -- rule 2: keys ----------------------------------------------------------------------------


@pytest.mark.parametrize("table", PER_PERSON)
def test_per_person_key_leads_with_alias_id(catalog: psycopg.Connection, table: str) -> None:
    assert key_problems(catalog, table, "alias_id", needs_pk=table not in NO_PRIMARY_KEY) == []


@pytest.mark.parametrize("table", sorted(OWN_DISTRIBUTION))
def test_own_distribution_column_leads_the_key(catalog: psycopg.Connection, table: str) -> None:
    column = OWN_DISTRIBUTION[table]
    problems = key_problems(catalog, table, column)
    if table.startswith("attrib."):   # (source_table, row_hash): includes row_hash, which is what Citus needs
        problems = [p for p in problems if "does not lead with" not in p]
    assert problems == []


def test_key_rule_flags_a_bad_key(catalog: psycopg.Connection) -> None:
    with rolled_back(catalog):
        catalog.execute("CREATE TABLE sessions_stages.scale_out_probe (session_id text PRIMARY KEY, alias_id text)")
        catalog.execute("CREATE UNIQUE INDEX ON sessions_stages.scale_out_probe (session_id)")
        problems = key_problems(catalog, "sessions_stages.scale_out_probe", "alias_id")
    assert any("alias_id is nullable" in p for p in problems)
    assert any("does not lead with alias_id" in p for p in problems)
    assert any("lacks alias_id" in p for p in problems)


# -- rule 3: no UPDATE of alias_id in place ----------------------------------------------------


def test_no_statement_updates_alias_id_in_place() -> None:
    found = all_updates()
    assert [u for u in found if updates_alias_id_in_place(u)] == []
    # what the rule looked at: the one UPDATE of alias_id is message_index's, distributed by message_id
    assert [(u.table, u.columns) for u in found if "alias_id" in u.columns] == \
        [("partitioning.message_index", ("alias_id",))]
    assert {u.table for u in found} >= {"sessions_stages.dirty_aliases", "attrib.run_log", "aliasing.owners"}


@pytest.mark.parametrize("sql", [
    "UPDATE sessions.attribution SET alias_id = 'new' WHERE alias_id = 'old';",
    "UPDATE sessions.attribution AS a SET blog_url = NULL, alias_id = 'new' FROM x WHERE true;",
    "UPDATE ONLY partitioning.events e SET (alias_id, event_ts) = ('a', now());",
    "update sessions_stages.all_sessions set \"alias_id\" = 'x'",
    "UPDATE events SET alias_id = 'x';",
    "INSERT INTO sessions_stages.dirty_aliases AS d (alias_id) VALUES ('a')\n"
    "  ON CONFLICT (alias_id) DO UPDATE SET alias_id = EXCLUDED.alias_id;",
    "MERGE INTO sessions.user_session_counts u USING s ON u.alias_id = s.alias_id\n"
    "  WHEN MATCHED THEN UPDATE SET alias_id = s.new_alias;",
    "EXECUTE format($q$UPDATE %I.%I SET alias_id = $1$q$, v_schema, v_table);",
])
def test_update_rule_flags_an_update_of_alias_id(sql: str) -> None:
    assert any(updates_alias_id_in_place(u) for u in updates(sql)), sql


@pytest.mark.parametrize("sql", [
    "-- UPDATE sessions.attribution SET alias_id = 'x'\nSELECT 1;",
    "RAISE EXCEPTION 'x' USING HINT = 'UPDATE sessions.attribution SET alias_id = 1';",
    "UPDATE partitioning.message_index mi SET alias_id = m.new_alias FROM moved m WHERE true;",
    "UPDATE sessions_stages.dirty_aliases SET sessionized = true WHERE alias_id = 'a';",
    "INSERT INTO sessions_stages.dirty_aliases AS d (alias_id) VALUES ('a')\n"
    "  ON CONFLICT (alias_id) DO UPDATE SET sessionized = false WHERE d.alias_id = 'a';",
])
def test_update_rule_passes_what_is_allowed(sql: str) -> None:
    assert not any(updates_alias_id_in_place(u) for u in updates(sql)), sql


# -- rule 4: windows partitioned by alias_id -----------------------------------------------------


def test_every_window_is_partitioned_by_alias_id() -> None:
    found = all_windows()
    assert window_violations(found) == []
    # what the rule looked at: sessionize's lag() and running count over the events and its
    # per-alias figures over the landing rows, attribute's per-alias max/sum over the stage
    # sessions, and ingest's documented exception (a byte-order grouping, COLLATE "C",
    # partitions by the same key)
    covered = {(Path(w.file).name, re.sub(r'\s+COLLATE\s+"C"', "", w.partition_by)) for w in found}
    assert {("sessionize.sql", "e.alias_id"), ("sessionize.sql", "ev.alias_id"), ("sessionize.sql", "w.alias_id"),
            ("attribute.sql", "s.alias_id"), ("attribute.sql", "t.alias_id")} <= covered
    assert set(WINDOW_EXCEPTIONS) <= covered, "an exception no longer matches any window: remove it"


@pytest.mark.parametrize("sql", [
    "SELECT row_number() OVER (PARTITION BY e.anonymous_id ORDER BY e.event_ts) FROM partitioning.events e;",
    "SELECT sum(x) OVER () FROM sessions.all_sessions;",
    "SELECT lag(event_ts) OVER (ORDER BY event_ts) FROM partitioning.events;",
    "SELECT lag(event_ts) OVER w FROM partitioning.events WINDOW w AS (PARTITION BY message_id);",
    "SELECT lag(event_ts) OVER undefined_w FROM partitioning.events;",
    "SELECT lag(ts) OVER a, count(*) OVER b FROM t WINDOW a AS (PARTITION BY alias_id), b AS (PARTITION BY message_id);",
])
def test_window_rule_flags_a_window_not_by_alias(sql: str) -> None:
    assert window_violations(windows(sql)), sql


@pytest.mark.parametrize("sql", [
    "SELECT lag(ts) OVER (PARTITION BY \"alias_id\", session_number ORDER BY ts) FROM t;",
    "SELECT count(*) OVER (PARTITION BY e.alias_id ORDER BY e.event_ts ROWS UNBOUNDED PRECEDING) FROM t e;",
    "SELECT lag(ts) OVER w, lead(ts) OVER (w ORDER BY ts) FROM t WINDOW w AS (PARTITION BY alias_id);",
    "SELECT lag(ts) OVER a, count(*) OVER b FROM t WINDOW a AS (PARTITION BY alias_id), b AS (PARTITION BY alias_id, n);",
    "-- SELECT sum(x) OVER () FROM t\nSELECT 1;",
])
def test_window_rule_passes_windows_by_alias(sql: str) -> None:
    assert window_violations(windows(sql)) == [], sql


# -- rule 5: foreign keys ------------------------------------------------------------------------


def test_no_foreign_key_from_a_per_person_table_to_a_non_reference_table(catalog: psycopg.Connection) -> None:
    assert foreign_key_problems(catalog) == []


def test_foreign_key_rule_flags_a_bad_reference(catalog: psycopg.Connection) -> None:
    with rolled_back(catalog):
        catalog.execute("ALTER TABLE sessions_stages.signups ADD CONSTRAINT scale_out_probe "
                        "FOREIGN KEY (alias_id) REFERENCES sessions_stages.dirty_aliases (alias_id)")
        catalog.execute("ALTER TABLE aliasing.owners ADD CONSTRAINT scale_out_probe_2 "
                        "FOREIGN KEY (anonymous_id) REFERENCES partitioning.message_index (message_id)")
        problems = foreign_key_problems(catalog)
    assert any("scale_out_probe: per-person sessions_stages.signups" in p for p in problems)
    assert any("scale_out_probe_2: reference table aliasing.owners" in p for p in problems)


# -- the deploy distributes as planned ------------------------------------------------------------


def test_the_deploy_distributes_as_planned(catalog: psycopg.Connection) -> None:
    """attrib._distribution (what `attrib deploy` does on Citus) is the plan of these lists: reference tables
    first (setting_rules before settings, whose guard reads it), events before the tables co-located with it."""
    rows = catalog.execute("SELECT table_name, kind, column_name, colocate_with FROM attrib._distribution()").fetchall()
    assert {t for t, kind, _, _ in rows if kind == "reference"} == set(REFERENCE)
    assert {t: c for t, kind, c, _ in rows if kind == "distributed" and c != "alias_id"} == OWN_DISTRIBUTION
    assert {t for t, kind, c, _ in rows if kind == "distributed" and c == "alias_id"} == set(PER_PERSON)
    assert {t for t, *_ in rows}.isdisjoint(COORDINATOR)
    order = [t for t, *_ in rows]
    assert order.index("attrib.setting_rules") < order.index("attrib.settings")
    assert all(order.index("partitioning.events") < order.index(t) for t in PER_PERSON if t != "partitioning.events")
    assert all(colocate == "partitioning.events" for t, _, c, colocate in rows
               if c == "alias_id" and t != "partitioning.events")
