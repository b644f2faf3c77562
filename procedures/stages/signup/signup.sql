-- attrib.signup: stage 4 (definitions §6). From the freshly computed sessions of the
-- dirty aliases: useful_sessions (first and signup session) and the BI lookup
-- user_session_counts, into sessions_stages; published by attrib.attribute.
CREATE OR REPLACE FUNCTION attrib.signup(
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
-- UTC and ISO whatever the caller or server uses (definitions §9).
SET TimeZone = 'UTC'
SET DateStyle = 'ISO, MDY'
SET IntervalStyle = 'postgres'
SET extra_float_digits = 1
AS $$
DECLARE
    v_count bigint;
    v_keys  text[];  -- the work tables' indexes, to build again after a bulk write
BEGIN
    PERFORM attrib._check_temp_schema();  -- first: no temporary object of the caller's may run as the owner
    rows_rejected := 0;
    rows_duplicated := 0;
    TRUNCATE sessions_stages.useful_sessions, sessions_stages.user_session_counts;
    SELECT count(*) INTO rows_read FROM sessions_stages.all_sessions;
    v_keys := attrib._drop_indexes_for_bulk(rows_read, 'sessions_stages.useful_sessions',
                                            'sessions_stages.user_session_counts');

    INSERT INTO sessions_stages.useful_sessions (alias_id, session_id, session_number, is_first_session,
           is_signup_session)
    SELECT s.alias_id, s.session_id, s.session_number, s.session_number = 1, s.signed_up
      FROM sessions_stages.all_sessions s
     WHERE s.session_number = 1 OR s.signed_up;
    GET DIAGNOSTICS rows_written = ROW_COUNT;

    INSERT INTO sessions_stages.user_session_counts (alias_id, sessions, first_seen, last_seen, signed_up,
           sessions_before_signup)
    SELECT s.alias_id, count(*), min(s.session_start), max(s.session_end), bool_or(s.signed_up),
           min(s.session_number) FILTER (WHERE s.signed_up)
      FROM sessions_stages.all_sessions s
     GROUP BY s.alias_id;
    GET DIAGNOSTICS v_count = ROW_COUNT;
    rows_written := rows_written + v_count;
    PERFORM attrib._build_indexes(v_keys);

    UPDATE attrib.pipeline_state SET signup_for = sessionized_at;
END
$$;
COMMENT ON FUNCTION attrib.signup(bigint) IS
  'Stage signup (definitions §6): useful_sessions and user_session_counts of the dirty aliases into sessions_stages';
