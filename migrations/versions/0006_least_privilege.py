"""Least privilege: role names, a run lease only attrib can take, test faults behind a switch.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03
"""

from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0006_least_privilege.sql")


def downgrade() -> None:
    op.run_sql_file("0006_least_privilege.down.sql")
