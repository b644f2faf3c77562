"""Partitions of partitioning.events made by anyone belong to attrib's owner (pg_partman inherit_privileges).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0023_partition_owner.sql")


def downgrade() -> None:
    op.execute("UPDATE partman.part_config SET inherit_privileges = false WHERE parent_table = 'partitioning.events'")
