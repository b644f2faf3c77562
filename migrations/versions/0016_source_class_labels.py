"""Bounded name matching: an index on the label count of attrib.source_classes names.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0016_source_class_labels.sql")


def downgrade() -> None:
    op.execute("DROP INDEX IF EXISTS attrib.source_classes_label_count")
