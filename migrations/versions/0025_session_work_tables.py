"""Sessionize's work sets as keyed, unlogged tables (distributed with the events on Citus).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07
"""

from alembic import op

revision = "0025"
down_revision = "0024"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0025_session_work_tables.sql")


def downgrade() -> None:
    op.run_sql_file("0025_session_work_tables.down.sql")
