-- attrib._is_few: whether a work set of p_keys keys is small enough, against
-- the events' size, that probing each partition's index per key beats
-- reading all history (one key in 50 events; estimates from the catalog).
CREATE OR REPLACE FUNCTION attrib._is_few(p_keys bigint)
RETURNS boolean
LANGUAGE sql STABLE
BEGIN ATOMIC
    SELECT p_keys * 50 < attrib._row_estimate('partitioning.events'::regclass);
END;
COMMENT ON FUNCTION attrib._is_few(bigint) IS
  'Private: true when a work set of p_keys keys is small against the events (index probes beat a scan)';
