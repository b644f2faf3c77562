-- attrib._ingest_read: ingest's first step. Reads the Segment rows loaded
-- since each table's watermark (minus ingest_overlap) into sessions_stages.ingest_batch,
-- cleaned, derived and classified (definitions §1, §2: every reject reason in order;
-- definitions §3: whether an identify may give a pair), and moves the watermarks (never
-- past the run's start, definitions §9). Returns how many source rows it read.
CREATE OR REPLACE FUNCTION attrib._ingest_read(p_run_id bigint)
RETURNS bigint
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
SET jit = off  -- JIT compiles each partition's plan: seconds lost per query
SET TimeZone = 'UTC'  -- as ingest's: text timestamps and row hashes read alike from any caller
SET DateStyle = 'ISO, MDY'
-- record_send writes text in the client's encoding; SQL_ASCII converts
-- nothing, so the text is hashed in the database's encoding, as the parallel
-- workers (always in it) send it: a row hashes alike whoever calls, and a
-- visitor's character the caller's encoding lacks cannot stop the read.
-- The caller's encoding comes back when this function returns.
SET client_encoding = 'SQL_ASCII'
-- The batch is scratch read by this stage alone: a 9,000-row sample plans its
-- steps as well as the server's 30,000 and costs a quarter (0.55 -> 0.1 s at 1 M).
SET default_statistics_target = 30
AS $$
DECLARE
    v_schema      text        := attrib.setting_text('source_schema');
    v_overlap     interval    := attrib.setting_interval('ingest_overlap');
    v_tolerance   interval    := attrib.setting_interval('future_tolerance');
    v_bot_pattern text        := attrib.setting_text('bot_user_agent_pattern');
    v_max_id      int         := attrib.setting_text('max_id_length')::int;
    v_oldest      timestamptz := attrib.setting_text('oldest_event_ts')::timestamptz;
    -- anything forgotten at all (attrib.forget holds the run lock: no run reads meanwhile)
    v_forgotten   boolean     := EXISTS (SELECT FROM attrib.forgotten);
    -- definitions §2 and §9 measure "the run's start": when its first stage started
    v_run_start   timestamptz := coalesce((SELECT min(l.started_at) FROM attrib.run_log l WHERE l.run_id = p_run_id),
                                          now());
    v_table       text;
    v_load_column text;
    v_rel         regclass;
    v_since       timestamptz;
    v_md5_until   timestamptz;
    v_text_until  timestamptz;
    v_cols        text;
    v_where       text;
    v_parts       text[]      := '{}';
    v_tables      text[]      := '{}';
    v_load_columns text[]     := '{}';
    v_views       regclass[]  := '{}';
    rows_read   bigint;
BEGIN

    -- The bot pattern is matched once per distinct user agent, not per row:
    -- a load has few distinct agents, and a case-insensitive regex per row
    -- was a tenth of a full ingest. The agents are read in a pass of their
    -- own before the batch because a bot's reject keeps the row as read.
    -- A regular (unlogged) table, not a temp one: the batch is read by
    -- parallel workers, which cannot see temp tables. No index: an agent
    -- is as long as a visitor makes it, past what a B-tree key can hold; the
    -- join hashes it.
    TRUNCATE sessions_stages.ingest_agents;

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
        -- Lock, check, read: the table is locked and bound by oid, then checked (a view or a
        -- table with row-level security runs its owner's code: only a trusted owner's), then
        -- read through v_rel, never by its name again.
        v_rel := attrib._bind_relation(v_schema, v_table, 'source_schema');
        v_load_column := attrib._source_load_column(v_rel);
        SELECT s.watermark - v_overlap, s.md5_until, s.text_hash_until INTO v_since, v_md5_until, v_text_until
          FROM attrib.ingest_state s WHERE s.source_table = v_table;
        PERFORM attrib._index_load_time(v_schema, v_table, v_load_column);
        v_where := CASE WHEN v_since IS NULL THEN 'true'
                        ELSE format('%1$s IS NULL OR %1$s > %2$L',
                                    attrib._source_ts(v_rel, v_load_column, NULL), v_since)
                   END;

        v_cols := concat_ws(', ',
            attrib._source_expr(v_rel, v_schema, v_table, 'id', 'text', true),
            attrib._source_expr(v_rel, v_schema, v_table, 'anonymous_id', 'text', true),
            attrib._source_expr(v_rel, v_schema, v_table, 'user_id', 'text', true),
            attrib._source_expr(v_rel, v_schema, v_table, 'timestamp', 'timestamptz', true),
            attrib._source_expr(v_rel, v_schema, v_table, 'received_at', 'timestamptz', true),
            attrib._source_expr(v_rel, v_schema, v_table, 'uuid_ts', 'timestamptz'));
        IF v_table <> 'identifies' THEN
            v_cols := concat_ws(', ', v_cols,
                CASE WHEN v_table = 'tracks' THEN attrib._source_expr(v_rel, v_schema, v_table, 'event', 'text', true) END,
                CASE WHEN v_table = 'pages' THEN attrib._source_expr(v_rel, v_schema, v_table, 'url', 'text') END,
                CASE WHEN v_table = 'pages' THEN attrib._source_expr(v_rel, v_schema, v_table, 'referrer', 'text') END,
                attrib._source_expr(v_rel, v_schema, v_table, 'context_page_url', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_page_referrer', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_campaign_source', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_campaign_medium', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_campaign_name', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_campaign_term', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_campaign_content', 'text'),
                attrib._source_expr(v_rel, v_schema, v_table, 'context_user_agent', 'text'));
        END IF;

        IF v_table <> 'identifies' THEN
            EXECUTE format($sql$
                INSERT INTO sessions_stages.ingest_agents (user_agent, is_bot)
                SELECT a.context_user_agent, a.context_user_agent ~* %L
                  FROM (SELECT DISTINCT %s FROM %s WHERE %s) a
                 WHERE a.context_user_agent IS NOT NULL
                   AND NOT EXISTS (SELECT FROM sessions_stages.ingest_agents x WHERE x.user_agent = a.context_user_agent)
                $sql$,
                v_bot_pattern, attrib._source_expr(v_rel, v_schema, v_table, 'context_user_agent', 'text'),
                v_rel, v_where);
            ANALYZE sessions_stages.ingest_agents;
        END IF;

        -- One pass per table: clean, derive and classify each row. The row as
        -- read (only the columns attrib reads, absent ones as NULL, timestamps
        -- as they stand) identifies a source row, so a column Segment adds
        -- later changes no hash. Every reason of definitions §2 in its order; an
        -- identify is never rejected, but may give no pair (definitions §3).
        v_parts := v_parts || format($sql$
            SELECT %1$L::text AS source_table,
                   CASE WHEN r.reason IS NOT NULL THEN attrib._row_image(jsonb_strip_nulls(to_jsonb(s))) END
                       AS row,
                   %23$s AS row_hash, CASE WHEN isfinite(t.load_time) THEN t.load_time END AS load_time,
                   c.message_id, %2$L::text AS kind, %3$s::text AS event,
                   c.anonymous_id, c.user_id, t.received_at, t.uuid_ts, c.event_ts, c.url,
                   attrib.url_clean(c.url) AS url_clean, c.referrer,
                   attrib.lower_ascii(coalesce(nullif(attrib.trim_ascii(%4$s), ''), attrib.url_param(c.url, 'utm_source')))
                       AS utm_source,
                   attrib.lower_ascii(coalesce(nullif(attrib.trim_ascii(%5$s), ''), attrib.url_param(c.url, 'utm_medium')))
                       AS utm_medium,
                   coalesce(nullif(attrib.trim_ascii(%6$s), ''), attrib.url_param(c.url, 'utm_campaign')) AS utm_campaign,
                   coalesce(nullif(attrib.trim_ascii(%7$s), ''), attrib.url_param(c.url, 'utm_term')) AS utm_term,
                   coalesce(nullif(attrib.trim_ascii(%8$s), ''), attrib.url_param(c.url, 'utm_content')) AS utm_content,
                   r.reason, r.pair_ok, 1::bigint AS copies
              FROM (SELECT %9$s FROM %10$s WHERE %11$s) s
              LEFT JOIN sessions_stages.ingest_agents ua ON ua.user_agent = %12$s
             CROSS JOIN LATERAL (
                   SELECT %13$s AS ts, %14$s AS received_at, %15$s AS uuid_ts, %16$s AS load_time) t
             CROSS JOIN LATERAL (
                   SELECT attrib.clean_id(s.id) AS message_id, attrib.clean_id(s.anonymous_id) AS anonymous_id,
                          attrib.clean_id(s.user_id) AS user_id, coalesce(t.ts, t.received_at) AS event_ts,
                          %17$s AS url, %18$s AS referrer,
                          -- present but not a finite timestamp ('infinity', 'not a date')
                          (s."timestamp" IS NOT NULL AND NOT coalesce(isfinite(t.ts), false)) AS ts_bad,
                          (s.received_at IS NOT NULL AND NOT coalesce(isfinite(t.received_at), false)) AS received_bad) c
             CROSS JOIN LATERAL (
                   -- Each reference to a cleaned id cleans it again (the planner
                   -- inlines these subqueries and shares no expression between
                   -- references), so what needs none is decided without one: a
                   -- cleaned id is never longer than the raw id's octets, and with
                   -- nothing forgotten (the literal false below) the lookups fold away.
                   SELECT coalesce(greatest(octet_length(s.id), octet_length(s.anonymous_id), octet_length(s.user_id)) > %19$s
                                   AND greatest(length(c.message_id), length(c.anonymous_id), length(c.user_id)) > %19$s,
                                   false) AS oversized,
                          -- typed (definitions §2): a user id never matches anonymous_id, nor the reverse
                          (%24$L::boolean
                           AND (c.anonymous_id IN (SELECT f.id FROM attrib.forgotten f WHERE f.kind = 'anonymous_id')
                                OR c.user_id IN (SELECT f.id FROM attrib.forgotten f WHERE f.kind = 'user_id')))
                          IS TRUE AS forgotten) x
             CROSS JOIN LATERAL (
                   SELECT CASE
                       WHEN %2$L = 'identify' THEN NULL
                       WHEN c.message_id IS NULL THEN 'missing_message_id'
                       WHEN x.oversized THEN 'oversized'
                       WHEN x.forgotten THEN 'forgotten'
                       WHEN s."timestamp" IS NULL AND s.received_at IS NULL THEN 'missing_timestamp'
                       WHEN c.ts_bad OR c.received_bad OR c.event_ts < %20$L::timestamptz THEN 'bad_timestamp'
                       WHEN c.anonymous_id IS NULL AND c.user_id IS NULL THEN 'missing_identity'
                       WHEN c.event_ts > t.received_at + %21$L::interval
                         OR c.event_ts > %22$L::timestamptz + %21$L::interval THEN 'future_timestamp'
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
            v_cols, v_rel, v_where,
            CASE WHEN v_table = 'identifies' THEN 'NULL::text' ELSE 's.context_user_agent' END,
            attrib._source_ts(v_rel, 'timestamp'),
            attrib._source_ts(v_rel, 'received_at'),
            attrib._source_ts(v_rel, 'uuid_ts'),
            attrib._source_ts(v_rel, v_load_column),
            -- url, referrer: pages fall back to the context columns; tracks only have those
            CASE v_table WHEN 'pages' THEN 'coalesce(nullif(s.url, ''''), nullif(s.context_page_url, ''''))'
                         WHEN 'tracks' THEN 'nullif(s.context_page_url, '''')' ELSE 'NULL::text' END,
            CASE v_table WHEN 'pages' THEN 'coalesce(nullif(s.referrer, ''''), nullif(s.context_page_referrer, ''''))'
                         WHEN 'tracks' THEN 'nullif(s.context_page_referrer, '''')' ELSE 'NULL::text' END,
            v_max_id, v_oldest, v_tolerance, v_run_start,
            -- The row hash keys overlap_rows, rejects and duplicates, and visitors
            -- choose the rows: SHA-256 (128-bit collision resistance; md5 has none
            -- left), base64 to keep the key short, of the row's binary form
            -- (record_send: each column's type, length and bytes), which costs
            -- half of writing its text. Rows taken in before keep the hash they
            -- were taken in with: a re-read row must meet its stored hash, and no
            -- image of it is kept to hash again. ingest_state.md5_until is the
            -- watermark at revision 0022 (md5 of the text up to it),
            -- text_hash_until at 0027 (SHA-256 of the text up to it); both
            -- NULL on a new install and after a reset.
            CASE WHEN v_md5_until IS NULL AND v_text_until IS NULL
                 THEN 'encode(sha256(record_send(s)), ''base64'')'
                 ELSE concat('CASE',
                             CASE WHEN v_md5_until IS NOT NULL
                                  THEN format(' WHEN t.load_time IS NULL OR t.load_time <= %L::timestamptz '
                                              'THEN md5(s::text)', v_md5_until) END,
                             CASE WHEN v_text_until IS NOT NULL
                                  THEN format(' WHEN t.load_time IS NULL OR t.load_time <= %L::timestamptz '
                                              'THEN encode(sha256(convert_to(s::text, ''UTF8'')), ''base64'')',
                                              v_text_until) END,
                             ' ELSE encode(sha256(record_send(s)), ''base64'') END')
            END,
            v_forgotten);
        v_tables := v_tables || v_table;
        v_load_columns := v_load_columns || v_load_column;
        v_views := v_views || v_rel;
    END LOOP;

    -- The three tables in one statement that creates the batch: a CREATE
    -- TABLE AS may read in parallel (an INSERT never does in PostgreSQL 15),
    -- so the per-row cleaning, hashing and classifying, most of a first
    -- load's reading, runs on every core the server allows.
    -- The batch is a regular table, not a temp one: the later steps read it
    -- whole five more times, with parallel workers, which cannot see a temp
    -- table, and through shared buffers (a temp table past temp_buffers, 8 MB,
    -- is written to and read back from files on every pass). Unlogged: it is
    -- this stage's scratch, made here and dropped when ingest ends; a crash
    -- loses nothing the next run does not read again. Made and dropped in
    -- the stage's transaction, so no other session ever sees it.
    DROP TABLE IF EXISTS sessions_stages.ingest_batch CASCADE;  -- and the views over it, from an earlier ingest
    EXECUTE 'CREATE UNLOGGED TABLE sessions_stages.ingest_batch AS ' || array_to_string(v_parts, ' UNION ALL ');
    GET DIAGNOSTICS rows_read = ROW_COUNT;
    -- Statistics before the first statement groups it: without them the
    -- planner takes a million distinct message ids for 200 and splits their
    -- grouping over workers that each hash them all (1.6 s instead of 0.9 s
    -- at 1 M). The later steps plan with them too.
    ANALYZE sessions_stages.ingest_batch;
    -- read: the views go (the locks stay until the stage commits)
    FOREACH v_rel IN ARRAY v_views LOOP
        EXECUTE format('DROP VIEW %s', v_rel);
    END LOOP;

    -- A watermark never passes the run's start (definitions §9): a load time in
    -- the future (a broken loader) must not hide the rows loaded after it.
    -- The latest load times come from a statement of their own, which reads
    -- the batch with parallel workers (an INSERT reads it in one process).
    DROP TABLE IF EXISTS pg_temp._ingest_latest;
    CREATE TEMP TABLE _ingest_latest ON COMMIT DROP AS
    SELECT b.source_table, max(b.load_time) AS latest FROM sessions_stages.ingest_batch b GROUP BY 1;
    INSERT INTO attrib.ingest_state AS st (source_table, watermark, load_column)
    SELECT t.source_table, CASE WHEN m.latest > v_run_start THEN v_run_start ELSE m.latest END, t.load_column
      FROM unnest(v_tables, v_load_columns) AS t(source_table, load_column)
      LEFT JOIN pg_temp._ingest_latest m ON m.source_table = t.source_table
    ON CONFLICT (source_table) DO UPDATE
       SET watermark = CASE WHEN greatest(st.watermark, EXCLUDED.watermark) > v_run_start THEN v_run_start
                            ELSE greatest(st.watermark, EXCLUDED.watermark) END,
           load_column = EXCLUDED.load_column, updated_at = now();
    RETURN rows_read;
END
$$;
COMMENT ON FUNCTION attrib._ingest_read(bigint) IS
  'Private: ingest step 1, the newly loaded source rows into sessions_stages.ingest_batch, classified';
