"""A report to trust: min_sample and currency settings, retention and LTV per signup day.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-06
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None

# The per-first-touch views as revision 0012 made them, before they became sums over the daily ones.
_RETENTION_0012 = """
CREATE OR REPLACE VIEW sessions.retention_by_first_touch AS
WITH as_of AS (SELECT max(s.session_end) AS as_of FROM sessions.all_sessions s),
signed AS (
    SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign, a.signup_timestamp,
           l.last_start, o.as_of
      FROM sessions.attribution a
     CROSS JOIN as_of o
     CROSS JOIN LATERAL (SELECT max(s.session_start) AS last_start FROM sessions.all_sessions s
                          WHERE s.alias_id = a.alias_id) l
)
SELECT g.first_touch_channel, g.first_touch_source, g.first_touch_campaign,
       count(*) AS signups,
       count(*) FILTER (WHERE g.signup_timestamp + interval '168 hours' <= g.as_of) AS eligible_7d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '168 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '168 hours') AS retained_7d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '720 hours' <= g.as_of) AS eligible_30d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '720 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '720 hours') AS retained_30d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '2160 hours' <= g.as_of) AS eligible_90d,
       count(*) FILTER (WHERE g.signup_timestamp + interval '2160 hours' <= g.as_of
                          AND g.last_start >= g.signup_timestamp + interval '2160 hours') AS retained_90d
  FROM signed g
 GROUP BY g.first_touch_channel, g.first_touch_source, g.first_touch_campaign
"""
_LTV_0012 = """
CREATE OR REPLACE VIEW sessions.ltv_by_first_touch AS
SELECT a.first_touch_channel, a.first_touch_source, a.first_touch_campaign,
       count(*) AS signups,
       count(r.alias_id) AS paying,
       coalesce(sum(r.revenue), 0) AS revenue,
       coalesce(sum(r.revenue), 0) / count(*) AS ltv
  FROM sessions.attribution a
  LEFT JOIN sessions.user_revenue r ON r.alias_id = a.alias_id
 GROUP BY a.first_touch_channel, a.first_touch_source, a.first_touch_campaign
"""


def upgrade() -> None:
    run_migration_sql("0017_report_trust.sql")


def downgrade() -> None:
    op.execute(_RETENTION_0012)
    op.execute(_LTV_0012)
    for view in ("ltv_by_signup_day", "retention_by_signup_day", "report_settings"):
        op.execute(f"DROP VIEW IF EXISTS sessions.{view}")
    # the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
    op.execute("ALTER TABLE attrib.settings DISABLE TRIGGER USER")
    op.execute("DELETE FROM attrib.settings WHERE name IN ('min_sample', 'currency')")
    op.execute("ALTER TABLE attrib.settings ENABLE TRIGGER USER")
    op.execute("DELETE FROM attrib.setting_rules WHERE name IN ('min_sample', 'currency')")
    op.execute("ALTER TABLE attrib.setting_rules DROP CONSTRAINT setting_rules_kind_check")
    op.execute("ALTER TABLE attrib.setting_rules ADD CONSTRAINT setting_rules_kind_check CHECK (kind IN ("
               "'regex', 'duration', 'text_list', 'text_map', 'name', 'boolean', 'integer', 'timestamptz', "
               "'relation'))")
