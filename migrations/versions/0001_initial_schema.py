"""Initial schema: extensions, schemas, settings, events, identity, sessions, run log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from attrib.procedures import run_migration_sql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0001_upgrade.sql")


def downgrade() -> None:
    run_migration_sql("0001_downgrade.sql")
