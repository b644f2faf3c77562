-- Revision 0004 down: back to the events' own indexes on message_id and anonymous_id.
CREATE INDEX events_message_id_idx ON partitioning.events (message_id);
CREATE INDEX events_anonymous_id_idx ON partitioning.events (anonymous_id);
DROP TABLE partitioning.alias_months;
DROP TABLE partitioning.message_index;
