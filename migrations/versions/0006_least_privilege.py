"""Least privilege: role names, a run lease only attrib can take, test faults behind a switch.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0006"
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0006_least_privilege.sql")


def downgrade() -> None:
    op.execute("ALTER TABLE attrib.test_faults DROP CONSTRAINT IF EXISTS test_faults_sleep_bounded")
    op.execute("DROP TABLE IF EXISTS attrib.run_lease")
    op.execute("DROP TABLE IF EXISTS attrib.roles")
