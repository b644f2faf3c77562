-- attrib._source_classes: what the class lookup (attrib.source_match) reads.
-- On PostgreSQL it is attrib.source_classes as it stands: the planner sees
-- through the view, so the lookup's plan (index on label counts, hash or
-- memoized lookup) is the table's. On Citus, attrib._distribute points it at
-- attrib._source_class_rows(), a PL/pgSQL function reading the reference
-- table: Citus decides how to plan a query before PostgreSQL inlines the
-- SQL functions in it, and refuses a query that an inlined function made
-- read a Citus table (0A000 "parameterized queries for SQL functions
-- referencing distributed tables are not supported").
CREATE VIEW attrib._source_classes AS
SELECT c.name, c.class FROM attrib.source_classes c;
COMMENT ON VIEW attrib._source_classes IS
  'Private: the source classes as attrib.source_match reads them (the table; on Citus, attrib._source_class_rows())';
