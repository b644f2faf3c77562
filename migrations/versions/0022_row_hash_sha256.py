"""Source rows are hashed with SHA-256; rows taken in before keep their md5 (ingest_state.md5_until).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0022_row_hash_sha256.sql")


def downgrade() -> None:
    op.run_sql_file("0022_row_hash_sha256.down.sql")
