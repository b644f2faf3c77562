-- attrib.source_match: definitions §5's matching rule, the one place it is written.
-- The name of attrib.source_classes that decides the class of a source or
-- host, and that class; no row when no name matches.
--
-- A name matches a value when the name's dot-separated labels stand, in
-- order and next to each other, among the value's labels, ignoring ASCII
-- case: google matches google, google.co.uk and news.google.com; t.co
-- matches t.co, not t.com; facebook does not match facebook_ads. Of all
-- matching names the one with the most labels wins (mail.google.com is
-- email, not search); on a tie the class order search, social, video,
-- shopping, email, ai decides. A value longer than 253 characters matches
-- no name.
--
-- The work per value is linear in its labels, and bounded: each run of
-- contiguous labels (first label i, length j) is a candidate name, joined
-- to the list by primary key equality, and a run can only equal a name of
-- as many labels, so j goes up to the most labels a name of the list has
-- (read from the list when the query runs, through the index on label
-- counts: a longer name a user adds raises it at once). A value of n
-- labels has at most n times that many candidates (127 x 6 = 762 for the
-- longest value, 253 characters, against the shipped list), not the
-- n(n+1)/2 runs of every length, which made a 2 KB referrer cost half a
-- minute. unnest (not generate_series) keeps the planner's row estimates
-- small. OFFSET 0 keeps the labels one value per row: pulled up, every
-- reference to them would split the value again, for every candidate.
--
-- An inlinable SQL table function (one SELECT, STABLE, not STRICT, no SET,
-- no SECURITY DEFINER; every name schema-qualified): attrib.source_class
-- and attrib._touch_detail call it LATERAL, and the planner expands it into
-- their query, so a full run classifies every landing in one set-based
-- plan (a shared hash of attrib.source_classes or a memoized lookup per
-- host) instead of one function call per row; the longest name's label
-- count is an InitPlan, read once per query. It reads the list through the
-- view attrib._source_classes: the table itself on PostgreSQL, a PL/pgSQL
-- function over it on Citus (migrations/sql/0023_source_classes_read.sql).
CREATE OR REPLACE FUNCTION attrib.source_match(p_value text)
RETURNS TABLE (name text, class text)
LANGUAGE sql
STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT c.name, c.class
      FROM (SELECT pg_catalog.string_to_array(attrib.lower_ascii(p_value), '.') AS labels
             WHERE pg_catalog.length(p_value) <= 253
            OFFSET 0) v
     CROSS JOIN LATERAL pg_catalog.unnest(v.labels) WITH ORDINALITY AS i(label, first_label)
     CROSS JOIN LATERAL pg_catalog.unnest(
             v.labels[i.first_label:i.first_label - 1
                      + (SELECT pg_catalog.max(pg_catalog.array_length(pg_catalog.string_to_array(n.name, '.'), 1))
                           FROM attrib._source_classes n)]) WITH ORDINALITY AS j(label, label_count)
      JOIN attrib._source_classes c
        ON c.name = pg_catalog.array_to_string(v.labels[i.first_label:i.first_label + j.label_count - 1], '.')
     ORDER BY j.label_count DESC,
              pg_catalog.array_position(ARRAY['search', 'social', 'video', 'shopping', 'email', 'ai'], c.class)
     LIMIT 1;
END;

COMMENT ON FUNCTION attrib.source_match(text) IS
  'Definitions §5 matching: the name of attrib.source_classes that decides the class of a source or host (whole contiguous '
  'labels, ASCII case ignored, most labels win, ties by search, social, video, shopping, email, ai; a value longer '
  'than 253 characters matches none) and its class; at most (labels of the value) x (labels of the longest name) '
  'candidate runs';
