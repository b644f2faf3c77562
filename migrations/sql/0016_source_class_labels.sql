-- Revision 0016 up: what bounds the cost of matching a value against
-- attrib.source_classes (issue 22).
--  * an index on the label count of each name: attrib.source_match tries,
--    at each label of a value, runs of up to as many labels as the longest
--    name has, and reads that maximum from the list at every query (the
--    list is editable data). max() over this index is one index probe
--    instead of a scan of the list, which matters where source_match runs
--    once per call (attrib.source_class, attrib.explain_touch) rather than
--    inlined into a run's one query. The expression is the one
--    source_match's max() reads, so the planner uses the index for it.
CREATE INDEX source_classes_label_count
    ON attrib.source_classes ((pg_catalog.array_length(pg_catalog.string_to_array(name, '.'), 1)));
COMMENT ON INDEX attrib.source_classes_label_count IS
  'The label count of each name: attrib.source_match reads the largest, the longest run of labels it tries';
