"""Repeatable deployment of procedures/*.sql, keyed by checksum.

Each file holds one function or procedure (`CREATE OR REPLACE`). A file is
(re)applied when its checksum differs from the one recorded in
attrib.deployed_procedures, so deploying twice changes nothing and an edited
file reaches the database with one `attrib deploy`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import psycopg

from .paths import procedures_dir, project_root


@dataclass(frozen=True)
class Procedure:
    name: str
    sql: str
    checksum: str


def load(directory: Path | None = None) -> list[Procedure]:
    directory = directory or procedures_dir()
    items = []
    for path in sorted(directory.glob("*.sql")):
        sql = path.read_text()
        items.append(Procedure(path.name, sql, hashlib.sha256(sql.encode()).hexdigest()))
    return items


def run_script(connection, sql: str) -> None:
    """Run a multi-statement SQL script verbatim on a SQLAlchemy connection.

    Goes to psycopg directly with no parameters, so neither SQLAlchemy's
    `:name` binds nor the driver's `%` placeholders touch the text.
    """
    connection.connection.driver_connection.execute(sql)


def run_migration_sql(name: str) -> None:
    """Run migrations/sql/NAME from a migration: verbatim online, printed with `deploy --sql`."""
    run_migration_text((project_root() / "migrations" / "sql" / name).read_text())


def run_migration_text(sql: str) -> None:
    """Run a SQL script from a migration: verbatim online, printed with `deploy --sql`."""
    from alembic import context, op

    if context.is_offline_mode():
        op.execute(sql)
    else:
        run_script(op.get_bind(), sql)


def apply(connection, directory: Path | None = None) -> list[str]:
    """Apply changed procedure files inside the caller's transaction; return their names."""
    deployed = dict(connection.exec_driver_sql(
        "SELECT file_name, checksum FROM attrib.deployed_procedures").fetchall())
    changed = [p for p in load(directory) if deployed.get(p.name) != p.checksum]
    if not changed:
        return []
    # PL/pgSQL bodies may call functions defined in files applied later in
    # this loop; BEGIN ATOMIC bodies are bound when created, so a file whose
    # body names a function not created yet waits for the next pass.
    connection.exec_driver_sql("SET LOCAL check_function_bodies = off")
    pending = list(changed)
    while pending:
        waiting: list[tuple[Procedure, psycopg.Error]] = []
        for item in pending:
            connection.exec_driver_sql("SAVEPOINT attrib_procedure")
            try:
                run_script(connection, item.sql)
            except (psycopg.errors.UndefinedFunction, psycopg.errors.UndefinedTable) as exc:
                connection.exec_driver_sql("ROLLBACK TO SAVEPOINT attrib_procedure")
                waiting.append((item, exc))
                continue
            connection.exec_driver_sql("RELEASE SAVEPOINT attrib_procedure")
            connection.exec_driver_sql(
                "INSERT INTO attrib.deployed_procedures (file_name, checksum) VALUES (%s, %s) "
                "ON CONFLICT (file_name) DO UPDATE SET checksum = EXCLUDED.checksum, deployed_at = pg_catalog.now()",
                (item.name, item.checksum),
            )
        if len(waiting) == len(pending):  # no progress: a name that no file defines
            item, exc = waiting[0]
            raise exc
        pending = [item for item, _ in waiting]
    return [p.name for p in changed]
