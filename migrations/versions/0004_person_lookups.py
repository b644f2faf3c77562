"""Lookups by person (message_index, alias_months) so increments prune monthly partitions.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-28
"""

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0004_person_lookups.sql")


def downgrade() -> None:
    op.run_sql_file("0004_person_lookups.down.sql")
