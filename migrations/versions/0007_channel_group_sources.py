"""Definitions §5's full GA4 channel group: classes video and shopping, the shipped source list, referral_exclusions.

- attrib.source_classes.class allows the six classes of definitions §5 (search,
  social, video, shopping, email, ai);
- the shipped list migrations/data/source_classes.csv (name,class, sorted)
  is upserted: names it lacks are added, and a shipped name gets the file's
  class (YouTube, Vimeo, Twitch move from social to video). Names a user
  added are kept;
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

from attrib.procedures import run_migration_text
from attrib.sources import shipped_upsert_sql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

UPGRADE = """
ALTER TABLE attrib.source_classes DROP CONSTRAINT source_classes_class_check;
ALTER TABLE attrib.source_classes ADD CONSTRAINT source_classes_class_check
    CHECK (class IN ('search', 'social', 'video', 'shopping', 'email', 'ai'));
COMMENT ON TABLE attrib.source_classes IS
  'Editable reference list (definitions §5): a source or referrer host matching name (by whole dot-separated labels) '
  'has this class: search, social, video, shopping, email or ai';

-- Retired from revision 0002's list: with openai.com and perplexity, definitions §5's
-- own names chat.openai.com and perplexity.ai would decide nothing.
DELETE FROM attrib.source_classes WHERE (name, class) IN (('openai.com', 'ai'), ('perplexity', 'ai'));

INSERT INTO attrib.settings (name, value, description) VALUES
  ('referral_exclusions', '[]',
   'referrers on these domains (or their subdomains) are internal: payment and sign-in providers that send users back')
ON CONFLICT (name) DO NOTHING;

-- referral_exclusions is checked when written: a JSON array of lower-case
-- host names (no scheme, path or port; no leading www., which host()
-- removes from every referrer).
ALTER TABLE attrib.settings ADD CONSTRAINT settings_referral_exclusions_are_host_names CHECK (
    name <> 'referral_exclusions'
    OR (jsonb_typeof(value) = 'array'
        AND NOT jsonb_path_exists(value, '$[*] ? (@.type() != "string")')
        AND NOT jsonb_path_exists(value,
              '$[*] ? (@.type() == "string" && (!(@ like_regex "^[a-z0-9_-]+([.][a-z0-9_-]+)*$") || @ starts with "www."))')));
"""

DOWNGRADE = """
ALTER TABLE attrib.settings DROP CONSTRAINT IF EXISTS settings_referral_exclusions_are_host_names;
DELETE FROM attrib.settings WHERE name = 'referral_exclusions';
-- the two new classes have no place in the old list
DELETE FROM attrib.source_classes WHERE class IN ('video', 'shopping');
ALTER TABLE attrib.source_classes DROP CONSTRAINT source_classes_class_check;
ALTER TABLE attrib.source_classes ADD CONSTRAINT source_classes_class_check
    CHECK (class IN ('search', 'social', 'email', 'ai'));
"""


def upgrade() -> None:
    run_migration_text(UPGRADE)
    run_migration_text(shipped_upsert_sql())


def downgrade() -> None:
    run_migration_text(DOWNGRADE)
