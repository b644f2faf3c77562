"""attrib.state (untyped key/value) becomes attrib.pipeline_state and attrib.months_written.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0011_typed_state.sql")


def downgrade() -> None:
    op.run_sql_file("0011_typed_state.down.sql")
