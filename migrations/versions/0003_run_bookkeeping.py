"""Run bookkeeping: run_log attempts and started_by, the attrib.runs view, test-only faults.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0003_run_bookkeeping.sql")


def downgrade() -> None:
    op.run_sql_file("0003_run_bookkeeping.down.sql")
