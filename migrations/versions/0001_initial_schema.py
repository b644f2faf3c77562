"""Initial schema: extensions, schemas, settings, events, identity, sessions, run log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0001_initial_schema.sql")


def downgrade() -> None:
    op.run_sql_file("0001_initial_schema.down.sql")
