-- Revision 0008 up: hostile source data becomes counted rejects (definitions §2, §3, §9).
--  * settings max_id_length and oldest_event_ts;
--  * reject reasons oversized, forgotten and bad_timestamp;
--  * copies on rejects and duplicates (and on overlap_rows, which remembers
--    how many identical copies a run saw), so every source row is counted;
--  * attrib.forgotten, the ids an erasure request recorded;
--  * a repair for databases that already took poison: a watermark beyond
--    now (a row with received_at in 9999) goes back to the latest load time
--    really ingested, so the rows it hid are read; empty partitions outside
--    the range a valid event can fall in are dropped.

INSERT INTO attrib.settings (name, value, description) VALUES
  ('max_id_length', '255',
   'an id (id, anonymous_id, user_id) longer than this many characters, after cleaning, is rejected (oversized)'),
  ('oldest_event_ts', '"2000-01-01 00:00:00+00"',
   'an event earlier than this is rejected (bad_timestamp)')
ON CONFLICT (name) DO NOTHING;

ALTER TABLE attrib.rejects DROP CONSTRAINT rejects_reason_check;
ALTER TABLE attrib.rejects ADD CONSTRAINT rejects_reason_check
    CHECK (reason IN ('missing_message_id', 'oversized', 'forgotten', 'missing_timestamp', 'bad_timestamp',
                      'missing_identity', 'future_timestamp', 'bot'));
ALTER TABLE attrib.rejects ADD COLUMN copies bigint NOT NULL DEFAULT 1 CHECK (copies > 0);
COMMENT ON COLUMN attrib.rejects.copies IS 'How many identical source rows this reject stands for';
ALTER TABLE attrib.duplicates ADD COLUMN copies bigint NOT NULL DEFAULT 1 CHECK (copies > 0);
COMMENT ON COLUMN attrib.duplicates.copies IS
  'How many identical source rows this duplicate stands for (for a kept event''s row: its copies beyond the event)';
ALTER TABLE attrib.overlap_rows ADD COLUMN copies bigint NOT NULL DEFAULT 1;
COMMENT ON COLUMN attrib.overlap_rows.copies IS
  'How many identical copies of the row the run saw; a re-read that finds more counts the new ones';

CREATE TABLE attrib.forgotten (
    id           text PRIMARY KEY,
    user_id      text NOT NULL,
    forgotten_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE attrib.forgotten IS
  'Ids erased on request (attrib forget): a user id and every anonymous id paired with it; their rows are rejects';

UPDATE attrib.ingest_state st
   SET watermark = (SELECT max(CASE st.load_column WHEN 'uuid_ts' THEN e.uuid_ts ELSE e.received_at END)
                      FROM partitioning.events e
                     WHERE e.source_table = st.source_table
                       AND CASE st.load_column WHEN 'uuid_ts' THEN e.uuid_ts ELSE e.received_at END <= now()),
       updated_at = now()
 WHERE st.watermark > now();

DO $$
DECLARE
    v_part record;
    v_rows bigint;
BEGIN
    FOR v_part IN
        SELECT format('%I.%I', n.nspname, c.relname) AS name, i.child_start_time, i.child_end_time
          FROM pg_inherits h
          JOIN pg_class c ON c.oid = h.inhrelid
          JOIN pg_namespace n ON n.oid = c.relnamespace
         CROSS JOIN LATERAL partman.show_partition_info(format('%I.%I', n.nspname, c.relname), '1 month',
                                                        'partitioning.events') i
         WHERE h.inhparent = 'partitioning.events'::regclass AND c.relname <> 'events_default'
           AND (i.child_end_time <= timestamptz '2000-01-01 00:00:00+00'
                OR i.child_start_time > now() + interval '1 day' + interval '5 months')
    LOOP
        EXECUTE format('SELECT count(*) FROM (SELECT FROM %s LIMIT 1) x', v_part.name) INTO v_rows;
        IF v_rows = 0 THEN
            EXECUTE format('DROP TABLE %s', v_part.name);
        END IF;
    END LOOP;
END
$$;
