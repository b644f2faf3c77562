"""attrib.forgotten records what kind of id each is (definitions §2): a user id or an anonymous id.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0014_typed_forgotten.sql")


def downgrade() -> None:
    op.execute("ALTER TABLE attrib.forgotten DROP CONSTRAINT forgotten_pkey")
    op.execute("DELETE FROM attrib.forgotten a USING attrib.forgotten b "
               "WHERE a.id = b.id AND a.kind = 'anonymous_id' AND b.kind = 'user_id'")
    op.execute("ALTER TABLE attrib.forgotten DROP COLUMN kind")
    op.execute("ALTER TABLE attrib.forgotten ADD PRIMARY KEY (id)")
    # forget and ingest read the column just dropped: an upgrade re-applies them
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name IN ('forget.sql', '_ingest_read.sql')")
