"""Reports for the growth team (definitions §10), revenue_source, and a comment on every output column.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-12
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0012_reports.sql")


def downgrade() -> None:
    for view in ("revenue_unmatched", "revenue_by_channel", "ltv_by_first_touch", "user_revenue",
                 "retention_by_first_touch", "conversions_by_channel"):
        op.execute(f"DROP VIEW IF EXISTS sessions.{view}")
    op.execute("DROP TABLE IF EXISTS attrib.user_revenue")
    op.execute("DROP TABLE IF EXISTS attrib.revenue_unmatched")
    # _load_revenue reads the tables just dropped: forget its checksum so an upgrade re-applies it.
    op.execute("DROP FUNCTION IF EXISTS attrib._load_revenue()")
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name IN ('_load_revenue.sql', 'attribute.sql')")
    # the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
    op.execute("ALTER TABLE attrib.settings DISABLE TRIGGER USER")
    op.execute("DELETE FROM attrib.settings WHERE name = 'revenue_source'")
    op.execute("ALTER TABLE attrib.settings ENABLE TRIGGER USER")
    # signups_by_week as revision 0001 made it (week in the session's time zone, timestamptz)
    op.execute("DROP VIEW IF EXISTS sessions.signups_by_week")
    op.execute("CREATE VIEW sessions.signups_by_week AS SELECT date_trunc('week', signup_timestamp) AS week, "
               "first_touch_channel, count(*) AS signups FROM sessions.attribution GROUP BY 1, 2")
