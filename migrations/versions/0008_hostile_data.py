"""Hostile data: oversized, forgotten and bad_timestamp rejects, copies, erasure, poisoned watermarks repaired.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0008_hostile_data.sql")


def downgrade() -> None:
    op.run_sql_file("0008_hostile_data.down.sql")
