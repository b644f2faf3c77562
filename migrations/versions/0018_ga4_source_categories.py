"""GA4's channels as analysts compare them (issue 27): Google's source categories, own subdomains.

Names GA4 classifies and attrib did not (317 social sources such as
blogger, digg, flipboard; `google shopping`, `igshopping`), frozen as data in
migrations/sql/0018_ga4_source_categories.sql: the same change as
migrations/data/source_classes.csv, so a database deployed before this
revision and a fresh one hold the same list. The rules do not change
(attrib._touch_rules_version stays): the list is in the outputs'
fingerprint, so the first run after this deploy recomputes every alias.

Also attrib.run_referrals: the Referral sessions the latest run published,
counted per (landing host, referrer host) by the attribute stage, which
`attrib run` reads to warn about own subdomains counted as referrals.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-08
"""

from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0018_ga4_source_categories.sql")


def downgrade() -> None:
    op.run_sql_file("0018_ga4_source_categories.down.sql")
