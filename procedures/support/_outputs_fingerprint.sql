-- attrib._outputs_fingerprint: a hash of everything besides the events that
-- the published outputs depend on: the settings of definitions §4-§8, the source
-- classes, and the version of the touch rules themselves
-- (attrib._touch_rules_version). When it changes, the alias stage marks
-- every alias dirty, so the next run recomputes everyone's sessions and
-- attribution from the stored events (nothing is ingested again).
CREATE OR REPLACE FUNCTION attrib._outputs_fingerprint()
RETURNS text
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $$
    SELECT md5(
        'touch_rules=' || attrib._touch_rules_version()::text
        || '|' ||
        (SELECT string_agg(s.name || '=' || s.value::text, ';' ORDER BY s.name COLLATE "C")
           FROM attrib.settings s
          WHERE s.name IN ('session_gap', 'signup_events', 'paid_click_ids', 'own_domains', 'referral_exclusions',
                           'blog_url_pattern', 'paid_medium_pattern', 'time_decay_half_life'))
        || '|' ||
        coalesce((SELECT string_agg(c.name || '=' || c.class, ';' ORDER BY c.name COLLATE "C")
                    FROM attrib.source_classes c), ''))
$$;
COMMENT ON FUNCTION attrib._outputs_fingerprint() IS
  'Private: hash of the touch rules version, settings and source classes the outputs depend on';
