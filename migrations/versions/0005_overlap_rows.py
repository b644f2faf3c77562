"""attrib.overlap_rows: re-reads of the ingest overlap skip rows already taken in.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0005_overlap_rows.sql")


def downgrade() -> None:
    op.run_sql_file("0005_overlap_rows.down.sql")
