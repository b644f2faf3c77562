-- Revision 0004 up: lookups by person beside the monthly partitions.
--
-- Events are partitioned by event_ts (one partition per month), but an
-- increment reads them by person: the kept event of a message id (dedupe),
-- the events of an alias (sessionize, re-aliasing). Without a time condition
-- each such key probes every monthly partition, so the cost of a one-day
-- increment grew with the years of history kept. These two small tables
-- give every person-keyed read its months, so run-time partition pruning
-- leaves one partition per key and month. They replace the events' indexes
-- on message_id and anonymous_id, which they make unnecessary.

-- One row per kept event: where to find it (its full primary key).
CREATE TABLE partitioning.message_index (
    message_id text PRIMARY KEY,
    alias_id   text NOT NULL,
    event_ts   timestamptz NOT NULL
);
COMMENT ON TABLE partitioning.message_index IS
  'Primary key of the kept event of each message_id, so dedupe reads one partition per message';

-- The UTC months in which an alias may have events. A superset: moving or
-- removing events leaves a month behind, which costs one empty probe.
CREATE TABLE partitioning.alias_months (
    alias_id text NOT NULL,
    month    date NOT NULL,
    PRIMARY KEY (alias_id, month)
);
COMMENT ON TABLE partitioning.alias_months IS
  'UTC months (first day) in which an alias may have events, so reads by alias prune partitions';

INSERT INTO partitioning.message_index (message_id, alias_id, event_ts)
SELECT e.message_id, e.alias_id, e.event_ts FROM partitioning.events e;

INSERT INTO partitioning.alias_months (alias_id, month)
SELECT DISTINCT e.alias_id, date_trunc('month', e.event_ts AT TIME ZONE 'UTC')::date FROM partitioning.events e;

DROP INDEX partitioning.events_message_id_idx;
DROP INDEX partitioning.events_anonymous_id_idx;

ANALYZE partitioning.message_index;
ANALYZE partitioning.alias_months;
