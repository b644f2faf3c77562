"""Partitions of partitioning.events made by anyone belong to attrib's owner (pg_partman inherit_privileges).

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07
"""

from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0024_partition_owner.sql")


def downgrade() -> None:
    op.run_sql_file("0024_partition_owner.down.sql")
