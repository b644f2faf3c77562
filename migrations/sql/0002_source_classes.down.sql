-- Revision 0002 down: undoes 0002_source_classes.sql.
DELETE FROM attrib.source_classes;
