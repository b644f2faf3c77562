"""A run between two stages is running: attrib.runs also asks the run lease.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06
"""

from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0021_run_between_stages.sql")


def downgrade() -> None:
    op.run_sql_file("0021_run_between_stages.down.sql")
