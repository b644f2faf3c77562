-- Deploy's preflight: the first statements of every `attrib deploy` (and of
-- the script `attrib deploy --sql` prints), before Alembic reads its version
-- table and before any migration or procedure runs. Not a migration: it
-- refuses; the one thing it may create is schema partman (below).
--
-- Deploy runs as a superuser, and the stages run as attrib's owner with
-- pg_partman, whose functions put `partman` (and pg_temp) *before*
-- pg_catalog on their search_path. So a schema that deploy creates or uses
-- and that another role owns or may create objects in is a way to run that
-- role's code as the superuser deploying and, every night, as the owner:
-- a `partman.split_part(text, text, integer)` made before the first deploy
-- beats pg_catalog's inside create_parent. Refused, each with how to fix
-- it, when any of these schemas exists:
--   * attrib's own five, partman and cron owned by a role that is neither
--     a superuser, the role deploying, nor attrib's owner;
--   * any other role (PUBLIC included) holding CREATE on one of them;
--   * a function, operator, type or relation in one of them owned by such
--     a role (left behind by a CREATE right taken back since);
--   * public.alembic_version (public holds only it, always written out in
--     full) not a plain table of a superuser or the role deploying: deploy
--     writes it, so another owner's trigger would run as the superuser.
-- partman is created here when missing, in the transaction that then runs
-- the migrations, so that no role can create it between this check and
-- the migration that installs pg_partman (CREATE SCHEMA IF NOT EXISTS
-- there would take theirs). attrib's five schemas are created by a plain
-- CREATE SCHEMA, and pg_cron's script too: an existing one fails them.
--
-- attrib's owner is the role named at deploy (the setting
-- attrib.deploy_owner_role, set by attrib deploy --owner-role), else, once
-- attrib is deployed (public.alembic_version holds a revision), the owner
-- of schema attrib (a catalog read: nothing a role wrote runs), else
-- attrib_owner.
CREATE SCHEMA IF NOT EXISTS partman;

DO $preflight$
DECLARE
    v_schemas  text[] := ARRAY['attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages', 'partman', 'cron'];
    v_version  regclass := pg_catalog.to_regclass('public.alembic_version');
    v_trusted  oid[];
    v_problem  record;
    v_problems text[] := '{}';
    v_fixes    text[] := '{}';
    v_deployed boolean := false;
    v_me       oid := (SELECT r.oid FROM pg_catalog.pg_roles r WHERE r.rolname = current_user);
BEGIN
    -- (the caller's search_path is pg_catalog, pg_temp: the deploy connection's, the --sql script's first line)
    IF v_version IS NOT NULL THEN
        SELECT 'public.alembic_version is a ' || CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' ELSE 'relation' END
                   || ' owned by ' || pg_get_userbyid(c.relowner) || ', a role attrib does not trust' AS problem,
               'DROP ' || CASE c.relkind WHEN 'v' THEN 'VIEW' ELSE 'TABLE' END
                   || ' public.alembic_version; (attrib deploy creates it; only if attrib was never deployed here)' AS fix,
               c.relkind = 'r' AND (c.relowner = v_me
                                    OR EXISTS (SELECT FROM pg_roles r WHERE r.oid = c.relowner AND r.rolsuper)) AS ok
          INTO v_problem
          FROM pg_class c WHERE c.oid = v_version;
        IF NOT v_problem.ok THEN
            v_problems := v_problems || v_problem.problem;
            v_fixes := v_fixes || v_problem.fix;
        ELSE
            EXECUTE 'SELECT EXISTS (SELECT FROM public.alembic_version)' INTO v_deployed;
        END IF;
    END IF;

    -- (NULLs out: a NULL in the array would make `NOT owner = ANY (...)` NULL, i.e. trusted)
    v_trusted := array_remove(
        ARRAY[v_me]
        || CASE WHEN nullif(current_setting('attrib.deploy_owner_role', true), '') IS NOT NULL
                THEN to_regrole(quote_ident(current_setting('attrib.deploy_owner_role')))::oid END
        || CASE WHEN v_deployed THEN (SELECT n.nspowner FROM pg_namespace n WHERE n.nspname = 'attrib') END
        || CASE WHEN nullif(current_setting('attrib.deploy_owner_role', true), '') IS NULL AND NOT v_deployed
                THEN to_regrole('attrib_owner')::oid END
        || ARRAY(SELECT r.oid FROM pg_roles r WHERE r.rolsuper), NULL);

    FOR v_problem IN
        SELECT format('schema %I is owned by %s, a role attrib does not trust', n.nspname, pg_get_userbyid(n.nspowner))
                   AS problem,
               format('Review what it holds, then ALTER SCHEMA %I OWNER TO %I; (or drop it)', n.nspname, current_user)
                   AS fix
          FROM pg_namespace n
         WHERE n.nspname = ANY (v_schemas) AND NOT n.nspowner = ANY (v_trusted)
        UNION ALL
        SELECT format('%s has CREATE on schema %I', CASE a.grantee WHEN 0 THEN 'PUBLIC'
                                                        ELSE 'role ' || pg_get_userbyid(a.grantee) END, n.nspname),
               format('REVOKE CREATE ON SCHEMA %I FROM %s;', n.nspname,
                      CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE quote_ident(pg_get_userbyid(a.grantee)) END)
          FROM pg_namespace n CROSS JOIN LATERAL aclexplode(n.nspacl) a
         WHERE n.nspname = ANY (v_schemas) AND a.privilege_type = 'CREATE' AND NOT a.grantee = ANY (v_trusted)
        UNION ALL
        SELECT format('%s %s is owned by %s, a role attrib does not trust', i.type, i.identity, pg_get_userbyid(o.owner)),
               format('Review it, then DROP %s %s;', upper(i.type), i.identity)
          FROM (SELECT 'pg_class'::regclass::oid AS classid, c.oid AS objid, c.relowner AS owner, c.relnamespace AS nsp
                  FROM pg_class c
                UNION ALL
                SELECT 'pg_proc'::regclass, p.oid, p.proowner, p.pronamespace FROM pg_proc p
                UNION ALL
                SELECT 'pg_operator'::regclass, o.oid, o.oprowner, o.oprnamespace FROM pg_operator o
                UNION ALL  -- row types and array types have their relation's, their element's owner
                SELECT 'pg_type'::regclass, t.oid, t.typowner, t.typnamespace FROM pg_type t
                 WHERE t.typrelid = 0 AND NOT EXISTS (SELECT FROM pg_type e WHERE e.typarray = t.oid)) o
          JOIN pg_namespace n ON n.oid = o.nsp
         CROSS JOIN LATERAL pg_identify_object(o.classid, o.objid, 0) i
         WHERE n.nspname = ANY (v_schemas) AND NOT o.owner = ANY (v_trusted)
    LOOP
        v_problems := v_problems || v_problem.problem;
        v_fixes := v_fixes || v_problem.fix;
    END LOOP;

    IF cardinality(v_problems) > 0 THEN
        RAISE EXCEPTION '%', 'attrib deploy refuses: ' || v_problems[1]
                             || CASE WHEN cardinality(v_problems) > 1
                                     THEN format(' (and %s more)', cardinality(v_problems) - 1) ELSE '' END
            USING ERRCODE = '42501',
                  DETAIL = 'Deploy runs as a superuser and the stages as attrib''s owner, and pg_partman looks up '
                           'names in its schema before pg_catalog: a role that owns or may create objects in '
                           'these schemas could run its code with those rights. Found: '
                           || array_to_string(v_problems, '; ') || '.',
                  HINT = array_to_string(v_fixes, E'\n');
    END IF;
END
$preflight$;
