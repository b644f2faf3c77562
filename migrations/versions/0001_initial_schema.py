"""Initial schema: extensions, schemas, settings, events, identity, sessions, run log.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

from pathlib import Path

from alembic import context, op

from attrib.procedures import run_script

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SQL_DIR = Path(__file__).resolve().parent.parent / "sql"


def _script(name: str) -> None:
    sql = (SQL_DIR / name).read_text()
    if context.is_offline_mode():
        op.execute(sql)
    else:
        run_script(op.get_bind(), sql)


def upgrade() -> None:
    _script("0001_upgrade.sql")


def downgrade() -> None:
    _script("0001_downgrade.sql")
