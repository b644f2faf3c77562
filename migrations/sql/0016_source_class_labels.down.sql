-- Revision 0016 down: undoes 0016_source_class_labels.sql.
DROP INDEX IF EXISTS attrib.source_classes_label_count;
