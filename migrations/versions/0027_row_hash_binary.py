"""Source rows are hashed from their binary form; rows taken in before keep their text form's hash.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-07
"""

from alembic import op

revision = "0027"
down_revision = "0026"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0027_row_hash_binary.sql")


def downgrade() -> None:
    op.run_sql_file("0027_row_hash_binary.down.sql")
