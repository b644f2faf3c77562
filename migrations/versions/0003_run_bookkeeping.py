"""Run bookkeeping: run_log attempts and started_by, the attrib.runs view, test-only faults.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

from pathlib import Path

from alembic import context, op

from attrib.procedures import run_script

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parent.parent / "sql" / "0003_run_bookkeeping.sql"


def upgrade() -> None:
    sql = SQL.read_text()
    if context.is_offline_mode():
        op.execute(sql)
    else:
        run_script(op.get_bind(), sql)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS attrib.test_faults")
    op.execute("DROP VIEW IF EXISTS attrib.runs")
    op.execute("DROP INDEX IF EXISTS attrib.run_log_running_idx")
    op.execute("ALTER TABLE attrib.run_log DROP COLUMN IF EXISTS started_by, DROP COLUMN IF EXISTS attempts")
