-- Revision 0005 down: undoes 0005_overlap_rows.sql.
DROP TABLE IF EXISTS attrib.overlap_rows;
