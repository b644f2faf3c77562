"""What a fast first load needs: sessions_stages.ingest_agents, a work table parallel workers can read.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0013_bulk_load.sql")


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS sessions_stages.ingest_agents")
    op.execute("ALTER TABLE sessions_stages.dirty_aliases RESET (fillfactor)")
    # the ingest steps of this revision read the table just dropped: an upgrade re-applies them
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name LIKE '\\_ingest\\_%' OR file_name = 'ingest.sql'")
