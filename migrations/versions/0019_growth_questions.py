"""Definitions §11: fixed-horizon LTV, spend (CAC/ROAS), the survey gut check and content read before signup.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0019_growth_questions.sql")


def downgrade() -> None:
    op.run_sql_file("0019_growth_questions.down.sql")
