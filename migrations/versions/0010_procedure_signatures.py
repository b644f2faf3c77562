"""Deploy records each procedure file's object signature, so changed signatures and removed files are dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0010_procedure_signatures.sql")


def downgrade() -> None:
    op.run_sql_file("0010_procedure_signatures.down.sql")
