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
from .errors import AttribError
from .paths import alembic_ini, project_root


# Notices PostgreSQL emits for IF [NOT] EXISTS / CASCADE are noise to a user
# (a fresh deploy's migrations drop what older releases had, if it is there).
# On Citus: objects created before their tables are distributed stay local until attrib._distribute
# puts them on every node, and distributing a table copies its rows.
_ROUTINE_NOTICE = re.compile(r"already exists, skipping|does not exist, skipping|^drop cascades to"
                             r"|that is not in Citus' metadata$|^Copying data from local table|^copying the data has")


@dataclass
class DeployResult:
    revision_before: str | None
    revision_after: str | None
    procedures_applied: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    source_actions: list[str] = field(default_factory=list)  # what --grant-source did (attrib._grant_source)
    distribution_actions: list[str] = field(default_factory=list)  # what attrib._distribute did on Citus

    @property
    def changed(self) -> bool:
        return (self.revision_before != self.revision_after or bool(self.procedures_applied)
                or bool(self.distribution_actions))


def wants_distribution(driver, requested: bool | None) -> bool:
    """Whether this deploy distributes the tables on Citus: when the citus extension is installed
    (requested None), always with --distribute (an error without Citus), never with --no-distribute."""
    if requested is False:
        return False
    citus = driver.execute("SELECT EXISTS (SELECT FROM pg_catalog.pg_extension WHERE extname = 'citus')").fetchone()[0]
    if requested and not citus:
        raise AttribError("--distribute: the citus extension is not installed in this database.\n"
                          "HINT: add citus to shared_preload_libraries (first), CREATE EXTENSION citus, add the "
                          "workers (citus_add_node), then deploy again; see docs/scale-out.md.")
    return citus


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
    result = DeployResult(before, after, list(cfg.attributes.get("procedures_applied", [])), notices,
                          distribution_actions=list(cfg.attributes.get("distribution_actions", [])))
    return result, cfg


def upgrade(dsn: str, roles: dict[str, str | None] | None = None, grant_source: bool = False,
            revision: str = "head", distribute: bool | None = None) -> DeployResult:
    """Migrate to head, apply changed procedures and grant the roles, in one transaction.

    `roles` names the owner, runner and reader roles (None: keep the
    deployed names, else the defaults). `grant_source` also lets attrib read
    the source tables and indexes their load time (attrib._grant_source).
    `revision` stops at an earlier revision, with no procedures (the upgrade
    tests use it to build the database an older release left). `distribute`:
    on Citus, distribute the tables (None: when the citus extension is
    installed; see wants_distribution).
    """
    def action(cfg: Config, connection) -> None:
        cfg.attributes["roles"] = roles or {}
        cfg.attributes["distribute"] = distribute
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
