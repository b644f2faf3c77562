-- attrib.retry_policy: the one retry policy, read by `attrib run` (which
-- retries a stage) and by the pg_cron retry job (attrib._run_retry_due,
-- which reruns a failed nightly run):
--   transient: SQLSTATEs (or two-character classes) of passing faults, worth
--     trying again: serialization failure, deadlock, a lock timeout while a
--     reader holds a lock, a terminated backend, a server shutting down or
--     starting, and class 08, a lost connection;
--   login_refusal: a class 08 error whose message says a login was refused
--     (Citus reports a worker refusing the role as 08006) is not passing, nor
--     are 28000 and 28P01: retrying cannot fix a password or pg_hba.conf;
--   busy: another run holds the lease; not a failure of this run, never
--     retried by the CLI (exit 3); the retry job reruns a refused nightly run;
--   retry_for: how long after its start a run may still be retried.
-- Everything else (data, integrity, missing objects, raised by attrib) is
-- permanent: retrying gives the same error.
CREATE OR REPLACE FUNCTION attrib.retry_policy(
    OUT transient     text[],
    OUT login_refusal text,
    OUT busy          text,
    OUT retry_for     interval)
RETURNS record
LANGUAGE sql IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT ARRAY['40001', '40P01', '55P03', '57P01', '57P02', '57P03', '08']::text[],
           '(password authentication failed|is not permitted to log in|no pg_hba\.conf entry'
           '|authentication failed|role "[^"]*" does not exist)',
           'AT055',
           interval '2 hours';
END;
COMMENT ON FUNCTION attrib.retry_policy() IS
  'The retry policy of attrib run and the pg_cron retry job: transient SQLSTATEs and classes, the login-refusal '
  'pattern (not transient), the busy SQLSTATE, how long to retry';
