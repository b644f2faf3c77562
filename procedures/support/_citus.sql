-- attrib._citus: whether this database is a Citus coordinator (the citus
-- extension is installed). The one switch where Citus needs a statement of
-- its own; everywhere else one statement serves both.
CREATE OR REPLACE FUNCTION attrib._citus()
RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT EXISTS (SELECT FROM pg_catalog.pg_extension x WHERE x.extname = 'citus');
END;
COMMENT ON FUNCTION attrib._citus() IS
  'Private: true when the citus extension is installed (the database is a Citus coordinator)';
