"""Reports for the growth team (definitions §10), revenue_source, and a comment on every output column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0012_reports.sql")


def downgrade() -> None:
    op.run_sql_file("0012_reports.down.sql")
