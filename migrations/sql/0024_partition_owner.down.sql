-- 0024 down: new partitions take the privileges pg_partman gives by default again.
UPDATE partman.part_config SET inherit_privileges = false WHERE parent_table = 'partitioning.events';
