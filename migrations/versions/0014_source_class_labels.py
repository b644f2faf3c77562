"""Bounded name matching: an index on the label count of attrib.source_classes names.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0014_source_class_labels.sql")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS attrib.source_classes_label_count")
