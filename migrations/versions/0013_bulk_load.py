"""What a fast first load needs: sessions_stages.ingest_agents, a work table parallel workers can read.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0013_bulk_load.sql")


def downgrade() -> None:
    op.run_sql_file("0013_bulk_load.down.sql")
