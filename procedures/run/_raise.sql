-- attrib._raise: raises an error caught earlier again, with its SQLSTATE,
-- message, DETAIL and HINT (a bare RAISE only works inside the handler, and
-- the procedures must leave the handler to COMMIT the failure first). Empty
-- DETAIL or HINT are left out rather than shown as empty lines.
CREATE OR REPLACE FUNCTION attrib._raise(
    p_sqlstate text,
    p_message  text,
    p_detail   text DEFAULT NULL,
    p_hint     text DEFAULT NULL)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_state   text := coalesce(nullif(p_sqlstate, ''), 'XX000');
    v_message text := coalesce(p_message, '');
BEGIN
    IF coalesce(p_detail, '') <> '' AND coalesce(p_hint, '') <> '' THEN
        RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message, DETAIL = p_detail, HINT = p_hint;
    ELSIF coalesce(p_detail, '') <> '' THEN
        RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message, DETAIL = p_detail;
    ELSIF coalesce(p_hint, '') <> '' THEN
        RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message, HINT = p_hint;
    ELSE
        RAISE EXCEPTION USING ERRCODE = v_state, MESSAGE = v_message;
    END IF;
END
$$;
COMMENT ON FUNCTION attrib._raise(text, text, text, text) IS
  'Private: re-raises a caught error with its SQLSTATE, message, DETAIL and HINT';
