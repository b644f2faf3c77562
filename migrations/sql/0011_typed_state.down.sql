-- Revision 0011 down: undoes 0011_typed_state.sql.
CREATE TABLE attrib.state (key text PRIMARY KEY, value jsonb NOT NULL);
DROP TABLE attrib.months_written;
DROP TABLE attrib.pipeline_state;
