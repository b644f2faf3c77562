"""attrib.state (untyped key/value) becomes attrib.pipeline_state and attrib.months_written.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0011_typed_state.sql")


def downgrade() -> None:
    op.execute("CREATE TABLE attrib.state (key text PRIMARY KEY, value jsonb NOT NULL)")
    op.execute("DROP TABLE attrib.months_written")
    op.execute("DROP TABLE attrib.pipeline_state")
