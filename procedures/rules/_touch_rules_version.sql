-- attrib._touch_rules_version: the version of what a touch is — definitions §5's
-- channel rules, their order, the class order, is_paid — as
-- attrib._touch_detail and attrib.source_match implement them. It is part
-- of the outputs' fingerprint (attrib._outputs_fingerprint): change it
-- together with any change of those rules, and the first run after the
-- deploy recomputes every alias's touches from its stored events, not only
-- the aliases that happen to be dirty.
--   1: GA4's default channel group of 2024 plus AI Assistants (12 rules, Other)
--   2: the full GA4 default channel group plus AI Assistants (20 rules,
--      Unassigned), classes video and shopping, referral_exclusions
--   3: definitions §5's limits on hostile values: a host longer than 253 characters
--      or with a label longer than 63 is none (such a referrer counts as no
--      referrer), a source longer than 253 characters matches no name
CREATE OR REPLACE FUNCTION attrib._touch_rules_version()
RETURNS int
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT 3;
END;

COMMENT ON FUNCTION attrib._touch_rules_version() IS
  'Private: version of the definitions §5 touch rules; part of the outputs'' fingerprint, so a rules change recomputes everyone';
