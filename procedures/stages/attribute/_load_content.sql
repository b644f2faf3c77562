-- attrib._load_content: reads the relation named by the setting
-- content_source (definitions §11: url_prefix, content_group, e.g. blog posts and
-- their authors) and keeps, per signed-up alias and group, the page views
-- up to signup (attrib.content_before_signup), which
-- sessions.content_before_signup and ltv_by_content read. attrib.attribute
-- calls it after publishing, in the same transaction.
--   * attrib._bind_source binds and checks the relation (any built-in
--     types, read as text); text is trimmed, empty is NULL, and rows with
--     either column NULL are dropped. Of equal prefixes the smallest group
--     (byte order) stands.
--   * A page event's group is that of the longest url_prefix its url_clean
--     starts with (byte-wise, case-sensitive). Each distinct prefix length
--     is one equality probe (left(url_clean, length) = url_prefix, hashed),
--     so the cost grows with events x distinct lengths, not x prefixes.
--   * Incremental: only the aliases this run published are recomputed
--     (sessions_stages.dirty_aliases, sessionized: attrib._publish published
--     them in this transaction and attrib.attribute deletes them after this
--     step; nobody else's events or signup changed). When the map differs
--     from the one the rows were computed with (its fingerprint in
--     attrib.optional_sources), every signed-up alias is, as a touch-rules
--     change recomputes everyone's sessions.
--   * Without a map (no content_source, or no usable row) nobody has a row:
--     the table is emptied in one statement and nothing else is read (on
--     Citus a statement on the shards, no work set through the coordinator).
-- Returns how many rows of attrib.content_before_signup differ from before.
CREATE OR REPLACE FUNCTION attrib._load_content()
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_rel         regclass;
    v_fingerprint text;
    v_everyone    boolean;
    v_count       bigint;
BEGIN
    v_rel := attrib._bind_source('content_source', ARRAY['url_prefix', 'content_group'], ARRAY['text', 'text'],
                                 'A content relation needs the columns url_prefix and content_group (text), '
                                 'e.g. a blog post''s URL and its author.');
    DROP TABLE IF EXISTS pg_temp._content_map;
    CREATE TEMP TABLE _content_map (url_prefix text NOT NULL, content_group text NOT NULL, prefix_length int NOT NULL)
        ON COMMIT DROP;
    IF v_rel IS NOT NULL THEN
        EXECUTE format(
            'INSERT INTO pg_temp._content_map (url_prefix, content_group, prefix_length) '
            'SELECT DISTINCT ON (x.url_prefix) x.url_prefix, x.content_group, length(x.url_prefix) '
            '  FROM (SELECT nullif(attrib.trim_ascii(r.url_prefix::text), %L) AS url_prefix, '
            '               nullif(attrib.trim_ascii(r.content_group::text), %L) AS content_group '
            '          FROM %s r) x '
            ' WHERE x.url_prefix IS NOT NULL AND x.content_group IS NOT NULL '
            ' ORDER BY x.url_prefix, x.content_group COLLATE "C"',
            '', '', v_rel);
        EXECUTE format('DROP VIEW %s', v_rel);  -- read: it must not hold the relation against its owner
        ANALYZE pg_temp._content_map;
    END IF;
    v_fingerprint := CASE WHEN v_rel IS NULL THEN 'none' ELSE
                       md5((SELECT coalesce(jsonb_agg(jsonb_build_array(c.url_prefix, c.content_group)
                                                      ORDER BY c.url_prefix COLLATE "C"), '[]'::jsonb)::text
                              FROM pg_temp._content_map c)) END;
    v_everyone := v_fingerprint IS DISTINCT FROM (SELECT o.content_fingerprint FROM attrib.optional_sources o);
    UPDATE attrib.optional_sources o SET content_fingerprint = v_fingerprint;

    IF NOT EXISTS (SELECT 1 FROM pg_temp._content_map) THEN
        -- no map: no rows (those of an earlier map go now; otherwise there are none)
        DELETE FROM attrib.content_before_signup;
        GET DIAGNOSTICS v_count = ROW_COUNT;
        RETURN v_count;
    END IF;

    DROP TABLE IF EXISTS pg_temp._content_aliases;
    IF v_everyone THEN
        CREATE TEMP TABLE _content_aliases ON COMMIT DROP AS
        SELECT a.alias_id FROM sessions.attribution a
        UNION SELECT c.alias_id FROM attrib.content_before_signup c;
    ELSE
        CREATE TEMP TABLE _content_aliases ON COMMIT DROP AS
        SELECT d.alias_id FROM sessions_stages.dirty_aliases d WHERE d.sessionized;
    END IF;
    ALTER TABLE pg_temp._content_aliases ADD PRIMARY KEY (alias_id);
    ANALYZE pg_temp._content_aliases;

    DROP TABLE IF EXISTS pg_temp._content_before;
    CREATE TEMP TABLE _content_before ON COMMIT DROP AS
    SELECT c.* FROM attrib.content_before_signup c JOIN pg_temp._content_aliases t USING (alias_id);
    DELETE FROM attrib.content_before_signup c USING pg_temp._content_aliases t WHERE c.alias_id = t.alias_id;

    -- the aliases' page views up to signup, month by month (partitioning.alias_months)
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM pg_temp._content_aliases)));
    DROP TABLE IF EXISTS pg_temp._content_pages;
    CREATE TEMP TABLE _content_pages ON COMMIT DROP AS
    SELECT e.alias_id, e.message_id, e.event_ts, e.url_clean
      FROM pg_temp._content_aliases t
      JOIN sessions.attribution a ON a.alias_id = t.alias_id
      JOIN partitioning.alias_months am ON am.alias_id = a.alias_id
      JOIN partitioning.events e
        ON e.alias_id = am.alias_id
       AND e.event_ts >= attrib._month_start(am.month)
       AND e.event_ts < attrib._month_end(am.month)
     WHERE attrib._month_start(am.month) <= a.signup_timestamp
       AND e.event_ts <= a.signup_timestamp
       AND e.kind = 'page'
       AND e.url_clean IS NOT NULL;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._content_pages;

    INSERT INTO attrib.content_before_signup (alias_id, content_group, pages, first_seen)
    SELECT g.alias_id, g.content_group, count(*), min(g.event_ts)
      FROM (SELECT DISTINCT ON (p.alias_id, p.message_id) p.alias_id, p.event_ts, c.content_group
              FROM pg_temp._content_pages p
             CROSS JOIN (SELECT DISTINCT m.prefix_length FROM pg_temp._content_map m) l
              JOIN pg_temp._content_map c
                ON c.prefix_length = l.prefix_length AND c.url_prefix = left(p.url_clean, l.prefix_length)
             ORDER BY p.alias_id, p.message_id, c.prefix_length DESC) g
     GROUP BY g.alias_id, g.content_group;
    RETURN (SELECT count(*) FROM ((SELECT c.* FROM attrib.content_before_signup c JOIN pg_temp._content_aliases t USING (alias_id)
                                   EXCEPT ALL TABLE pg_temp._content_before)
                                  UNION ALL
                                  (TABLE pg_temp._content_before
                                   EXCEPT ALL SELECT c.* FROM attrib.content_before_signup c
                                                JOIN pg_temp._content_aliases t USING (alias_id))) d);
END
$$;
COMMENT ON FUNCTION attrib._load_content() IS
  'Private: reads the relation of setting content_source and recomputes attrib.content_before_signup for the '
  'aliases just published, or for everyone when the map changed (called by attribute); returns how many rows changed';
