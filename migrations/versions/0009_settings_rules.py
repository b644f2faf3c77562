"""Settings validated when written: a rule per setting, checked by a trigger and before every run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0009_settings_rules.sql")


def downgrade() -> None:
    op.run_sql_file("0009_settings_rules.down.sql")
