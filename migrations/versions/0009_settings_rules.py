"""Settings validated when written: a rule per setting, checked by a trigger and before every run.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-10
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0009_settings_rules.sql")


def downgrade() -> None:
    # The trigger and its function come from procedures/settings/_settings_guard.sql;
    # forget its checksum so the next upgrade creates the trigger again.
    op.execute("DROP TRIGGER IF EXISTS settings_guard ON attrib.settings")
    op.execute("DROP TRIGGER IF EXISTS settings_guard_truncate ON attrib.settings")
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name IN "
               "('_settings_guard.sql', '_setting_check.sql', '_check_settings.sql')")
    op.execute("DROP TABLE IF EXISTS attrib.setting_rules")
