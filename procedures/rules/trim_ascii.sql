-- attrib.trim_ascii: "trimmed" of the definitions — removes ASCII white space (space, tab,
-- LF, VT, FF, CR) at both ends and nothing else (no Unicode spaces), so ids,
-- parameter values and hosts are cleaned the same way everywhere. A single
-- expression: the planner inlines it.
CREATE OR REPLACE FUNCTION attrib.trim_ascii(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT btrim(p_value, E' \t\n\x0B\f\r');
END;

COMMENT ON FUNCTION attrib.trim_ascii(text) IS
  'Trimmed as in the definitions: the value without ASCII white space (space, tab, LF, VT, FF, CR) at both ends';
