"""Definitions §11: fixed-horizon LTV, spend (CAC/ROAS), the survey gut check and content read before signup.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-08
"""

from alembic import op

from attrib.procedures import run_migration_sql

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    run_migration_sql("0019_growth_questions.sql")


def downgrade() -> None:
    for view in ("ltv_by_content", "content_before_signup", "survey_unmatched", "survey_vs_first_touch",
                 "cac_by_campaign", "roas_by_channel", "cac_by_channel", "ltv_horizon_by_first_touch"):
        op.execute(f"DROP VIEW IF EXISTS sessions.{view}")
    for table in ("user_revenue_horizon", "spend", "survey_answers", "content_before_signup", "optional_sources"):
        op.execute(f"DROP TABLE IF EXISTS attrib.{table}")
    # the settings guard refuses DELETE: a downgrade is the one writer allowed to remove a setting
    op.execute("ALTER TABLE attrib.settings DISABLE TRIGGER USER")
    op.execute("DELETE FROM attrib.settings WHERE name IN ('spend_source', 'survey_source', 'content_source')")
    op.execute("ALTER TABLE attrib.settings ENABLE TRIGGER USER")
    op.execute("DELETE FROM attrib.setting_rules WHERE name IN ('spend_source', 'survey_source', 'content_source')")
    op.execute("UPDATE attrib.stages SET reads = 'sessions_stages.*, revenue_source', "
               "writes = 'every sessions.* output of the dirty aliases, in one transaction; attrib.user_revenue' "
               "WHERE name = 'attribute'")
    # attribute, forget and the revenue loader read what was just dropped: an upgrade re-applies them
    op.execute("DELETE FROM attrib.deployed_procedures WHERE file_name IN "
               "('attribute.sql', 'forget.sql', '_load_revenue.sql', '_load_spend.sql', '_load_survey.sql', "
               "'_load_content.sql', '_bind_source.sql')")
