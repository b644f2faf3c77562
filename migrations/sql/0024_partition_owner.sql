-- Every monthly partition of partitioning.events belongs to attrib's owner,
-- whoever makes it: pg_partman gives a new partition its parent's owner and
-- grants when inherit_privileges is set. Without it, a partition made by a
-- superuser's partman.run_maintenance() (a cron job for every partition set)
-- belonged to that superuser until the next deploy, and on Citus the owner
-- could then not TRUNCATE its shards (attrib.reset).
UPDATE partman.part_config SET inherit_privileges = true
 WHERE parent_table = 'partitioning.events' AND NOT inherit_privileges;
