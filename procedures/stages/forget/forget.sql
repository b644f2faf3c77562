-- attrib.forget: honours an erasure request for one user, in one
-- transaction. It records the user id as a user id and every anonymous id
-- that user owns (definitions §3: the user of its earliest pair) as an anonymous id
-- in attrib.forgotten (from then on source rows carrying them in that
-- column are rejects with reason forgotten, definitions §2, and give no pairs,
-- definitions §3), and removes what attrib holds of them: their events (each becomes a
-- forgotten reject with no row image, so every source row stays counted),
-- their pairs and device owners, their published outputs, and the personal
-- values in the row images of their earlier rejects. Other aliases that
-- held events of those devices are marked dirty: the next run recomputes
-- them. The Segment tables themselves are not touched: clean them with
-- Segment's own delete-and-suppress. p_dry_run reports the same counts and
-- changes nothing. Takes the run lease, so it never runs beside a run.
--
-- Every match is typed: the user id is compared with user_id columns (and
-- is the alias of its outputs), the devices with anonymous_id columns. Any
-- visitor can send an identify pairing a real user's id, as its anonymous
-- id, with its own user id; forgetting that visitor must not reach the
-- real user's rows, outputs or later events.
CREATE OR REPLACE FUNCTION attrib.forget(
    p_user_id                  text,
    p_dry_run                  boolean DEFAULT false,
    OUT ids_forgotten          bigint,
    OUT events_removed         bigint,
    OUT rejects_scrubbed       bigint,
    OUT pairs_removed          bigint,
    OUT aliases_removed        bigint,
    OUT aliases_to_recompute   bigint)
RETURNS record
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
SET TimeZone = 'UTC'
AS $$
DECLARE
    v_user  text := attrib.clean_id(p_user_id);
    v_max   int := (attrib.setting('max_id_length') #>> '{}')::int;
    v_count bigint;
    v_devices text[];  -- the user's devices, as a value: on Citus a reference table cannot be changed
                       -- with a temp table's rows under OR
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    IF v_user IS NULL THEN
        RAISE EXCEPTION 'attrib forget needs a user id, not %', coalesce(quote_literal(p_user_id), 'NULL')
            USING ERRCODE = '22023', HINT = 'Pass the user_id your app sends to Segment, e.g. attrib forget user-123.';
    END IF;
    IF length(v_user) > v_max THEN
        -- no event can carry it (definitions §2: oversized), and it would not fit the key of attrib.forgotten
        RAISE EXCEPTION 'attrib forget: the user id is % characters long, longer than the setting max_id_length (%)',
                        length(v_user), v_max
            USING ERRCODE = '22023',
                  HINT = 'Rows with such an id are rejected as oversized, so attrib holds nothing of it; '
                         'pass the user_id your app sends to Segment.';
    END IF;
    PERFORM attrib._run_lock();  -- 55P03 while a run is in progress
    BEGIN
        -- the devices the user owns: of the anonymous ids ever paired with
        -- the user, those whose earliest pair is the user's (ties: the
        -- smallest user id), as the alias stage decides owners; identify
        -- pairs that no alias stage has seen yet count too
        DROP TABLE IF EXISTS pg_temp._forget_devices;
        CREATE TEMP TABLE _forget_devices ON COMMIT DROP AS
        WITH paired AS (
            SELECT kp.anonymous_id FROM aliasing.known_pairs kp WHERE kp.user_id = v_user
            UNION SELECT ip.anonymous_id FROM aliasing.identify_pairs ip WHERE ip.user_id = v_user
            UNION SELECT o.anonymous_id FROM aliasing.owners o WHERE o.user_id = v_user),
        pairs AS (
            SELECT kp.anonymous_id, kp.user_id, kp.first_seen FROM aliasing.known_pairs kp JOIN paired USING (anonymous_id)
            UNION ALL
            SELECT ip.anonymous_id, ip.user_id, ip.first_seen FROM aliasing.identify_pairs ip JOIN paired USING (anonymous_id))
        SELECT o.anonymous_id
          FROM (SELECT DISTINCT ON (p.anonymous_id) p.anonymous_id, p.user_id
                  FROM pairs p ORDER BY p.anonymous_id, p.first_seen, p.user_id COLLATE "C") o
         WHERE o.user_id = v_user;
        ALTER TABLE pg_temp._forget_devices ADD PRIMARY KEY (anonymous_id);
        INSERT INTO attrib.forgotten (kind, id, user_id)
        SELECT 'user_id', v_user, v_user
        UNION ALL
        SELECT 'anonymous_id', d.anonymous_id, v_user FROM pg_temp._forget_devices d
        ON CONFLICT (kind, id) DO NOTHING;
        ids_forgotten := 1 + (SELECT count(*) FROM pg_temp._forget_devices);
        v_devices := ARRAY(SELECT d.anonymous_id FROM pg_temp._forget_devices d);

        -- every alias that may hold their events: the user's, a device's own
        -- (before an alias stage moved it), and the users that identified on
        -- one of the devices too
        DROP TABLE IF EXISTS pg_temp._forget_aliases;
        CREATE TEMP TABLE _forget_aliases ON COMMIT DROP AS
        SELECT v_user AS alias_id
        UNION SELECT d.anonymous_id FROM pg_temp._forget_devices d
        UNION SELECT kp.user_id FROM aliasing.known_pairs kp JOIN pg_temp._forget_devices d USING (anonymous_id);

        DROP TABLE IF EXISTS pg_temp._forget_removed;
        CREATE TEMP TABLE _forget_removed ON COMMIT DROP AS
        WITH removed AS (
            DELETE FROM partitioning.events e
             USING (SELECT am.alias_id, am.month FROM partitioning.alias_months am
                      JOIN pg_temp._forget_aliases a USING (alias_id)) m
             WHERE e.alias_id = m.alias_id
               AND e.event_ts >= attrib._month_start(m.month) AND e.event_ts < attrib._month_end(m.month)
               AND (e.user_id = v_user OR e.anonymous_id = ANY (v_devices))
            RETURNING e.alias_id, e.message_id, e.source_table, e.row_hash)
        SELECT * FROM removed;
        SELECT count(*) INTO events_removed FROM pg_temp._forget_removed;
        DELETE FROM partitioning.message_index mi USING pg_temp._forget_removed r WHERE mi.message_id = r.message_id;

        -- each removed event, and its identical copies counted as duplicates,
        -- becomes one forgotten reject without a row image
        INSERT INTO attrib.rejects (source_table, message_id, reason, row, row_hash, copies)
        SELECT r.source_table, r.message_id, 'forgotten', '{"erased": true}', r.row_hash, 1 + coalesce(d.copies, 0)
          FROM pg_temp._forget_removed r
          LEFT JOIN attrib.duplicates d ON d.source_table = r.source_table AND d.row_hash = r.row_hash
        ON CONFLICT (source_table, row_hash) DO UPDATE SET copies = attrib.rejects.copies + EXCLUDED.copies;
        DELETE FROM attrib.duplicates d USING pg_temp._forget_removed r
         WHERE d.source_table = r.source_table AND d.row_hash = r.row_hash;

        -- earlier rejects keep their reason and count, not their values
        UPDATE attrib.rejects r SET row = '{"erased": true}'
         WHERE attrib.clean_id(r.row ->> 'user_id') = v_user
            OR attrib.clean_id(r.row ->> 'anonymous_id') = ANY (v_devices);
        GET DIAGNOSTICS rejects_scrubbed = ROW_COUNT;

        DELETE FROM aliasing.identify_pairs p
         WHERE p.user_id = v_user OR p.anonymous_id = ANY (v_devices);
        GET DIAGNOSTICS pairs_removed = ROW_COUNT;
        DELETE FROM aliasing.known_pairs p
         WHERE p.user_id = v_user OR p.anonymous_id = ANY (v_devices);
        GET DIAGNOSTICS v_count = ROW_COUNT;
        pairs_removed := pairs_removed + v_count;
        DELETE FROM aliasing.owners o
         WHERE o.user_id = v_user OR o.anonymous_id = ANY (v_devices);
        DELETE FROM sessions_stages.changed_identities c
         WHERE c.alias_id = v_user OR c.user_id = v_user
            OR c.anonymous_id = ANY (v_devices);
        DELETE FROM sessions_stages.touched_anonymous_ids t
         WHERE t.anonymous_id = ANY (v_devices);

        -- their outputs go now (the devices' events sat under the user's
        -- alias); everyone else they shared a device with is recomputed by
        -- the next run
        SELECT count(*) INTO aliases_removed FROM sessions.user_session_counts u WHERE u.alias_id = v_user;
        DELETE FROM sessions.all_sessions o WHERE o.alias_id = v_user;
        DELETE FROM sessions.useful_sessions o WHERE o.alias_id = v_user;
        DELETE FROM sessions.attribution o WHERE o.alias_id = v_user;
        DELETE FROM sessions.attribution_credit o WHERE o.alias_id = v_user;
        DELETE FROM sessions.user_session_counts o WHERE o.alias_id = v_user;
        DELETE FROM attrib.user_revenue o WHERE o.alias_id = v_user;
        DELETE FROM attrib.user_revenue_horizon o WHERE o.alias_id = v_user;
        DELETE FROM attrib.survey_answers o WHERE o.alias_id = v_user;
        DELETE FROM attrib.content_before_signup o WHERE o.alias_id = v_user;
        DELETE FROM sessions_stages.dirty_aliases d WHERE d.alias_id = v_user;
        INSERT INTO sessions_stages.dirty_aliases (alias_id)
        SELECT DISTINCT r.alias_id FROM pg_temp._forget_removed r WHERE r.alias_id <> v_user
        ON CONFLICT (alias_id) DO UPDATE SET sessionized = false;
        GET DIAGNOSTICS aliases_to_recompute = ROW_COUNT;

        IF p_dry_run THEN
            -- undo everything above, keep the counts
            RAISE EXCEPTION 'dry run' USING ERRCODE = 'AT001';
        END IF;
    EXCEPTION WHEN SQLSTATE 'AT001' THEN
        NULL;
    END;
    PERFORM attrib._run_unlock();
END
$$;
COMMENT ON FUNCTION attrib.forget(text, boolean) IS
  'Erasure: records a user id and the anonymous ids it owns in attrib.forgotten, typed, and removes their events, '
  'pairs and outputs in one transaction (p_dry_run: counts only); the next run recomputes aliases that shared devices';
