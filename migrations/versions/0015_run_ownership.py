"""The database owns a run: stages as data, a one-level lease with its run id, armed test faults.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0015_run_ownership.sql")


def downgrade() -> None:
    op.run_sql_file("0015_run_ownership.down.sql")
