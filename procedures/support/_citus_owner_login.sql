-- attrib._citus_owner_login: how the owner role reaches the nodes of a
-- Citus cluster. The stages run as the owner (SECURITY DEFINER), and Citus
-- opens its connections to the workers, and to the coordinator itself for
-- its own copy of the reference tables, as the current user; so on Citus
-- the owner is a LOGIN role on every node, with a random password that
-- only pg_dist_authinfo on the coordinator holds (readable by superusers
-- only: not by the runner nor the reader, who cannot log in as the owner).
-- Each node's pg_hba.conf should accept the owner only from the cluster's
-- own addresses, with scram-sha-256 (README, Security). On PostgreSQL
-- without Citus this is never called and the owner stays NOLOGIN. The
-- password is made once and kept; every deploy sets it again, so a node
-- added later gets it from the next deploy.
CREATE OR REPLACE FUNCTION attrib._citus_owner_login(p_owner text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
    v_password text;
BEGIN
    v_password := (SELECT substring(a.authinfo FROM 'password=([0-9a-f]+)')
                     FROM pg_catalog.pg_dist_authinfo a WHERE a.rolename = p_owner AND a.nodeid = 0);
    IF v_password IS NULL THEN
        v_password := replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
        DELETE FROM pg_catalog.pg_dist_authinfo a WHERE a.rolename = p_owner AND a.nodeid = 0;
        INSERT INTO pg_catalog.pg_dist_authinfo (nodeid, rolename, authinfo)
        VALUES (0, p_owner, 'password=' || v_password);
    END IF;
    -- in the deploy's transaction; Citus sends the other nodes the scram verifier, not the password
    EXECUTE format('ALTER ROLE %I LOGIN PASSWORD %L', p_owner, v_password);
    -- Sessionize classifies each landing touch on the shards: attrib.touch
    -- reads the settings and the source classes (reference tables, a copy on
    -- every node) from inside a shard's query, which Citus refuses unless
    -- this is on. Citus warns that a nested read may not see the outer
    -- transaction's own writes; no stage writes those tables, so the nested
    -- reads see what the stage sees.
    EXECUTE format('ALTER ROLE %I SET citus.allow_nested_distributed_execution = on', p_owner);
END
$$;
COMMENT ON FUNCTION attrib._citus_owner_login(text) IS
  'Private: on Citus, the owner role logs in to the cluster''s nodes with a password only pg_dist_authinfo holds';
