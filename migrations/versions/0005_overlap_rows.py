"""attrib.overlap_rows: re-reads of the ingest overlap skip rows already taken in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0005"
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0005_overlap_rows.sql")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS attrib.overlap_rows")
