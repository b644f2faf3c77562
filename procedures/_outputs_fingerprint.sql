-- attrib._outputs_fingerprint: a hash of everything besides the events that
-- the published outputs depend on (the settings of SPEC 4-8 and the source
-- classes). When it changes, the alias stage marks every alias dirty, so a
-- changed setting takes effect on the next run.
CREATE OR REPLACE FUNCTION attrib._outputs_fingerprint()
RETURNS text
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT md5(
        (SELECT string_agg(s.name || '=' || s.value::text, ';' ORDER BY s.name COLLATE "C")
           FROM attrib.settings s
          WHERE s.name IN ('session_gap', 'signup_events', 'paid_click_ids', 'own_domains', 'blog_url_pattern',
                           'paid_medium_pattern', 'time_decay_half_life'))
        || '|' ||
        coalesce((SELECT string_agg(c.name || '=' || c.class, ';' ORDER BY c.name COLLATE "C")
                    FROM attrib.source_classes c), ''));
END;
COMMENT ON FUNCTION attrib._outputs_fingerprint() IS
  'Private: hash of the settings and source classes the outputs depend on';
