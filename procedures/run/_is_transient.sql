-- attrib._is_transient: whether an error is a passing fault by
-- attrib.retry_policy(): its SQLSTATE (or class) is listed as transient and
-- it is not a login refusal.
CREATE OR REPLACE FUNCTION attrib._is_transient(p_sqlstate text, p_message text)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT coalesce(p_sqlstate = ANY (p.transient) OR left(p_sqlstate, 2) = ANY (p.transient), false)
           AND left(p_sqlstate, 2) OPERATOR(pg_catalog.<>) '28'
           AND NOT coalesce(p_message OPERATOR(pg_catalog.~) p.login_refusal, false)
      FROM attrib.retry_policy() p;
END;
COMMENT ON FUNCTION attrib._is_transient(text, text) IS
  'Private: true when the error is a passing fault by attrib.retry_policy() (not a login refusal)';
