"""attrib.forgotten records what kind of id each is (definitions §2): a user id or an anonymous id.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0014_typed_forgotten.sql")


def downgrade() -> None:
    op.run_sql_file("0014_typed_forgotten.down.sql")
