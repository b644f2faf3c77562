"""Repeatable deployment of procedures/*.sql, keyed by checksum.

Each file holds one function or procedure (`CREATE OR REPLACE`). A file is
(re)applied when its checksum differs from the one recorded in
attrib.deployed_procedures, so deploying twice changes nothing and an edited
file reaches the database with one `attrib deploy`.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .paths import procedures_dir


@dataclass(frozen=True)
class Procedure:
    name: str
    sql: str
    checksum: str


def load(directory: Path | None = None) -> list[Procedure]:
    """Every procedure file under the folder (grouped in layers: stages/, rules/, run/, ...).

    A file is known by its base name (one object, named after it), so moving
    it to another layer redeploys nothing; two files of one name are an error.
    """
    directory = directory or procedures_dir()
    items: dict[str, Procedure] = {}
    for path in sorted(directory.rglob("*.sql"), key=lambda p: p.name):
        if path.name in items:
            raise ValueError(f"two procedure files are called {path.name}: each object has one file")
        sql = path.read_text()
        items[path.name] = Procedure(path.name, sql, hashlib.sha256(sql.encode()).hexdigest())
    return list(items.values())


def run_script(connection, sql: str) -> None:
    """Run a multi-statement SQL script verbatim on a SQLAlchemy connection.

    Goes to psycopg directly with no parameters, so neither SQLAlchemy's
    `:name` binds nor the driver's `%` placeholders touch the text.
    """
    connection.connection.driver_connection.execute(sql)


_DEFINES = re.compile(r"CREATE\s+OR\s+REPLACE\s+(?:FUNCTION|PROCEDURE)\s+attrib\.(\w+)", re.I)
_CALLS = re.compile(r"\battrib\.(\w+)\s*\(")


def in_dependency_order(items: list[Procedure]) -> list[Procedure]:
    """Files ordered so that each comes after the files defining the attrib functions it names.

    BEGIN ATOMIC bodies bind names when created, so `deploy --sql` (which
    cannot retry like an online deploy) must create callees first. Ties keep
    file-name order; a cycle falls back to it.
    """
    defines = {m.group(1): item.name for item in items for m in [_DEFINES.search(item.sql)] if m}
    needs = {item.name: {defines[c] for c in _CALLS.findall(re.sub(r"--[^\n]*", "", item.sql))
                         if c in defines and defines[c] != item.name} for item in items}
    ordered: list[Procedure] = []
    done: set[str] = set()
    pending = list(items)
    while pending:
        ready = [i for i in pending if needs[i.name] <= done] or pending[:1]
        for item in ready:
            ordered.append(item)
            done.add(item.name)
        pending = [i for i in pending if i.name not in done]
    return ordered


def _signatures(connection, name: str) -> set[str]:
    """The attrib functions and procedures called `name`, as regprocedure text."""
    return {r[0] for r in connection.exec_driver_sql(
        "SELECT p.oid::pg_catalog.regprocedure::text FROM pg_catalog.pg_proc p "
        "WHERE p.pronamespace = 'attrib'::pg_catalog.regnamespace AND p.proname = %s", (name,))}


def _drop_routine(connection, signature: str) -> None:
    """Drop an attrib function or procedure named by its recorded signature, if it still exists.

    The signature is read back through to_regprocedure and rendered by the
    server, so text in attrib.deployed_procedures is never spliced into SQL
    as it stands, and only a routine in schema attrib can be dropped.
    """
    routine = connection.exec_driver_sql(
        "SELECT p.oid::pg_catalog.regprocedure::text FROM pg_catalog.pg_proc p "
        "WHERE p.oid = pg_catalog.to_regprocedure(%s) AND p.pronamespace = 'attrib'::pg_catalog.regnamespace",
        (signature,)).scalar()
    if routine:
        connection.exec_driver_sql(f"DROP ROUTINE {routine}")


def _object_name(item: Procedure) -> str | None:
    found = _DEFINES.search(item.sql)
    return found.group(1) if found else None


def apply(connection, directory: Path | None = None) -> list[str]:
    """Apply changed procedure files inside the caller's transaction; return their names.

    Each file's object is recorded with its signature, so an upgrade never
    leaves a stray object behind: a file removed from procedures/ drops its
    object, and a file whose signature changed drops the old one (an
    argument change would otherwise add an overload; a return-type change
    would make CREATE OR REPLACE fail). Grants are re-applied afterwards by
    attrib._grant_privileges.
    """
    items = load(directory)
    deployed = {r[0]: (r[1], r[2]) for r in connection.exec_driver_sql(
        "SELECT file_name, checksum, signature FROM attrib.deployed_procedures").fetchall()}
    present = {item.name for item in items}
    connection.exec_driver_sql("SET LOCAL check_function_bodies = off")
    for file_name, (_, signature) in sorted(deployed.items()):
        if file_name not in present:
            if signature:
                _drop_routine(connection, signature)
            connection.exec_driver_sql("DELETE FROM attrib.deployed_procedures WHERE file_name = %s", (file_name,))
    # a file is applied when it changed, or when its object is gone although its file did not change
    # (Citus's undistribute_table drops the functions that depend on a table it converts)
    missing = {r[0] for r in connection.exec_driver_sql(
        "SELECT file_name FROM attrib.deployed_procedures "
        "WHERE signature IS NOT NULL AND pg_catalog.to_regprocedure(signature) IS NULL").fetchall()}
    changed = [p for p in items if deployed.get(p.name, (None, None))[0] != p.checksum or p.name in missing]
    # PL/pgSQL bodies may call functions defined in files applied later in
    # this loop; BEGIN ATOMIC bodies are bound when created, so a file whose
    # body names a function not created yet waits for the next pass.
    pending = in_dependency_order(changed)
    while pending:
        waiting: list[tuple[Procedure, psycopg.Error]] = []
        for item in pending:
            name = _object_name(item)
            recorded = deployed.get(item.name, (None, None))[1]
            before = _signatures(connection, name) if name else set()
            connection.exec_driver_sql("SAVEPOINT attrib_procedure")
            try:
                try:
                    run_script(connection, item.sql)
                except psycopg.errors.InvalidFunctionDefinition:
                    # a changed return type or OUT column: the old object goes first
                    connection.exec_driver_sql("ROLLBACK TO SAVEPOINT attrib_procedure")
                    for old in {recorded} & before or before:
                        _drop_routine(connection, old)
                    run_script(connection, item.sql)
            except (psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable) as exc:
                connection.exec_driver_sql("ROLLBACK TO SAVEPOINT attrib_procedure")
                waiting.append((item, exc))
                continue
            connection.exec_driver_sql("RELEASE SAVEPOINT attrib_procedure")
            signature = None
            if name:
                after = _signatures(connection, name)
                added = after - before
                # the file's earlier object: as recorded or, deployed before signatures were
                # recorded, the only one of its name there was
                previous = recorded if recorded else (min(before) if len(before) == 1 else None)
                if added and previous in after:  # new arguments made an overload: the old one goes
                    _drop_routine(connection, previous)
                signature = min(added) if added else (recorded if recorded in after else min(after, default=None))
            connection.exec_driver_sql(
                "INSERT INTO attrib.deployed_procedures (file_name, checksum, signature) VALUES (%s, %s, %s) "
                "ON CONFLICT (file_name) DO UPDATE SET checksum = EXCLUDED.checksum, signature = EXCLUDED.signature, "
                "deployed_at = pg_catalog.now()",
                (item.name, item.checksum, signature),
            )
        if len(waiting) == len(pending):  # no progress: a name that no file defines
            item, exc = waiting[0]
            raise exc
        pending = [item for item, _ in waiting]
    # files deployed before signatures were recorded
    for item in items:
        if item not in changed and deployed.get(item.name, (None, None))[1] is None:
            found = _signatures(connection, _object_name(item) or "")
            if len(found) == 1:
                connection.exec_driver_sql(
                    "UPDATE attrib.deployed_procedures SET signature = %s WHERE file_name = %s",
                    (found.pop(), item.name))
    return [p.name for p in changed]
