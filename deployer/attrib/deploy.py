"""Bring a database to the current schema and procedures with Alembic."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from typing import Callable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from . import db
from .paths import alembic_ini, project_root


# Notices PostgreSQL emits for IF [NOT] EXISTS / CASCADE are noise to a user
# (a fresh deploy's migrations drop what older releases had, if it is there).
_ROUTINE_NOTICE = re.compile(r"already exists, skipping|does not exist, skipping|^drop cascades to")


@dataclass
class DeployResult:
    revision_before: str | None
    revision_after: str | None
    procedures_applied: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    source_actions: list[str] = field(default_factory=list)  # what --grant-source did (attrib._grant_source)

    @property
    def changed(self) -> bool:
        return self.revision_before != self.revision_after or bool(self.procedures_applied)


def _config(stdout: io.TextIOBase | None = None) -> Config:
    cfg = Config(str(alembic_ini()), stdout=stdout) if stdout else Config(str(alembic_ini()))
    return cfg


def head_revision() -> str | None:
    return ScriptDirectory.from_config(_config()).get_current_head()


def _current(connection) -> str | None:
    return MigrationContext.configure(connection, opts={"version_table_schema": "public"}).get_current_revision()


def preflight_sql() -> str:
    """The check every deploy runs first (migrations/sql/deploy_preflight.sql)."""
    return (project_root() / "migrations" / "sql" / "deploy_preflight.sql").read_text()


def check_schemas(driver, owner_role: str | None) -> None:
    """Run the preflight on a psycopg connection, in its transaction: 42501, with what to do, when a
    schema deploy creates or uses is another role's to write in (see deploy_preflight.sql)."""
    if owner_role:
        driver.execute("SELECT pg_catalog.set_config('attrib.deploy_owner_role', %s, true)", (owner_role,))
    driver.execute(preflight_sql())


def _with_connection(dsn: str, action: Callable[[Config, object], None],
                     owner_role: str | None = None) -> tuple[DeployResult, Config]:
    engine = db.engine(dsn)
    notices: list[str] = []
    with engine.connect() as connection:
        connection.connection.driver_connection.add_notice_handler(
            lambda diag: None if _ROUTINE_NOTICE.search(diag.message_primary or "")
            else notices.append(diag.message_primary or ""))
        # before Alembic reads its version table: that read, too, must not run anyone else's code;
        # rolled back, the migrations' transaction checks again (env.py) and keeps what it creates
        check_schemas(connection.connection.driver_connection, owner_role)
        connection.connection.driver_connection.rollback()
        before = _current(connection)
        connection.commit()
        cfg = _config()
        cfg.attributes["connection"] = connection
        action(cfg, connection)
        connection.commit()
        after = _current(connection)
        connection.commit()
    engine.dispose()
    result = DeployResult(before, after, list(cfg.attributes.get("procedures_applied", [])), notices)
    return result, cfg


def upgrade(dsn: str, roles: dict[str, str | None] | None = None, grant_source: bool = False,
            revision: str = "head") -> DeployResult:
    """Migrate to head, apply changed procedures and grant the roles, in one transaction.

    `roles` names the owner, runner and reader roles (None: keep the
    deployed names, else the defaults). `grant_source` also lets attrib read
    the source tables and indexes their load time (attrib._grant_source).
    `revision` stops at an earlier revision, with no procedures (the upgrade
    tests use it to build the database an older release left).
    """
    def action(cfg: Config, connection) -> None:
        cfg.attributes["roles"] = roles or {}
        command.upgrade(cfg, revision)
        if grant_source:
            cfg.attributes["source_actions"] = list(
                connection.exec_driver_sql("SELECT s FROM attrib._grant_source() s").scalars())

    result, cfg = _with_connection(dsn, action, (roles or {}).get("owner"))
    result.source_actions = list(cfg.attributes.get("source_actions", []))
    return result


def downgrade(dsn: str, revision: str = "base") -> DeployResult:
    result, _ = _with_connection(dsn, lambda cfg, _c: command.downgrade(cfg, revision))
    return result


def upgrade_sql() -> str:
    """The SQL `upgrade` would run on an empty database (offline mode)."""
    buffer = io.StringIO()
    cfg = _config(stdout=buffer)
    cfg.output_buffer = buffer
    command.upgrade(cfg, "head", sql=True)
    return buffer.getvalue()
