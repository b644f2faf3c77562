"""Alembic environment for attrib.

Versioned migrations (migrations/versions/) own extensions, schemas and
tables. Functions and procedures live in procedures/ and are applied as
*repeatable* scripts after the versioned migrations whenever the database
is at head: each file is re-run when its checksum changes (Flyway's R__
scripts), so editing a .sql file and running `attrib deploy` is the whole
path to production. See README, "Changing a procedure".
"""

from __future__ import annotations

from alembic import context
from alembic.script import ScriptDirectory

from attrib import db, procedures

config = context.config


def _at_head(connection) -> bool:
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = set(context.get_context().get_current_heads())
    return bool(heads) and current == heads


def run_migrations_offline() -> None:
    context.configure(url="postgresql+psycopg://", literal_binds=True, dialect_name="postgresql",
                      version_table_schema="public")
    with context.begin_transaction():
        context.run_migrations()
        for item in procedures.load():
            context.execute(item.sql)


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        engine = db.engine(db.resolve_dsn(None))
        with engine.connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, version_table_schema="public",
                      transaction_per_migration=False)
    with context.begin_transaction():
        # One deploy at a time: a second concurrent deploy waits, then finds
        # nothing to do.
        connection.exec_driver_sql("SELECT pg_advisory_xact_lock(hashtext('attrib.deploy'))")
        context.run_migrations()
        if _at_head(connection):
            applied = procedures.apply(connection)
            config.attributes["procedures_applied"] = applied


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
