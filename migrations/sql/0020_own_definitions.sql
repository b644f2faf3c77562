-- Revision 0020 up: the comments on tables and columns cite attrib's own
-- definitions (docs/definitions.md, "definitions §n") instead of a
-- specification that is not in the repository. Each statement below is the
-- latest COMMENT its object received in revisions 0001-0019, with only that
-- reference changed (those revisions now write the same text, so a fresh
-- deploy and an upgraded one end with the same catalog).

COMMENT ON TABLE aliasing.known_pairs IS
  'Definitions §3: every (anonymous_id, user_id) pair from identifies and kept events';
COMMENT ON TABLE aliasing.owners IS
  'Definitions §3: the owner of each identified anonymous id (first identify wins)';
COMMENT ON TABLE attrib.duplicates IS
  'Valid source rows dropped because another row with the same message_id won (definitions §2), each distinct row once';
COMMENT ON TABLE attrib.forgotten IS
  'Ids erased on request (attrib forget), typed: the user id, and every anonymous id that user owned (definitions §3); their rows are rejects';
COMMENT ON TABLE attrib.settings IS
  'Every setting with its value (jsonb: string, array or object)';
COMMENT ON TABLE attrib.source_classes IS
  'Editable reference list (definitions §5): a source or referrer host matching name (by whole dot-separated labels) has this class: search, social, video, shopping, email or ai';
COMMENT ON TABLE attrib.spend IS
  'Rows of spend_source summed per day, source, medium and campaign, with the definitions §5 channel of each, as of the last publish (attrib._load_spend)';
COMMENT ON TABLE partitioning.events IS
  'Cleaned events (definitions §2), one per message_id, with the alias they are grouped under (definitions §3)';
COMMENT ON TABLE sessions_stages.signups IS
  'Per signed-up dirty alias, what attribution needs from its events (definitions §6, §7), found while sessionizing';
COMMENT ON TABLE sessions.all_sessions IS
  'Definitions §4: one row per session';
COMMENT ON TABLE sessions.attribution IS
  'Definitions §7: one row per signed-up alias';
COMMENT ON TABLE sessions.attribution_credit IS
  'Definitions §8: multi-touch credit of sessions 1..k per signed-up alias';
COMMENT ON TABLE sessions.useful_sessions IS
  'Definitions §6: per alias, its first session and its signup session';
COMMENT ON COLUMN attrib.forgotten.kind IS
  'user_id: matches a source row''s user_id only; anonymous_id: matches its anonymous_id only (definitions §2)';
COMMENT ON COLUMN sessions.cac_by_channel.channel IS
  'Channel: of the spend rows by the definitions §5 rules on their source, medium, campaign; of the credited sessions';
