"""Shipped reference list of source classes (search, social, email, ai).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0002_source_classes.sql")


def downgrade() -> None:
    op.run_sql_file("0002_source_classes.down.sql")
