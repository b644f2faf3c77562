-- attrib.ingest: stage 1 (SPEC 1, 2, 9). Reads the Segment rows loaded since
-- the last run (by load time: uuid_ts, else received_at; never event time,
-- so late events are not missed), turns them into cleaned events in the
-- monthly partitions of partitioning.events, records every row that cannot
-- be an event in attrib.rejects and every dropped duplicate in
-- attrib.duplicates, and hands new identify pairs and changed events to the
-- alias stage. Re-reading a row (the ingest overlap) changes nothing.
CREATE OR REPLACE FUNCTION attrib.ingest(
    p_run_id            bigint DEFAULT NULL,
    OUT rows_read       bigint,
    OUT rows_written    bigint,
    OUT rows_rejected   bigint,
    OUT rows_duplicated bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
-- Outputs and row hashes never depend on the caller's or server's zone and
-- formats (SPEC 9): a pg_cron run and a CLI run hash a re-read row alike.
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_schema      text        := attrib.setting_text('source_schema');
    v_overlap     interval    := attrib.setting_interval('ingest_overlap');
    v_tolerance   interval    := attrib.setting_interval('future_tolerance');
    v_bot_pattern text        := attrib.setting_text('bot_user_agent_pattern');
    v_max_id      int         := attrib.setting_text('max_id_length')::int;
    v_oldest      timestamptz := attrib.setting_text('oldest_event_ts')::timestamptz;
    -- SPEC 2 and 9 measure "the run's start": when its first stage started
    v_run_start   timestamptz := coalesce((SELECT min(l.started_at) FROM attrib.run_log l WHERE l.run_id = p_run_id),
                                          now());
    v_table       text;
    v_load_column text;
    v_since       timestamptz;
    v_cols        text;
    v_count       bigint;
    v_months      timestamptz[];
    v_where       text;
BEGIN
    rows_read := 0;
    rows_rejected := 0;
    rows_duplicated := 0;

    DROP TABLE IF EXISTS pg_temp._ingest_batch;
    CREATE TEMP TABLE _ingest_batch (
        source_table text NOT NULL,
        row          jsonb,
        row_hash     text NOT NULL,
        load_time    timestamptz,
        message_id   text,
        kind         text NOT NULL,
        event        text,
        anonymous_id text,
        user_id      text,
        received_at  timestamptz,
        uuid_ts      timestamptz,
        event_ts     timestamptz,
        url          text,
        referrer     text,
        utm_source   text,
        utm_medium   text,
        utm_campaign text,
        utm_term     text,
        utm_content  text,
        reason       text,
        pair_ok      boolean,  -- an identify that may give a pair (SPEC 3)
        copies       bigint NOT NULL DEFAULT 1
    ) ON COMMIT DROP;
    -- The bot pattern is matched once per distinct user agent, not per row:
    -- a load has few distinct agents, and a case-insensitive regex per row
    -- was a tenth of a full ingest. The agents are read in a pass of their
    -- own before the batch because a bot's reject keeps the row as read.
    -- No index: an agent is as long as a visitor makes it, past what a
    -- B-tree key can hold; the join hashes it.
    DROP TABLE IF EXISTS pg_temp._ingest_agents;
    CREATE TEMP TABLE _ingest_agents (
        user_agent text NOT NULL,
        is_bot     boolean NOT NULL
    ) ON COMMIT DROP;

    FOREACH v_table IN ARRAY ARRAY['pages', 'tracks', 'identifies'] LOOP
        -- the stages read the source as attrib's owner role, which needs a grant
        IF (to_regnamespace(quote_ident(v_schema)) IS NOT NULL
            AND NOT has_schema_privilege(current_user, v_schema, 'USAGE'))
           OR (to_regclass(format('%I.%I', v_schema, v_table)) IS NOT NULL
               AND NOT has_table_privilege(current_user, format('%I.%I', v_schema, v_table), 'SELECT')) THEN
            RAISE EXCEPTION 'attrib cannot read source table %.%: role % has no SELECT on it', v_schema, v_table, current_user
                USING ERRCODE = '42501',
                      DETAIL = 'The stages read the source as attrib''s owner role, never as the caller.',
                      HINT = format('As the deploying user: attrib deploy --grant-source (or GRANT USAGE ON SCHEMA %I TO %I; '
                                    'GRANT SELECT ON %I.%I TO %I;).', v_schema, current_user, v_schema, v_table, current_user);
        END IF;
        IF to_regclass(format('%I.%I', v_schema, v_table)) IS NULL THEN
            RAISE EXCEPTION 'source table %.% does not exist', v_schema, v_table
                USING ERRCODE = '42P01',
                      HINT = 'Load the Segment tables pages, tracks and identifies into that schema, '
                             'or point attrib at them: UPDATE attrib.settings SET value = ''"your_schema"'' WHERE name = ''source_schema'';';
        END IF;
        -- a view or a table with row-level security runs its owner's code: only a trusted owner's
        PERFORM attrib._trusted_relation(v_schema, v_table, 'source_schema');
        v_load_column := CASE WHEN attrib._source_expr(v_schema, v_table, 'uuid_ts', 'timestamptz') LIKE 'NULL%'
                              THEN 'received_at' ELSE 'uuid_ts' END;
        SELECT s.watermark - v_overlap INTO v_since FROM attrib.ingest_state s WHERE s.source_table = v_table;
        PERFORM attrib._index_load_time(v_schema, v_table, v_load_column);
        v_where := CASE WHEN v_since IS NULL THEN 'true'
                        ELSE format('%1$s IS NULL OR %1$s > %2$L',
                                    attrib._source_ts(v_schema, v_table, v_load_column, NULL), v_since)
                   END;

        v_cols := concat_ws(', ',
            attrib._source_expr(v_schema, v_table, 'id', 'text', true),
            attrib._source_expr(v_schema, v_table, 'anonymous_id', 'text', true),
            attrib._source_expr(v_schema, v_table, 'user_id', 'text', true),
            attrib._source_expr(v_schema, v_table, 'timestamp', 'timestamptz', true),
            attrib._source_expr(v_schema, v_table, 'received_at', 'timestamptz', true),
            attrib._source_expr(v_schema, v_table, 'uuid_ts', 'timestamptz'));
        IF v_table <> 'identifies' THEN
            v_cols := concat_ws(', ', v_cols,
                CASE WHEN v_table = 'tracks' THEN attrib._source_expr(v_schema, v_table, 'event', 'text', true) END,
                CASE WHEN v_table = 'pages' THEN attrib._source_expr(v_schema, v_table, 'url', 'text') END,
                CASE WHEN v_table = 'pages' THEN attrib._source_expr(v_schema, v_table, 'referrer', 'text') END,
                attrib._source_expr(v_schema, v_table, 'context_page_url', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_page_referrer', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_campaign_source', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_campaign_medium', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_campaign_name', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_campaign_term', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_campaign_content', 'text'),
                attrib._source_expr(v_schema, v_table, 'context_user_agent', 'text'));
        END IF;

        IF v_table <> 'identifies' THEN
            EXECUTE format($sql$
                INSERT INTO pg_temp._ingest_agents (user_agent, is_bot)
                SELECT a.context_user_agent, a.context_user_agent ~* %L
                  FROM (SELECT DISTINCT %s FROM %I.%I WHERE %s) a
                 WHERE a.context_user_agent IS NOT NULL
                   AND NOT EXISTS (SELECT FROM pg_temp._ingest_agents x WHERE x.user_agent = a.context_user_agent)
                $sql$,
                v_bot_pattern, attrib._source_expr(v_schema, v_table, 'context_user_agent', 'text'),
                v_schema, v_table, v_where);
            ANALYZE pg_temp._ingest_agents;
        END IF;

        -- One pass per table: clean, derive and classify each row. The row as
        -- read (only the columns attrib reads, absent ones as NULL, timestamps
        -- as they stand) identifies a source row, so a column Segment adds
        -- later changes no hash. Every reason of SPEC 2 in its order; an
        -- identify is never rejected, but may give no pair (SPEC 3).
        EXECUTE format($sql$
            INSERT INTO pg_temp._ingest_batch (source_table, row, row_hash, load_time, message_id, kind, event,
                   anonymous_id, user_id, received_at, uuid_ts, event_ts, url, referrer,
                   utm_source, utm_medium, utm_campaign, utm_term, utm_content, reason, pair_ok)
            SELECT %1$L, CASE WHEN r.reason IS NOT NULL THEN attrib._row_image(jsonb_strip_nulls(to_jsonb(s))) END,
                   md5(s::text), CASE WHEN isfinite(t.load_time) THEN t.load_time END, c.message_id, %2$L, %3$s,
                   c.anonymous_id, c.user_id, t.received_at, t.uuid_ts, c.event_ts, c.url, c.referrer,
                   attrib.lower_ascii(coalesce(nullif(attrib.trim_ascii(%4$s), ''), attrib.url_param(c.url, 'utm_source'))),
                   attrib.lower_ascii(coalesce(nullif(attrib.trim_ascii(%5$s), ''), attrib.url_param(c.url, 'utm_medium'))),
                   coalesce(nullif(attrib.trim_ascii(%6$s), ''), attrib.url_param(c.url, 'utm_campaign')),
                   coalesce(nullif(attrib.trim_ascii(%7$s), ''), attrib.url_param(c.url, 'utm_term')),
                   coalesce(nullif(attrib.trim_ascii(%8$s), ''), attrib.url_param(c.url, 'utm_content')),
                   r.reason, r.pair_ok
              FROM (SELECT %9$s FROM %10$I.%11$I WHERE %12$s) s
              LEFT JOIN pg_temp._ingest_agents ua ON ua.user_agent = %13$s
             CROSS JOIN LATERAL (
                   SELECT %14$s AS ts, %15$s AS received_at, %16$s AS uuid_ts, %17$s AS load_time
                   OFFSET 0) t
             CROSS JOIN LATERAL (
                   SELECT attrib.clean_id(s.id) AS message_id, attrib.clean_id(s.anonymous_id) AS anonymous_id,
                          attrib.clean_id(s.user_id) AS user_id, coalesce(t.ts, t.received_at) AS event_ts,
                          %18$s AS url, %19$s AS referrer,
                          -- present but not a finite timestamp ('infinity', 'not a date')
                          (s."timestamp" IS NOT NULL AND NOT coalesce(isfinite(t.ts), false)) AS ts_bad,
                          (s.received_at IS NOT NULL AND NOT coalesce(isfinite(t.received_at), false)) AS received_bad
                   OFFSET 0) c
             CROSS JOIN LATERAL (
                   SELECT coalesce(greatest(length(c.message_id), length(c.anonymous_id), length(c.user_id)) > %20$s,
                                   false) AS oversized,
                          (c.anonymous_id IN (SELECT f.id FROM attrib.forgotten f)
                           OR c.user_id IN (SELECT f.id FROM attrib.forgotten f)) IS TRUE AS forgotten
                   OFFSET 0) x
             CROSS JOIN LATERAL (
                   SELECT CASE
                       WHEN %2$L = 'identify' THEN NULL
                       WHEN c.message_id IS NULL THEN 'missing_message_id'
                       WHEN x.oversized THEN 'oversized'
                       WHEN x.forgotten THEN 'forgotten'
                       WHEN s."timestamp" IS NULL AND s.received_at IS NULL THEN 'missing_timestamp'
                       WHEN c.ts_bad OR c.received_bad OR c.event_ts < %21$L::timestamptz THEN 'bad_timestamp'
                       WHEN c.anonymous_id IS NULL AND c.user_id IS NULL THEN 'missing_identity'
                       WHEN c.event_ts > t.received_at + %22$L::interval
                         OR c.event_ts > %23$L::timestamptz + %22$L::interval THEN 'future_timestamp'
                       WHEN ua.is_bot THEN 'bot'
                   END AS reason,
                   %2$L = 'identify' AND NOT x.oversized AND NOT x.forgotten
                       AND NOT c.ts_bad AND NOT (s."timestamp" IS NULL AND c.received_bad) AS pair_ok) r
            $sql$,
            v_table,
            CASE v_table WHEN 'pages' THEN 'page' WHEN 'tracks' THEN 'track' ELSE 'identify' END,
            CASE v_table WHEN 'pages' THEN '''page''' WHEN 'tracks' THEN 's.event' ELSE 'NULL' END,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_campaign_source' END,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_campaign_medium' END,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_campaign_name' END,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_campaign_term' END,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_campaign_content' END,
            v_cols, v_schema, v_table, v_where,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_user_agent' END,
            attrib._source_ts(v_schema, v_table, 'timestamp'),
            attrib._source_ts(v_schema, v_table, 'received_at'),
            attrib._source_ts(v_schema, v_table, 'uuid_ts'),
            attrib._source_ts(v_schema, v_table, v_load_column),
            -- url, referrer: pages fall back to the context columns; tracks only have those
            CASE v_table WHEN 'pages' THEN 'coalesce(nullif(s.url, ''''), nullif(s.context_page_url, ''''))'
                         WHEN 'tracks' THEN 'nullif(s.context_page_url, '''')' ELSE 'NULL::text' END,
            CASE v_table WHEN 'pages' THEN 'coalesce(nullif(s.referrer, ''''), nullif(s.context_page_referrer, ''''))'
                         WHEN 'tracks' THEN 'nullif(s.context_page_referrer, '''')' ELSE 'NULL::text' END,
            v_max_id, v_oldest, v_tolerance, v_run_start);
        GET DIAGNOSTICS v_count = ROW_COUNT;
        rows_read := rows_read + v_count;

        -- A watermark never passes the run's start (SPEC 9): a load time in
        -- the future (a broken loader) must not hide the rows loaded after it.
        INSERT INTO attrib.ingest_state AS st (source_table, watermark, load_column)
        SELECT v_table, CASE WHEN max(b.load_time) > v_run_start THEN v_run_start ELSE max(b.load_time) END, v_load_column
          FROM pg_temp._ingest_batch b WHERE b.source_table = v_table
        ON CONFLICT (source_table) DO UPDATE
           SET watermark = CASE WHEN greatest(st.watermark, EXCLUDED.watermark) > v_run_start THEN v_run_start
                                ELSE greatest(st.watermark, EXCLUDED.watermark) END,
               load_column = EXCLUDED.load_column, updated_at = now();
    END LOOP;

    -- Identical copies of a source row (same table, same row as read) are
    -- one row here that counts them: SPEC 2 counts every copy, as an event
    -- plus duplicate copies, or in a reject's copies. All copies share their
    -- load time (it is part of the row), so they are read together.
    DROP TABLE IF EXISTS pg_temp._ingest_copies;
    CREATE TEMP TABLE _ingest_copies ON COMMIT DROP AS
    SELECT b.source_table, b.row_hash, count(*) AS copies
      FROM pg_temp._ingest_batch b GROUP BY 1, 2 HAVING count(*) > 1;
    IF EXISTS (SELECT FROM pg_temp._ingest_copies) THEN
        DELETE FROM pg_temp._ingest_batch b
         USING (SELECT x.ctid AS extra
                  FROM (SELECT b2.ctid, row_number() OVER (PARTITION BY b2.source_table, b2.row_hash) AS n
                          FROM pg_temp._ingest_batch b2
                          JOIN pg_temp._ingest_copies c USING (source_table, row_hash)) x
                 WHERE x.n > 1) d
         WHERE b.ctid = d.extra;
        UPDATE pg_temp._ingest_batch b SET copies = c.copies
          FROM pg_temp._ingest_copies c WHERE c.source_table = b.source_table AND c.row_hash = b.row_hash;
    END IF;

    -- Rows re-read from the overlap that an earlier run took in whole, with
    -- no copy more than it saw: deciding them again would change nothing and
    -- cost a lookup in all history each.
    DELETE FROM pg_temp._ingest_batch b USING attrib.overlap_rows o
     WHERE o.source_table = b.source_table AND o.row_hash = b.row_hash AND o.copies >= b.copies;
    ANALYZE pg_temp._ingest_batch;

    -- A row taken in earlier and read again with more copies stays what it
    -- became (the run's start, the settings may have moved since): a reject
    -- stays a reject, an event or a duplicate stays valid.
    UPDATE pg_temp._ingest_batch b SET reason = r.reason
      FROM attrib.rejects r
     WHERE r.source_table = b.source_table AND r.row_hash = b.row_hash AND b.kind <> 'identify'
       AND b.reason IS DISTINCT FROM r.reason;
    UPDATE pg_temp._ingest_batch b SET reason = NULL
     WHERE b.reason IS NOT NULL AND b.kind <> 'identify' AND b.message_id IS NOT NULL
       AND NOT EXISTS (SELECT FROM attrib.rejects r WHERE r.source_table = b.source_table AND r.row_hash = b.row_hash)
       AND (EXISTS (SELECT FROM attrib.duplicates d WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
            OR EXISTS (SELECT FROM partitioning.message_index mi
                         JOIN partitioning.events e
                           ON e.alias_id = mi.alias_id AND e.event_ts = mi.event_ts AND e.message_id = mi.message_id
                        WHERE mi.message_id = b.message_id
                          AND e.source_table = b.source_table AND e.row_hash = b.row_hash));

    -- Identify pairs (SPEC 3): both ids present and different, a time known.
    WITH changed AS (
        INSERT INTO aliasing.identify_pairs AS ip (anonymous_id, user_id, first_seen)
        SELECT b.anonymous_id, b.user_id, min(b.event_ts)
          FROM pg_temp._ingest_batch b
         WHERE b.kind = 'identify' AND b.pair_ok AND b.anonymous_id IS NOT NULL AND b.user_id IS NOT NULL
           AND b.anonymous_id <> b.user_id AND b.event_ts IS NOT NULL
         GROUP BY 1, 2
        ON CONFLICT (anonymous_id, user_id) DO UPDATE SET first_seen = EXCLUDED.first_seen
           WHERE EXCLUDED.first_seen < ip.first_seen
        RETURNING ip.anonymous_id)
    INSERT INTO sessions_stages.touched_anonymous_ids (anonymous_id)
    SELECT DISTINCT c.anonymous_id FROM changed c
    ON CONFLICT (anonymous_id) DO NOTHING;

    -- Rejects: each distinct rejected source row once, however often it is
    -- read, with the number of identical copies it stands for; the run
    -- counts the copies it adds.
    WITH incoming AS (
        SELECT b.source_table, b.message_id, b.reason, b.row, b.row_hash, b.copies, r.copies AS old
          FROM pg_temp._ingest_batch b
          LEFT JOIN attrib.rejects r ON r.source_table = b.source_table AND r.row_hash = b.row_hash
         WHERE b.reason IS NOT NULL
    ), added AS (
        INSERT INTO attrib.rejects (source_table, message_id, reason, row, row_hash, run_id, copies)
        SELECT i.source_table, i.message_id, i.reason, coalesce(i.row, '{}'), i.row_hash, p_run_id, i.copies
          FROM incoming i WHERE i.copies > coalesce(i.old, 0)
        ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = EXCLUDED.copies)
    SELECT coalesce(sum(i.copies - coalesce(i.old, 0)), 0) INTO rows_rejected
      FROM incoming i WHERE i.copies > coalesce(i.old, 0);

    -- Dedupe (SPEC 2): among this batch's new rows and the event already kept
    -- for the same message_id, the first by the SPEC's order wins.
    DROP TABLE IF EXISTS pg_temp._ingest_existing;
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM pg_temp._ingest_batch)));
    -- message_index gives each kept event's full key, so each message id
    -- reads one partition instead of probing every month of history.
    CREATE TEMP TABLE _ingest_existing ON COMMIT DROP AS
    SELECT e.*
      FROM (SELECT DISTINCT mi.alias_id, mi.event_ts, mi.message_id
              FROM pg_temp._ingest_batch b
              JOIN partitioning.message_index mi ON mi.message_id = b.message_id
             WHERE b.kind <> 'identify' AND b.reason IS NULL) k
      JOIN partitioning.events e
        ON e.alias_id = k.alias_id AND e.event_ts = k.event_ts AND e.message_id = k.message_id;
    PERFORM attrib._plan_for_few(false);
    ANALYZE pg_temp._ingest_existing;

    -- Duplicate copies this run adds (applied once ranking is done): more
    -- copies of a row already counted as a duplicate, and copies of a kept
    -- event's own row beyond the event itself.
    DROP TABLE IF EXISTS pg_temp._ingest_dup_changes;
    CREATE TEMP TABLE _ingest_dup_changes ON COMMIT DROP AS
    SELECT b.source_table, b.message_id, b.row_hash, b.copies AS at_least, 0 AS plus
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL
       AND EXISTS (SELECT 1 FROM attrib.duplicates d WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
    UNION ALL
    SELECT b.source_table, b.message_id, b.row_hash, b.copies - 1, 0
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL AND b.copies > 1
       AND EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                    WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash AND e.source_table = b.source_table);

    -- Candidates: this batch's new valid rows and the kept events with the
    -- same message ids. Most message ids have one candidate, which simply
    -- wins; only contested ids are sorted by the SPEC's order (sorting a
    -- whole load twice was a third of ingest's time).
    DROP TABLE IF EXISTS pg_temp._ingest_candidates;
    CREATE TEMP TABLE _ingest_candidates ON COMMIT DROP AS
    SELECT false AS existing, b.source_table, b.row_hash, b.message_id, b.kind, b.event, b.anonymous_id,
           b.user_id, b.event_ts, b.received_at, b.uuid_ts, b.url, b.referrer,
           b.utm_source, b.utm_medium, b.utm_campaign, b.utm_term, b.utm_content, NULL::text AS alias_id,
           b.copies
      FROM pg_temp._ingest_batch b
     WHERE b.kind <> 'identify' AND b.reason IS NULL
       AND NOT EXISTS (SELECT 1 FROM attrib.duplicates d
                        WHERE d.source_table = b.source_table AND d.row_hash = b.row_hash)
       AND NOT EXISTS (SELECT 1 FROM pg_temp._ingest_existing e
                        WHERE e.message_id = b.message_id AND e.row_hash = b.row_hash
                          AND e.source_table = b.source_table)
    UNION ALL
    SELECT true, e.source_table, e.row_hash, e.message_id, e.kind, e.event, e.anonymous_id,
           e.user_id, e.event_ts, e.received_at, e.uuid_ts, e.url, e.referrer,
           e.utm_source, e.utm_medium, e.utm_campaign, e.utm_term, e.utm_content, e.alias_id,
           1::bigint
      FROM pg_temp._ingest_existing e;
    ANALYZE pg_temp._ingest_candidates;

    DROP TABLE IF EXISTS pg_temp._ingest_contested;
    CREATE TEMP TABLE _ingest_contested ON COMMIT DROP AS
    SELECT c.message_id FROM pg_temp._ingest_candidates c GROUP BY c.message_id HAVING count(*) > 1;
    ANALYZE pg_temp._ingest_contested;

    DROP TABLE IF EXISTS pg_temp._ingest_ranked;
    CREATE TEMP TABLE _ingest_ranked ON COMMIT DROP AS
    SELECT c.*, true AS wins
      FROM pg_temp._ingest_candidates c
     WHERE NOT EXISTS (SELECT 1 FROM pg_temp._ingest_contested x WHERE x.message_id = c.message_id)
    UNION ALL
    SELECT u.*,
           row_number() OVER (PARTITION BY u.message_id
                              ORDER BY u.received_at NULLS LAST, u.kind, u.event_ts, u.uuid_ts NULLS LAST,
                                       u.anonymous_id COLLATE "C" NULLS LAST, u.user_id COLLATE "C" NULLS LAST,
                                       u.url COLLATE "C" NULLS LAST, u.referrer COLLATE "C" NULLS LAST,
                                       u.row_hash COLLATE "C") = 1
      FROM (SELECT DISTINCT ON (c.source_table, c.row_hash) c.*   -- the same row read twice is one row
              FROM pg_temp._ingest_candidates c
              JOIN pg_temp._ingest_contested x ON x.message_id = c.message_id
             ORDER BY c.source_table, c.row_hash, c.existing DESC) u;
    ANALYZE pg_temp._ingest_ranked;

    -- Duplicates (SPEC 2), each distinct row once with its copies: a new row
    -- that lost counts all its copies, a new winner its copies beyond the
    -- event, a kept event that lost now counts itself too (one more copy).
    INSERT INTO pg_temp._ingest_dup_changes (source_table, message_id, row_hash, at_least, plus)
    SELECT r.source_table, r.message_id, r.row_hash,
           CASE WHEN r.existing THEN 0 WHEN r.wins THEN r.copies - 1 ELSE r.copies END,
           CASE WHEN r.existing AND NOT r.wins THEN 1 ELSE 0 END
      FROM pg_temp._ingest_ranked r
     WHERE NOT r.wins OR (NOT r.existing AND r.copies > 1);
    WITH wanted AS (
        SELECT c.source_table, c.row_hash, min(c.message_id) AS message_id, max(c.at_least) AS at_least,
               sum(c.plus) AS plus, d.copies AS old
          FROM pg_temp._ingest_dup_changes c
          LEFT JOIN attrib.duplicates d ON d.source_table = c.source_table AND d.row_hash = c.row_hash
         GROUP BY c.source_table, c.row_hash, d.copies
    ), target AS (
        SELECT w.*, greatest(coalesce(w.old, 0), w.at_least) + w.plus AS copies FROM wanted w
    ), added AS (
        INSERT INTO attrib.duplicates (source_table, message_id, row_hash, run_id, copies)
        SELECT x.source_table, x.message_id, x.row_hash, p_run_id, x.copies
          FROM target x WHERE x.copies > coalesce(x.old, 0)
        ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = EXCLUDED.copies)
    SELECT coalesce(sum(x.copies - coalesce(x.old, 0)), 0) INTO rows_duplicated
      FROM target x WHERE x.copies > coalesce(x.old, 0);

    -- A kept event that loses to a row loaded later leaves, and its alias is
    -- recomputed.
    WITH removed AS (
        DELETE FROM partitioning.events e
         USING pg_temp._ingest_ranked r
         WHERE r.existing AND NOT r.wins
           AND e.alias_id = r.alias_id AND e.event_ts = r.event_ts AND e.message_id = r.message_id
        RETURNING e.alias_id, e.anonymous_id, e.user_id, e.message_id
    ), unindexed AS (
        DELETE FROM partitioning.message_index mi USING removed r WHERE mi.message_id = r.message_id)
    INSERT INTO sessions_stages.changed_identities (alias_id, anonymous_id, user_id)
    SELECT DISTINCT alias_id, anonymous_id, user_id FROM removed;

    -- Every month the new events fall in gets its partition first, so the
    -- default partition stays empty (an event from years ago, or next month).
    SELECT array_agg(m.month) INTO v_months
      FROM (SELECT DISTINCT date_trunc('month', r.event_ts) AS month
              FROM pg_temp._ingest_ranked r WHERE r.wins AND NOT r.existing) m
     WHERE NOT EXISTS (SELECT 1 FROM partman.show_partition_name('partitioning.events', m.month::text) sp
                        WHERE sp.table_exists);
    IF v_months IS NOT NULL THEN
        PERFORM partman.create_partition_time('partitioning.events', v_months, p_analyze => false);
    END IF;
    -- rows written per month, for the maintain stage's statistics
    INSERT INTO attrib.months_written AS mw (month, rows)
    SELECT date_trunc('month', r.event_ts), count(*)
      FROM pg_temp._ingest_ranked r WHERE r.wins AND NOT r.existing GROUP BY 1
    ON CONFLICT (month) DO UPDATE SET rows = mw.rows + EXCLUDED.rows;

    DROP TABLE IF EXISTS pg_temp._ingest_new;
    -- A day's anonymous ids look up their owners one by one: hashing all
    -- owners instead grows with history (70 ms of a 0.7 s increment at 10 M).
    PERFORM attrib._plan_for_few(attrib._is_few((SELECT count(*) FROM pg_temp._ingest_ranked)));
    CREATE TEMP TABLE _ingest_new ON COMMIT DROP AS
    SELECT coalesce(r.user_id, o.user_id, r.anonymous_id) AS alias_id, r.event_ts, r.message_id, r.kind, r.event,
           r.anonymous_id, r.user_id, r.received_at, r.uuid_ts, r.url, r.referrer, r.utm_source, r.utm_medium,
           r.utm_campaign, r.utm_term, r.utm_content, r.source_table, r.row_hash
      FROM pg_temp._ingest_ranked r
      LEFT JOIN aliasing.owners o ON o.anonymous_id = r.anonymous_id AND r.user_id IS NULL
     WHERE r.wins AND NOT r.existing;
    PERFORM attrib._plan_for_few(false);

    INSERT INTO partitioning.events (alias_id, event_ts, message_id, kind, event, anonymous_id, user_id,
           received_at, uuid_ts, url, url_clean, referrer, utm_source, utm_medium, utm_campaign, utm_term,
           utm_content, source_table, row_hash)
    SELECT n.alias_id, n.event_ts, n.message_id, n.kind, n.event, n.anonymous_id, n.user_id, n.received_at,
           n.uuid_ts, n.url, attrib.url_clean(n.url), n.referrer, n.utm_source, n.utm_medium, n.utm_campaign,
           n.utm_term, n.utm_content, n.source_table, n.row_hash
      FROM pg_temp._ingest_new n
     -- in key order: each partition's primary key is appended to, not
     -- split at random, and an alias's events sit together on disk
     ORDER BY n.alias_id, n.event_ts, n.message_id;
    GET DIAGNOSTICS rows_written = ROW_COUNT;

    INSERT INTO partitioning.message_index (message_id, alias_id, event_ts)
    SELECT n.message_id, n.alias_id, n.event_ts FROM pg_temp._ingest_new n ORDER BY n.message_id;
    INSERT INTO partitioning.alias_months (alias_id, month)
    SELECT DISTINCT n.alias_id, attrib._month(n.event_ts) FROM pg_temp._ingest_new n
    ON CONFLICT DO NOTHING;

    INSERT INTO sessions_stages.changed_identities (alias_id, anonymous_id, user_id)
    SELECT DISTINCT n.alias_id, n.anonymous_id, n.user_id FROM pg_temp._ingest_new n;

    -- Remember what the next run will re-read (the new overlap window).
    DELETE FROM attrib.overlap_rows o USING attrib.ingest_state st
     WHERE st.source_table = o.source_table AND o.load_time <= st.watermark - v_overlap;
    INSERT INTO attrib.overlap_rows (source_table, row_hash, load_time, copies)
    SELECT b.source_table, b.row_hash, b.load_time, b.copies
      FROM pg_temp._ingest_batch b
      JOIN attrib.ingest_state st ON st.source_table = b.source_table
     WHERE b.load_time IS NULL OR b.load_time > st.watermark - v_overlap
    ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = greatest(attrib.overlap_rows.copies, EXCLUDED.copies);

    IF EXISTS (SELECT 1 FROM partitioning.events_default) THEN
        RAISE EXCEPTION 'rows landed in the default partition partitioning.events_default'
            USING ERRCODE = '55000',
                  DETAIL = 'Every event must fall in a monthly partition; the default one must stay empty.',
                  HINT = 'Run SELECT * FROM partman.check_default(); then move them with partman.partition_data_time(''partitioning.events'').';
    END IF;
    PERFORM attrib._partman_done();  -- last: the caller gets its own search_path back
END
$$;
COMMENT ON FUNCTION attrib.ingest(bigint) IS
  'Stage ingest (SPEC 1, 2, 9): newly loaded Segment rows into partitioning.events; rejects and duplicates counted';
