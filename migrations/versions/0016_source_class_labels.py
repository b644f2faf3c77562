"""Bounded name matching: an index on the label count of attrib.source_classes names.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0016_source_class_labels.sql")


def downgrade() -> None:
    op.run_sql_file("0016_source_class_labels.down.sql")
