"""Hostile data: oversized, forgotten and bad_timestamp rejects, copies, erasure, poisoned watermarks repaired.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0008"
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0008_hostile_data.sql")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS attrib.forgotten")
    op.execute("ALTER TABLE attrib.overlap_rows DROP COLUMN IF EXISTS copies")
    op.execute("ALTER TABLE attrib.duplicates DROP COLUMN IF EXISTS copies")
    op.execute("ALTER TABLE attrib.rejects DROP COLUMN IF EXISTS copies")
    op.execute("DELETE FROM attrib.settings WHERE name IN ('max_id_length', 'oldest_event_ts')")
