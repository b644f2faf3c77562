"""The class lookup reads attrib.source_classes through a view that Citus can point at a PL/pgSQL function.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0022_source_classes_read.sql")


def downgrade() -> None:
    # attrib.source_match (and the functions bound to it) read the view: they go with it, and the
    # next upgrade creates them again (attrib.procedures.apply re-applies a file whose object is gone)
    op.execute("DROP VIEW IF EXISTS attrib._source_classes CASCADE")
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name = '_source_class_rows.sql'")
    op.execute("DROP FUNCTION IF EXISTS attrib._source_class_rows()")
