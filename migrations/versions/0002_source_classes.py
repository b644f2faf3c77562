"""Shipped reference list of source classes (search, social, email, ai).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from pathlib import Path

from alembic import context, op

from attrib.procedures import run_script

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

SQL = Path(__file__).resolve().parent.parent / "sql" / "0002_source_classes.sql"


def upgrade() -> None:
    sql = SQL.read_text()
    if context.is_offline_mode():
        op.execute(sql)
    else:
        run_script(op.get_bind(), sql)


def downgrade() -> None:
    op.execute("DELETE FROM attrib.source_classes")
