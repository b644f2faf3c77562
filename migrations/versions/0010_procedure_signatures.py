"""Deploy records each procedure file's object signature, so changed signatures and removed files are dropped.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0010_procedure_signatures.sql")


def downgrade() -> None:
    op.execute("ALTER TABLE attrib.deployed_procedures DROP COLUMN IF EXISTS signature")
