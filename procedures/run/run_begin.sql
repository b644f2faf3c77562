-- attrib.run_begin: the start of every run, whoever runs it (attrib run,
-- run_attribution for pg_cron, run_stage alone, the bench): takes the run
-- lease for this session, draws the run id, marks dead runs' stages failed
-- and checks every setting, once. Returns the run id and the stages to run
-- in order (p_stage: just that one; p_full: reset first). p_resume takes
-- the lease again for a run this client began on a connection it lost.
-- A refused start (another run holds the lease) raises AT055, a failed one
-- (a setting) its error; both are committed to attrib.run_log first, as
-- the run's failed 'start' row. End the run with attrib.run_end(run_id).
--
-- It COMMITs, so it cannot pin search_path and runs as its caller: only
-- schema-qualified calls, pg_catalog-qualified types, no operator.
CREATE OR REPLACE PROCEDURE attrib.run_begin(
    p_full       pg_catalog.bool DEFAULT false,
    p_stage      pg_catalog.text DEFAULT NULL,
    p_resume     pg_catalog.int8 DEFAULT NULL,
    INOUT run_id pg_catalog.int8 DEFAULT NULL,
    INOUT stages pg_catalog.text[] DEFAULT NULL)
LANGUAGE plpgsql
AS $$
DECLARE
    v_sqlstate pg_catalog.text;
    v_message  pg_catalog.text;
    v_detail   pg_catalog.text;
    v_hint     pg_catalog.text;
BEGIN
    SELECT b.run_id, b.stages, b.err_state, b.err_message, b.err_detail, b.err_hint
      INTO run_id, stages, v_sqlstate, v_message, v_detail, v_hint
      FROM attrib._run_begin(p_full, p_stage, p_resume) b;
    COMMIT;
    IF v_sqlstate IS NOT NULL THEN
        PERFORM attrib._raise(v_sqlstate, v_message, v_detail, v_hint);
    END IF;
END
$$;
COMMENT ON PROCEDURE attrib.run_begin(boolean, text, bigint, bigint, text[]) IS
  'Begins a run: the run lease, the run id and the stages to run (p_stage: one; p_full: reset first); refused '
  '(AT055) or failed starts are logged before they are raised. CALL it outside a transaction block.';
