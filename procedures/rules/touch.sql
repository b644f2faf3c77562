-- attrib.touch: definitions §5 — the source, medium, campaign, channel and paid
-- flag of a touch (a session's landing event), from its landing url,
-- referrer and UTM values (already cleaned and lower-cased as in definitions §2).
-- The rules are attrib._touch_detail's; this is the part of it the stages
-- store. Like it, an inlinable SQL table function (one SELECT, STABLE, not
-- STRICT, no SET, no SECURITY DEFINER; every name schema-qualified): call
-- it LATERAL in one INSERT ... SELECT and the planner expands both into
-- that query; tests/pgtap/05_rules_touch_inlining.sql checks it.
CREATE OR REPLACE FUNCTION attrib.touch(
    p_landing_url  text,
    p_referrer     text,
    p_utm_source   text,
    p_utm_medium   text,
    p_utm_campaign text)
RETURNS TABLE (source text, medium text, campaign text, channel text, is_paid boolean)
LANGUAGE sql
STABLE
BEGIN ATOMIC
    SELECT d.source, d.medium, d.campaign, d.channel, d.is_paid
      FROM attrib._touch_detail(p_landing_url, p_referrer, p_utm_source, p_utm_medium, p_utm_campaign) d;
END;

COMMENT ON FUNCTION attrib.touch(text, text, text, text, text) IS
  'Definitions §5 touch of a landing event: source, medium, campaign, GA4 default channel (plus AI Assistants) and is_paid, '
  'from landing url, referrer and UTM values; an inlinable SQL table function (call it LATERAL in one INSERT ... SELECT)';
