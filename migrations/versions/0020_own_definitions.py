"""Comments cite attrib's own definitions (docs/definitions.md), not a specification outside the repository.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-09
"""

from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0020_own_definitions.sql")


def downgrade() -> None:
    # Nothing to undo that matters: the comments are documentation, and the
    # references they held before pointed at a file the repository never had.
    pass
