-- attrib._plan_for_few: steers the rest of the current transaction towards
-- index nested loops (p_few = true) or back to the planner's free choice.
-- Events are partitioned by time while work sets (dirty aliases, touched
-- anonymous ids, a day's message ids) pick rows by person across every
-- partition; the planner costs one index probe per partition per key and
-- so prefers scanning all history even for a few hundred keys, which makes
-- an increment's cost grow with history instead of with new data.
CREATE OR REPLACE FUNCTION attrib._plan_for_few(p_few boolean)
RETURNS void
LANGUAGE sql
BEGIN ATOMIC
    SELECT set_config('enable_hashjoin', CASE WHEN p_few THEN 'off' ELSE 'on' END, true),
           set_config('enable_mergejoin', CASE WHEN p_few THEN 'off' ELSE 'on' END, true);
END;
COMMENT ON FUNCTION attrib._plan_for_few(boolean) IS
  'Private: transaction-local planner steering to index nested loops for small work sets (true) or back (false)';
