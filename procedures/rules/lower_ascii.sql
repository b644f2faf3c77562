-- attrib.lower_ascii: "lower-cased" of the definitions — changes ASCII A-Z to a-z and
-- leaves every other character alone, whatever the database's locale.
-- lower() under the "C" collation does exactly that (PostgreSQL folds only
-- ASCII letters in the C locale), and is many times faster than
-- translate(p_value, 'A..Z', 'a..z'), which scans the letter list for every
-- character. The result keeps the caller's collation. A single expression:
-- the planner inlines it.
CREATE OR REPLACE FUNCTION attrib.lower_ascii(p_value text)
RETURNS text
LANGUAGE sql
IMMUTABLE PARALLEL SAFE
BEGIN ATOMIC
    SELECT lower(p_value COLLATE "C");
END;

COMMENT ON FUNCTION attrib.lower_ascii(text) IS
  'Lower-cased as in the definitions: ASCII A-Z changed to a-z, every other character kept';
