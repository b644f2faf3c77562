"""Source rows are hashed with SHA-256; rows taken in before keep their md5 (ingest_state.md5_until).

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0022_row_hash_sha256.sql")


def downgrade() -> None:
    # Rows taken in with SHA-256 are not known again by an older release:
    # re-read, they would count as duplicates of themselves. `attrib run
    # --full` after the downgrade rebuilds every hash with md5.
    op.execute("ALTER TABLE attrib.ingest_state DROP COLUMN md5_until")
