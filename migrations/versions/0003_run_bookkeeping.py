"""Run bookkeeping: run_log attempts and started_by, the attrib.runs view, test-only faults.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0003"
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0003_run_bookkeeping.sql")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS attrib.test_faults")
    op.execute("DROP VIEW IF EXISTS attrib.runs")
    op.execute("DROP INDEX IF EXISTS attrib.run_log_running_idx")
    op.execute("ALTER TABLE attrib.run_log DROP COLUMN IF EXISTS started_by, DROP COLUMN IF EXISTS attempts")
