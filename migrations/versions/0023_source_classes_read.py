"""The class lookup reads attrib.source_classes through a view that Citus can point at a PL/pgSQL function.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0023_source_classes_read.sql")


def downgrade() -> None:
    op.run_sql_file("0023_source_classes_read.down.sql")
