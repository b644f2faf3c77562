-- attrib.source_class: SPEC 5 class (search, social, email, ai) of a source
-- or host, from the reference list attrib.source_classes. A name matches a
-- value when the name's dot-separated labels stand, in order and next to
-- each other, among the value's labels, ignoring ASCII case: google matches
-- google, google.co.uk and news.google.com; t.co matches t.co, not t.com;
-- facebook does not match facebook_ads. Of all matching names the one with
-- the most labels wins (mail.google.com is email, not search); on a tie the
-- class order search, social, email, ai decides. NULL when nothing matches.
--
-- A value of n labels has n(n+1)/2 runs of contiguous labels (first label
-- i, length j); each run is a candidate name, joined to the list by primary
-- key equality, so the cost does not grow with the list. unnest (not
-- generate_series) keeps the planner's row estimates small.
-- attrib.touch applies the same rule inline (a lateral join the planner can
-- share across rows); tests/pgtap/11_source_class.sql checks they agree.
CREATE OR REPLACE FUNCTION attrib.source_class(p_value text)
RETURNS text
LANGUAGE sql
STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.class
      FROM (SELECT string_to_array(attrib.lower_ascii(p_value), '.') AS labels) v
     CROSS JOIN LATERAL unnest(v.labels) WITH ORDINALITY AS i(label, first_label)
     CROSS JOIN LATERAL unnest(v.labels[i.first_label:]) WITH ORDINALITY AS j(label, label_count)
      JOIN attrib.source_classes c
        ON c.name = array_to_string(v.labels[i.first_label:i.first_label + j.label_count - 1], '.')
     ORDER BY j.label_count DESC,
              array_position(ARRAY['search', 'social', 'email', 'ai'], c.class)
     LIMIT 1;
END;

COMMENT ON FUNCTION attrib.source_class(text) IS
  'SPEC 5 class of a source or host from attrib.source_classes: the matching name (whole contiguous labels, '
  'ASCII case ignored) with most labels wins, ties by search, social, email, ai; NULL when none matches';
