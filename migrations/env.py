"""Alembic environment for attrib.

Versioned migrations (migrations/versions/) own extensions, schemas and
tables. Functions and procedures live in procedures/ and are applied as
*repeatable* scripts after the versioned migrations whenever the database
is at head: each file is re-run when its checksum changes (Flyway's R__
scripts), so editing a .sql file and running `attrib deploy` is the whole
path to production. See README, "Changing a procedure".
"""

from __future__ import annotations

from pathlib import Path

from alembic import context
from alembic.operations import MigrateOperation, Operations
from alembic.script import ScriptDirectory

from attrib import db, deploy, procedures

config = context.config


# -- op.run_sql_file: the one thing a revision does ---------------------------
# Every revision is a stub that runs its own frozen files, migrations/sql/
# NNNN_name.sql (and NNNN_name.down.sql); see migrations/README.md. Nothing
# here reads application code, so replaying a revision later runs the same
# text. Kept in this file because Alembic loads the stubs without a package.

SQL_DIR = Path(__file__).resolve().parent / "sql"


@Operations.register_operation("run_sql_file")
class RunSqlFileOp(MigrateOperation):
    """Run migrations/sql/NAME verbatim: online as one script, printed as it is with `deploy --sql`."""

    def __init__(self, name: str) -> None:
        self.name = name

    @classmethod
    def run_sql_file(cls, operations: Operations, name: str) -> None:
        return operations.invoke(cls(name))


@Operations.implementation_for(RunSqlFileOp)
def _run_sql_file(operations: Operations, operation: RunSqlFileOp) -> None:
    sql = (SQL_DIR / operation.name).read_text()
    migration = operations.migration_context
    if migration.as_sql:
        # verbatim: op.execute would compile it for a driver and double every %
        migration.impl.static_output(sql.rstrip() + "\n")
    else:
        # to psycopg directly with no parameters: neither SQLAlchemy's :name binds nor the
        # driver's % placeholders touch the text, and one call runs every statement in it
        operations.get_bind().connection.driver_connection.execute(sql)


def _at_head(connection) -> bool:
    heads = set(ScriptDirectory.from_config(config).get_heads())
    current = set(context.get_context().get_current_heads())
    return bool(heads) and current == heads


def run_migrations_offline() -> None:
    context.configure(url="postgresql+psycopg://", literal_binds=True, dialect_name="postgresql",
                      version_table_schema="public")
    out = context.get_context().impl.static_output
    with context.begin_transaction():
        out("SET search_path = pg_catalog, pg_temp;\n")
        # what an online deploy checks before anything else (attrib.deploy._preflight)
        out(deploy.preflight_sql().rstrip() + "\n")
        context.run_migrations()
        # what an online deploy does at head: procedures (callees first, see
        # procedures.in_dependency_order), their checksums, the role grants
        out("SET check_function_bodies = off;\n")
        for item in procedures.in_dependency_order(procedures.load()):
            out(item.sql.rstrip() + "\n")
            out(f"INSERT INTO attrib.deployed_procedures (file_name, checksum) "
                f"VALUES ('{item.name}', '{item.checksum}');\n")
        out("SELECT attrib._grant_privileges(NULL, NULL, NULL);\n")


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
        # Names resolve through trusted schemas only: a function or operator
        # that another role planted in a schema on the deployer's search_path
        # (public, say) never runs with the deployer's rights.
        connection.exec_driver_sql("SET LOCAL search_path = pg_catalog, pg_temp")
        connection.exec_driver_sql("SELECT pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('attrib.deploy'))")
        # No schema deploy creates or uses may be another role's to write in; checked in this
        # transaction, which also creates partman when missing, so nobody can slip one in before
        # the migration that installs pg_partman there (see migrations/sql/deploy_preflight.sql).
        roles = config.attributes.get("roles") or {}
        deploy.check_schemas(connection.connection.driver_connection, roles.get("owner"))
        distribute = deploy.wants_distribution(connection.connection.driver_connection,
                                               config.attributes.get("distribute"))
        if distribute:
            # attrib.settings keeps its guard trigger once it is a reference table
            connection.exec_driver_sql("SET LOCAL citus.enable_unsafe_triggers = on")
        context.run_migrations()
        if _at_head(connection):
            grant = ("SELECT attrib._grant_privileges(%s, %s, %s)",
                     (roles.get("owner"), roles.get("runner"), roles.get("reader")))
            applied = procedures.apply(connection)
            if distribute:
                # the roles first (Citus creates them on the workers too), then the tables
                # and the owner's login on the workers (docs/scale-out.md, README Security)
                connection.exec_driver_sql(*grant)
                config.attributes["distribution_actions"] = list(connection.exec_driver_sql(
                    "SELECT a FROM attrib._distribute((SELECT r.role_name FROM attrib.roles r "
                    "WHERE r.kind = 'owner')) a").scalars())
                applied += [p for p in procedures.apply(connection) if p not in applied]
            config.attributes["procedures_applied"] = applied
            connection.exec_driver_sql(*grant)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
