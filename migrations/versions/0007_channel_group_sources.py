"""Definitions §5's full GA4 channel group: classes video and shopping, the shipped source list, referral_exclusions.

- attrib.source_classes.class allows the six classes of definitions §5 (search,
  social, video, shopping, email, ai);
- the shipped list (migrations/data/source_classes.csv as it was then,
  frozen in the SQL file) is upserted: names it lacks are added, and a
  shipped name gets the list's class (YouTube, Vimeo, Twitch move from
  social to video). Names a user added are kept;
- the setting referral_exclusions (definitions §5: referrers on these domains are
  internal), default empty, checked when written: a JSON array of
  lower-case host names.

The channel rules themselves live in procedures/ (attrib._touch_detail); its
version (attrib._touch_rules_version) is in the outputs' fingerprint, so the
first run after this deploy recomputes every alias from stored events.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.run_sql_file("0007_channel_group_sources.sql")


def downgrade() -> None:
    op.run_sql_file("0007_channel_group_sources.down.sql")
