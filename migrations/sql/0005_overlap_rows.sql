-- Revision 0005 up: remember the source rows inside the ingest overlap.
--
-- Every run re-reads the rows loaded within ingest_overlap (default 1 day)
-- of the watermark, so that rows committed late by the warehouse loader are
-- not missed. Most of them were taken in by the previous run, and
-- re-deciding each one cost a lookup of its message id in the whole
-- history. Rows listed here were taken in whole by an earlier run (as an
-- event, a counted duplicate or a reject) and are skipped when re-read;
-- rows leave the list once they fall out of the overlap window.
CREATE TABLE attrib.overlap_rows (
    source_table text NOT NULL,
    row_hash     text NOT NULL,
    load_time    timestamptz,
    PRIMARY KEY (source_table, row_hash)
);
COMMENT ON TABLE attrib.overlap_rows IS
  'Source rows within ingest_overlap of the watermark that a run already took in; re-reads skip them';
