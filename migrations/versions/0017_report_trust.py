"""A report to trust: min_sample and currency settings, retention and LTV per signup day.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0017_report_trust.sql")


def downgrade() -> None:
    op.run_sql_file("0017_report_trust.down.sql")
