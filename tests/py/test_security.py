"""Least privilege: nobody else's code runs inside attrib, and each role gets only what it needs.

The hostile role is called mallory: it owns the source schema, or may write
to `public`, as on a shared warehouse. Every planted object logs the role
that ran it into public.fired and tries to make mallory a superuser; each
test first shows that the plant fires when mallory calls it (the positive
control), then that deploy and run never fire it, whoever runs them.
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from psycopg import sql

from attrib import deploy
from conftest import create_login, login_dsn
from attrib.paths import project_root
from run_helpers import (BackgroundCall, add_visitor, attrib, gone, inject, log, signups, sleeping, wait_for,
                         with_source)
from segment import create_source, insert

# A plpgsql body that records who ran it and tries to escalate mallory.
FIRE = """
    INSERT INTO public.fired (by_role, what) VALUES (current_user, {what});
    BEGIN
        EXECUTE {escalate};
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;"""


def hostile_role(dsn: str) -> Iterator[str]:
    """A role with no attrib rights, and public.fired, where planted code records each time it runs."""
    name = f"mallory_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(name)))
        # a loader's role on a shared warehouse: it may create schemas of its own
        c.execute(sql.SQL("GRANT CREATE ON DATABASE {} TO {}").format(
            sql.Identifier(dsn.rsplit("/", 1)[1]), sql.Identifier(name)))
        c.execute("CREATE TABLE public.fired (by_role text, what text)")
        c.execute("GRANT SELECT, INSERT ON public.fired TO PUBLIC")
    yield name
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(sql.SQL("DROP OWNED BY {} CASCADE").format(sql.Identifier(name)))
        c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


@pytest.fixture
def mallory(dsn: str) -> Iterator[str]:
    """mallory in a database where attrib is deployed."""
    yield from hostile_role(dsn)


@pytest.fixture
def mallory_first(empty_dsn: str) -> Iterator[str]:
    """mallory in a database where attrib was never deployed: she is there first."""
    yield from hostile_role(empty_dsn)


def fire_body(role: str, what: str) -> str:
    return FIRE.format(what=f"'{what}'", escalate=f"'ALTER ROLE {role} SUPERUSER'")  # names made by the tests


@pytest.fixture
def reader_login(dsn: str) -> Iterator[str]:
    """A BI tool's login, granted attrib's reader role."""
    name = f"bi_{uuid.uuid4().hex[:8]}"
    create_login(dsn, name, member_of="attrib_reader")
    yield name
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def fired(conn: psycopg.Connection) -> list[tuple[str, str]]:
    return conn.execute("SELECT by_role, what FROM public.fired ORDER BY 1, 2").fetchall()


def is_superuser(conn: psycopg.Connection, role: str) -> bool:
    return conn.execute("SELECT rolsuper FROM pg_roles WHERE rolname = %s", (role,)).fetchone()[0]


def as_role(dsn: str, role: str, **options: str) -> psycopg.Connection:
    extra = " ".join(f"-c {k}={v}" for k, v in options.items())
    # roles the cluster trusts ignore the password; the runner and reader logins need it
    return psycopg.connect(login_dsn(dsn, role), autocommit=True, **({"options": extra} if extra else {}))


# -- a cast on a source column's type -----------------------------------------------


def plant_cast_on_source_column(conn: psycopg.Connection, dsn: str, role: str) -> None:
    """mallory owns segment; pages.context_campaign_term gets a type whose cast to text is mallory's code."""
    with as_role(dsn, role) as m:
        create_source(m)
        m.execute("CREATE TYPE segment.term AS (v text)")
        m.execute("CREATE FUNCTION segment.term_text(t segment.term) RETURNS text LANGUAGE plpgsql AS $$ BEGIN"
                  + fire_body(role, "cast") + " RETURN t.v; END $$")
        m.execute("CREATE CAST (segment.term AS text) WITH FUNCTION segment.term_text(segment.term)")
        m.execute("ALTER TABLE segment.pages ALTER COLUMN context_campaign_term TYPE segment.term USING NULL")
        m.execute("INSERT INTO segment.pages (id, anonymous_id, \"timestamp\", received_at, context_campaign_term) "
                  "VALUES ('p1', 'a1', now(), now(), ROW('spring')::segment.term)")


def test_a_cast_planted_on_a_source_column_type_fires_for_its_owner(conn: psycopg.Connection, dsn: str,
                                                                     mallory: str) -> None:
    plant_cast_on_source_column(conn, dsn, mallory)
    with as_role(dsn, mallory) as m:
        m.execute("SELECT context_campaign_term::text FROM segment.pages")
    assert fired(conn) == [(mallory, "cast")]


def test_a_cast_planted_on_a_source_column_type_never_runs_in_deploy_or_run(conn: psycopg.Connection, dsn: str,
                                                                            mallory: str) -> None:
    plant_cast_on_source_column(conn, dsn, mallory)
    deploy.upgrade(dsn, grant_source=True)
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 1
    assert ("42804: source column segment.pages.context_campaign_term has type segment.term, "
            "which is not built into PostgreSQL") in result.stderr
    with pytest.raises(psycopg.errors.DatatypeMismatch):
        conn.execute("CALL attrib.run_attribution()")
    assert fired(conn) == []
    assert not is_superuser(conn, mallory)


# -- overloads planted in a public schema others can write ----------------------------


def called_builtins(conn: psycopg.Connection) -> set[str]:
    """Names of pg_catalog functions that attrib's SQL calls without a schema."""
    text = ""
    root = project_root()
    for path in [*sorted((root / "procedures").rglob("*.sql")), *sorted((root / "migrations" / "sql").glob("*.sql"))]:
        text += re.sub(r"--[^\n]*", "", path.read_text()) + "\n"
    names = set(re.findall(r"(?<![\w.\"$])([a-z_][a-z0-9_]*)\s*\(", text.lower()))
    catalog = {r[0] for r in conn.execute(
        "SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace AND prokind = 'f'")}
    return names & catalog


def plant_public_overloads(conn: psycopg.Connection, dsn: str, role: str) -> int:
    """For every built-in attrib calls unqualified, a public copy of each signature that logs and delegates;
    plus overloads that beat the built-ins on argument types alone. Returns how many were planted."""
    conn.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(role)))
    signatures = conn.execute("""
        SELECT p.proname, pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.proretset,
               array_length(p.proargtypes::oid[], 1)
          FROM pg_proc p
         WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind = 'f' AND p.proname = ANY(%s)
           AND p.prorettype NOT IN ('internal'::regtype, 'cstring'::regtype, 'trigger'::regtype,
                                    'event_trigger'::regtype, 'record'::regtype, 'void'::regtype,
                                    'language_handler'::regtype, 'fdw_handler'::regtype,
                                    'table_am_handler'::regtype, 'index_am_handler'::regtype,
                                    'tsm_handler'::regtype, 'anyrange'::regtype, 'anymultirange'::regtype,
                                    'anycompatiblerange'::regtype, 'anycompatiblemultirange'::regtype)
           AND NOT EXISTS (SELECT FROM unnest(p.proargtypes::oid[]) t
                            WHERE t IN ('internal'::regtype, 'cstring'::regtype, '"any"'::regtype,
                                        'anyrange'::regtype, 'anymultirange'::regtype,
                                        'anycompatiblerange'::regtype, 'anycompatiblemultirange'::regtype))
           AND p.provariadic = 0 AND p.proargmodes IS NULL""", (sorted(called_builtins(conn)),)).fetchall()
    planted = 0
    with as_role(dsn, role) as m:
        for name, args, result, retset, nargs in signatures:
            call = ", ".join(f"${i}" for i in range(1, (nargs or 0) + 1))
            body = (f"RETURN QUERY SELECT * FROM pg_catalog.{name}({call});" if retset
                    else f"RETURN pg_catalog.{name}({call});")
            typed_args = re.sub(r"\bDEFAULT\b[^,]*", "", args)
            try:
                m.execute(f"CREATE FUNCTION public.{name}({typed_args}) RETURNS {result} LANGUAGE plpgsql AS $f$ "
                          f"BEGIN {fire_body(role, name)} {body} END $f$")
                planted += 1
            except psycopg.errors.Error:
                pass  # a signature plpgsql cannot take (polymorphic return without argument, ...)
        for signature, delegate in [("format(text, text)", "pg_catalog.format($1, $2)"),
                                    ("to_jsonb(record)", "pg_catalog.to_jsonb($1)"),
                                    ("nextval(text)", "pg_catalog.nextval($1::regclass)"),
                                    ("concat_ws(text, text, text)", "pg_catalog.concat_ws($1, $2, $3)")]:
            result = {"format": "text", "to_jsonb": "jsonb", "nextval": "bigint", "concat_ws": "text"}[
                signature.split("(")[0]]
            m.execute(f"CREATE FUNCTION public.{signature} RETURNS {result} LANGUAGE plpgsql AS $f$ "
                      f"BEGIN {fire_body(role, signature.split('(')[0])} RETURN {delegate}; END $f$")
            planted += 1
    return planted


def test_public_overloads_fire_for_unqualified_calls_of_their_owner(conn: psycopg.Connection, dsn: str,
                                                                    mallory: str) -> None:
    assert plant_public_overloads(conn, dsn, mallory) > 100
    with as_role(dsn, mallory, search_path="public,pg_catalog") as m:
        m.execute("SELECT format('%s', 'x'::text), lower('X'::text)")
    assert fired(conn) == [(mallory, "format"), (mallory, "lower")]


def test_public_overloads_never_run_in_deploy_or_run_whoever_runs_them(conn: psycopg.Connection, dsn: str,
                                                                         empty_dsn: str, mallory: str,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    plant_public_overloads(conn, dsn, mallory)
    with_source(conn, visitors=2)
    # every connection of the deployer and the CLI asks for public first
    monkeypatch.setenv("PGOPTIONS", "-c search_path=public,pg_catalog")
    deploy.upgrade(dsn)
    assert attrib("run", "--dsn", dsn).exit_code == 0
    # a superuser's psql session with a hostile path and objects of its own in pg_temp
    with psycopg.connect(dsn, autocommit=True, options="-c search_path=public,pg_catalog") as su:
        su.execute("CREATE TEMP TABLE settings (name text, value jsonb)")
        su.execute("CREATE FUNCTION pg_temp.lower_ascii(text) RETURNS text LANGUAGE sql AS 'SELECT $1'")
        su.execute("CALL attrib.run_attribution()")
        su.execute("CALL attrib.run_stage('ingest')")
    # the runner's own session, the way pg_cron starts it
    with as_role(dsn, "attrib_runner", search_path="public,pg_catalog") as runner:
        runner.execute("CALL attrib.run_attribution(true)")
    assert fired(conn) == []
    assert not is_superuser(conn, mallory)
    assert signups(conn) == ["user-1", "user-2"]


def test_deploy_into_a_database_with_public_overloads_runs_none_of_them(conn: psycopg.Connection, dsn: str,
                                                                        mallory: str) -> None:
    plant_public_overloads(conn, dsn, mallory)
    # a fresh install: every migration and procedure runs with the overloads in place
    conn.execute("DROP SCHEMA attrib, partitioning, aliasing, sessions, sessions_stages CASCADE")
    conn.execute("DELETE FROM partman.part_config")
    conn.execute("DROP TABLE IF EXISTS partman.template_partitioning_events")
    conn.execute("DROP TABLE public.alembic_version")
    conn.execute("ALTER DATABASE " + sql.Identifier(dsn.rsplit("/", 1)[1]).as_string(conn)
                 + " SET search_path = public, pg_catalog")
    deploy.upgrade(dsn)
    assert fired(conn) == []
    assert not is_superuser(conn, mallory)


# -- what each role may do ----------------------------------------------------------------


def test_a_reader_reads_the_outputs(conn: psycopg.Connection, dsn: str, reader_login: str) -> None:
    with_source(conn)
    conn.execute("CALL attrib.run_attribution()")
    with as_role(dsn, reader_login) as reader:
        assert reader.execute("SELECT alias_id FROM sessions.attribution").fetchall() == [("user-1",)]
        assert reader.execute("SELECT count(*) FROM sessions.signups_by_week").fetchone() == (1,)


@pytest.mark.parametrize("statement", [
    "CALL attrib.run_attribution()",
    "SELECT count(*) FROM partitioning.events",
    "UPDATE attrib.settings SET value = '\"1 minute\"' WHERE name = 'session_gap'",
    "SELECT count(*) FROM attrib.rejects",
    "SELECT count(*) FROM aliasing.owners",
])
def test_a_reader_gets_42501_from_everything_else(dsn: str, reader_login: str, statement: str) -> None:
    with as_role(dsn, reader_login) as session:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            session.execute(statement)


def test_the_runner_runs_the_pipeline_but_cannot_touch_the_data(conn: psycopg.Connection, dsn: str) -> None:
    with_source(conn)
    with as_role(dsn, "attrib_runner") as runner:
        runner.execute("CALL attrib.run_attribution()")
        for statement in ["SELECT count(*) FROM partitioning.events", "DELETE FROM sessions.attribution",
                          "SELECT attrib.ingest()", "CREATE OR REPLACE FUNCTION attrib.reset() RETURNS void "
                                                    "LANGUAGE sql AS 'SELECT'"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                runner.execute(statement)
    assert signups(conn) == ["user-1"]


def test_every_attrib_object_belongs_to_the_owner_role_and_no_function_is_public(conn: psycopg.Connection) -> None:
    with_source(conn)
    conn.execute("CALL attrib.run_attribution()")  # new partitions too
    others = conn.execute("""
        SELECT c.oid::regclass::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages')
           AND c.relkind IN ('r', 'p', 'v', 'S') AND pg_get_userbyid(c.relowner) <> 'attrib_owner'
        UNION ALL
        SELECT p.oid::regprocedure::text FROM pg_proc p
         WHERE p.pronamespace = 'attrib'::regnamespace
           AND (pg_get_userbyid(p.proowner) <> 'attrib_owner' OR has_function_privilege('public', p.oid, 'EXECUTE'))
    """).fetchall()
    assert others == []


# -- the run lease ----------------------------------------------------------------------------


def test_a_role_without_attrib_rights_cannot_take_or_fake_the_run_lock(conn: psycopg.Connection, dsn: str,
                                                                      mallory: str) -> None:
    with_source(conn)
    with as_role(dsn, mallory) as m:
        for statement in ["SELECT attrib._run_lock()",
                          "UPDATE attrib.run_lease SET run_id = 1, pid = pg_backend_pid()",
                          "CALL attrib.run_attribution()"]:
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                m.execute(statement)
        # the old public advisory lock key means nothing any more
        m.execute("SELECT pg_advisory_lock((1635021938::bigint << 32) | 1768054642::bigint)")
        conn.execute("CALL attrib.run_attribution()")
    assert signups(conn) == ["user-1"]


def sleeping_run(conn: psycopg.Connection, dsn: str) -> BackgroundCall:
    """A run that holds the lease, asleep in its alias stage."""
    with_source(conn)
    inject(conn, "alias", sleep=30)
    holder = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    wait_for(lambda: sleeping(conn, holder.pid))
    return holder


def test_a_killed_lease_holder_does_not_block_the_next_run(conn: psycopg.Connection, dsn: str) -> None:
    holder = sleeping_run(conn, dsn)
    conn.execute("SELECT pg_terminate_backend(%s)", (holder.pid,))
    holder.join()
    wait_for(lambda: gone(conn, holder.pid))
    conn.execute("CALL attrib.run_attribution()")
    assert signups(conn) == ["user-1"]


def test_a_scheduled_run_refused_at_the_lease_is_on_record(conn: psycopg.Connection, dsn: str) -> None:
    holder = sleeping_run(conn, dsn)
    with pytest.raises(psycopg.Error) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.sqlstate == "AT055"
    assert "another attrib run is in progress" in refused.value.diag.message_primary
    conn.execute("SELECT pg_terminate_backend(%s)", (holder.pid,))
    holder.join()
    row = conn.execute("SELECT status, stages FROM attrib.runs ORDER BY run_id DESC LIMIT 1").fetchone()
    assert row == ("failed", ["start"])
    assert conn.execute("SELECT sqlstate FROM attrib.run_log WHERE stage = 'start'").fetchone() == ("AT055",)


# -- test faults: only attrib's owner arms them -------------------------------------------------


def test_the_runner_cannot_arm_a_test_fault(dsn: str) -> None:
    with as_role(dsn, "attrib_runner", **{"attrib.testing": "on"}) as runner:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            runner.execute("INSERT INTO attrib.test_faults (stage, sqlstate) VALUES ('alias', '22023')")


def test_a_stage_takes_no_fault_from_its_caller(conn: psycopg.Connection) -> None:
    args = conn.execute("SELECT pg_get_function_identity_arguments('attrib._run_stage_exec'::regproc)").fetchone()
    assert args == ("p_run_id bigint, p_stage text",)


# -- source relations whose owner attrib does not trust ---------------------------------------


def test_a_source_view_owned_by_an_untrusted_role_is_refused(conn: psycopg.Connection, dsn: str,
                                                             mallory: str) -> None:
    with_source(conn)
    conn.execute("ALTER TABLE segment.pages RENAME TO pages_raw")
    conn.execute(sql.SQL("GRANT SELECT ON segment.pages_raw TO {}; GRANT USAGE, CREATE ON SCHEMA segment TO {}").format(
        sql.Identifier(mallory), sql.Identifier(mallory)))
    with as_role(dsn, mallory) as m:
        m.execute("CREATE VIEW segment.pages AS SELECT * FROM segment.pages_raw")
        m.execute("GRANT SELECT ON segment.pages TO attrib_owner")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.diag.message_primary == (
        f"view segment.pages (setting source_schema) is owned by {mallory}, a role attrib does not trust")
    assert "ALTER VIEW segment.pages OWNER TO attrib_owner;" in refused.value.diag.message_hint


def test_a_source_view_owned_by_a_trusted_role_is_read(conn: psycopg.Connection) -> None:
    with_source(conn)
    conn.execute("ALTER TABLE segment.pages RENAME TO pages_raw")
    conn.execute("CREATE VIEW segment.pages AS SELECT * FROM segment.pages_raw")  # owned by the superuser
    conn.execute("GRANT SELECT ON segment.pages, segment.pages_raw TO attrib_owner")
    conn.execute("CALL attrib.run_attribution()")
    assert signups(conn) == ["user-1"]


def test_a_source_view_handed_to_the_runner_runs_its_code_for_the_runner(conn: psycopg.Connection, dsn: str,
                                                                         mallory: str) -> None:
    runners_source_view(conn, mallory)
    with as_role(dsn, "attrib_runner") as runner:
        runner.execute("SELECT count(*) FROM segment.pages")
    assert fired(conn) == [("attrib_runner", "runner's view")]


def test_a_source_view_handed_to_the_runner_is_refused(conn: psycopg.Connection, mallory: str) -> None:
    runners_source_view(conn, mallory)
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.diag.message_primary == (
        "view segment.pages (setting source_schema) is owned by attrib_runner, a role attrib does not trust")
    assert fired(conn) == []


def runners_source_view(conn: psycopg.Connection, role: str) -> None:
    """A DBA hands the runner a view over the pages, with a function of the runner's in it."""
    with_source(conn)
    conn.execute("ALTER TABLE segment.pages RENAME TO pages_raw")
    conn.execute("CREATE FUNCTION segment.runners() RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
                 + fire_body(role, "runner's view").replace("'runner's view'", "'runner''s view'")
                 + " RETURN true; END $f$")
    conn.execute("CREATE VIEW segment.pages AS SELECT r.* FROM segment.pages_raw r WHERE segment.runners()")
    conn.execute("ALTER FUNCTION segment.runners() OWNER TO attrib_runner")
    conn.execute("ALTER VIEW segment.pages OWNER TO attrib_runner")
    conn.execute("GRANT USAGE ON SCHEMA segment TO attrib_runner; GRANT SELECT ON segment.pages_raw TO attrib_runner")
    conn.execute("GRANT SELECT ON segment.pages TO attrib_owner")


def test_a_source_table_with_policies_of_an_untrusted_owner_is_refused(conn: psycopg.Connection, dsn: str,
                                                                       mallory: str) -> None:
    with as_role(dsn, mallory) as m:
        create_source(m)
        m.execute("ALTER TABLE segment.tracks ENABLE ROW LEVEL SECURITY")
        m.execute("CREATE POLICY everything ON segment.tracks USING (true)")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.diag.message_primary.startswith("table with row-level security policies segment.tracks")


def test_without_a_grant_on_the_source_the_error_says_how_to_grant(conn: psycopg.Connection) -> None:
    with_source(conn)
    conn.execute("REVOKE SELECT ON segment.pages FROM attrib_owner")
    with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.diag.message_primary == (
        "attrib cannot read source table segment.pages: role attrib_owner has no SELECT on it")
    assert "attrib deploy --grant-source" in refused.value.diag.message_hint


def test_deploy_grant_source_lets_the_owner_read_and_indexes_the_load_time(conn: psycopg.Connection,
                                                                          dsn: str) -> None:
    conn.execute("CREATE SCHEMA segment")
    conn.execute("CREATE TABLE segment.pages (id text, anonymous_id text, user_id text, \"timestamp\" timestamptz,"
                 " received_at timestamptz, uuid_ts timestamptz)")
    result = attrib("deploy", "--dsn", dsn, "--grant-source")
    assert result.exit_code == 0, result.stderr
    assert conn.execute("SELECT has_table_privilege('attrib_owner', 'segment.pages', 'SELECT')").fetchone() == (True,)
    assert conn.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'segment'").fetchall() == [
        ("CREATE INDEX pages_attrib_load_time ON segment.pages USING brin (uuid_ts)",)]
    assert "segment.tracks does not exist yet" in result.stderr


def test_a_run_as_superuser_warns_once_and_names_the_runner(conn: psycopg.Connection, dsn: str) -> None:
    with_source(conn)
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 0
    assert result.stderr.count("warning: this run ran as superuser postgres") == 1
    assert "attrib_runner" in result.stderr


def test_roles_can_be_named_at_deploy(empty_dsn: str) -> None:
    suffix = uuid.uuid4().hex[:6]
    names = {"owner": f"o_{suffix}", "runner": f"w_{suffix}", "reader": f"r_{suffix}"}
    try:
        deploy.upgrade(empty_dsn, roles=names)
        with psycopg.connect(empty_dsn) as c:
            assert dict(c.execute("SELECT kind, role_name FROM attrib.roles").fetchall()) == names
            assert c.execute("SELECT pg_get_userbyid(relowner) FROM pg_class "
                             "WHERE oid = 'sessions.attribution'::regclass").fetchone() == (names["owner"],)
            assert c.execute("SELECT has_table_privilege(%s, 'sessions.attribution', 'SELECT')",
                             (names["reader"],)).fetchone() == (True,)
    finally:
        with psycopg.connect(empty_dsn.rsplit("/", 1)[0] + "/postgres", autocommit=True) as c:
            c.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(empty_dsn.rsplit("/", 1)[1])))
            for role in names.values():
                c.execute(sql.SQL("DROP ROLE IF EXISTS {}").format(sql.Identifier(role)))


# -- the caller's temporary schema ------------------------------------------------------------

# Every built-in type attrib's SQL and pg_partman's use by name.
BUILTIN_TYPES = ["name", "text", "varchar", "timestamptz", "timestamp", "interval", "int4", "int8", "bool",
                 "regclass", "oid", "date", "numeric", "jsonb"]
PARTMAN_PATH = "partman, pg_temp, pg_catalog"  # what pg_partman 4.7 sets: pg_temp before pg_catalog


def plant_temp_domains(session: psycopg.Connection, role: str) -> None:
    """In the session's pg_temp: a domain named after each built-in type, whose CHECK is the session's code."""
    session.execute("CREATE FUNCTION pg_temp.pwn(what text) RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
                    + FIRE.format(what="what", escalate=f"'ALTER ROLE {role} SUPERUSER'") + " RETURN true; END $f$")
    for name in BUILTIN_TYPES:
        session.execute(f"CREATE DOMAIN pg_temp.{name} AS pg_catalog.{name} CHECK (pg_temp.pwn('{name}'))")


def test_temp_domains_shadow_every_builtin_type_on_pg_partmans_path(conn: psycopg.Connection, dsn: str,
                                                                    mallory: str) -> None:
    with as_role(dsn, "attrib_runner") as runner:
        plant_temp_domains(runner, mallory)
        runner.execute(f"SET search_path = {PARTMAN_PATH}")
        for name in BUILTIN_TYPES:
            # quoted: a type name the grammar knows as a keyword (timestamp, interval) is looked up too
            runner.execute(f'SELECT NULL::"{name}"')  # the domain's CHECK runs on NULL too
    assert fired(conn) == sorted(("attrib_runner", name) for name in BUILTIN_TYPES)


@pytest.mark.parametrize("call", ["CALL attrib.run_attribution()", "CALL attrib.run_stage('ingest')",
                                  "CALL attrib.run_stage('maintain')"])
def test_the_runners_temp_domains_never_run_as_the_owner(conn: psycopg.Connection, dsn: str, mallory: str,
                                                         call: str) -> None:
    with_source(conn)
    with as_role(dsn, "attrib_runner") as runner:
        plant_temp_domains(runner, mallory)
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            runner.execute(call)
        # the documented way out: the same session, its temporary objects dropped
        runner.execute("DISCARD TEMP")
        runner.execute(call)
    assert fired(conn) == []
    assert not is_superuser(conn, mallory)
    message = refused.value.diag.message_primary
    assert "temporary schema" in message and "type pg_temp.name (owner attrib_runner)" in message
    assert "DISCARD TEMP" in refused.value.diag.message_hint


def test_the_runners_temp_domains_stay_in_its_session_and_attrib_run_works(conn: psycopg.Connection, dsn: str,
                                                                          mallory: str) -> None:
    with_source(conn)
    with as_role(dsn, "attrib_runner") as runner:
        plant_temp_domains(runner, mallory)
        result = attrib("run", "--dsn", login_dsn(dsn, "attrib_runner"))
    assert result.exit_code == 0, result.stderr
    assert fired(conn) == []
    assert signups(conn) == ["user-1"]


def test_temp_objects_of_a_role_set_in_the_session_stop_the_run(conn: psycopg.Connection, dsn: str,
                                                                mallory: str) -> None:
    with_source(conn)
    with psycopg.connect(dsn, autocommit=True) as su:
        su.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(mallory)))
        su.execute("CREATE TEMP VIEW pg_class AS SELECT * FROM pg_catalog.pg_class")  # shadows it for pg_partman
        su.execute("RESET ROLE")
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            su.execute("CALL attrib.run_attribution()")
    assert "view pg_temp.pg_class" in refused.value.diag.message_primary
    assert f"(owner {mallory})" in refused.value.diag.message_primary
    assert log(conn)[0][:2] == ("ingest", "failed")


# -- a source made to mean something else between its check and its read ----------------------


def pwn_function(session: psycopg.Connection, schema: str, role: str) -> None:
    session.execute(f"CREATE FUNCTION {schema}.pwn() RETURNS boolean LANGUAGE plpgsql AS $f$ BEGIN"
                    + fire_body(role, "view") + " RETURN true; END $f$")


def lock_waiting(conn: psycopg.Connection, pid: int) -> bool:
    """The backend waits for a lock another transaction holds."""
    row = conn.execute("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()
    return bool(row and row[0] == "Lock")


def mallorys_source(dsn: str, role: str) -> None:
    with as_role(dsn, role) as m:
        create_source(m)
        add_visitor(m, 1)
        pwn_function(m, "segment", role)


def swap_for_a_view(m: psycopg.Connection, relation: str) -> None:
    """The table goes aside; a view of its owner's, with its function, takes its name."""
    schema, name = relation.split(".")
    m.execute(f"ALTER TABLE {relation} RENAME TO {name}_raw")
    m.execute(f"CREATE VIEW {relation} AS SELECT r.* FROM {relation}_raw r WHERE {schema}.pwn()")
    m.execute(f"GRANT SELECT ON {relation} TO attrib_owner")


def test_a_view_of_its_owner_fires_for_its_owner(conn: psycopg.Connection, dsn: str, mallory: str) -> None:
    mallorys_source(dsn, mallory)
    with as_role(dsn, mallory) as m:
        swap_for_a_view(m, "segment.pages")
        m.execute("SELECT count(*) FROM segment.pages")
    assert fired(conn) == [(mallory, "view")]


def test_a_source_swapped_for_a_view_while_ingest_waits_for_its_lock_is_refused(conn: psycopg.Connection, dsn: str,
                                                                               mallory: str) -> None:
    mallorys_source(dsn, mallory)
    with as_role(dsn, mallory) as m:
        with m.transaction():
            m.execute("LOCK TABLE segment.pages IN ACCESS EXCLUSIVE MODE")
            ingest = BackgroundCall(login_dsn(dsn, "attrib_runner"), "CALL attrib.run_stage('ingest')")
            wait_for(lambda: lock_waiting(conn, ingest.pid))
            swap_for_a_view(m, "segment.pages")
        ingest.join()
    assert isinstance(ingest.error, psycopg.errors.InsufficientPrivilege)
    assert ingest.error.diag.message_primary == (
        f"view segment.pages (setting source_schema) is owned by {mallory}, a role attrib does not trust")
    assert fired(conn) == []
    assert not is_superuser(conn, mallory)


def test_a_source_schema_renamed_while_ingest_waits_is_read_from_the_tables_it_locked(conn: psycopg.Connection,
                                                                                    dsn: str, mallory: str) -> None:
    mallorys_source(dsn, mallory)
    with as_role(dsn, mallory) as m:
        with m.transaction():
            m.execute("LOCK TABLE segment.tracks IN ACCESS EXCLUSIVE MODE")  # ingest has pages, waits for tracks
            ingest = BackgroundCall(login_dsn(dsn, "attrib_runner"), "CALL attrib.run_stage('ingest')")
            wait_for(lambda: lock_waiting(conn, ingest.pid))
            m.execute("ALTER SCHEMA segment RENAME TO segment_old")
            m.execute("CREATE SCHEMA segment")
            m.execute("GRANT USAGE ON SCHEMA segment TO attrib_owner")
            pwn_function(m, "segment", mallory)
            for table in ["tracks", "identifies"]:
                m.execute(f"CREATE TABLE segment.{table} (LIKE segment_old.{table})")
            m.execute("CREATE VIEW segment.pages AS SELECT r.* FROM segment_old.pages r WHERE segment.pwn()")
            m.execute("GRANT SELECT ON ALL TABLES IN SCHEMA segment TO attrib_owner")
        ingest.join()
    assert ingest.error is None
    assert fired(conn) == []
    # the pages it read are those of the table it locked
    assert conn.execute("SELECT kind, count(*) FROM partitioning.events GROUP BY 1").fetchall() == [("page", 1)]


def test_a_revenue_source_swapped_for_a_view_while_attribute_waits_is_refused(conn: psycopg.Connection, dsn: str,
                                                                             mallory: str) -> None:
    with_source(conn)
    with as_role(dsn, mallory) as m:
        m.execute("CREATE SCHEMA billing")
        m.execute("CREATE TABLE billing.revenue (user_id text, amount numeric, occurred_at timestamptz)")
        m.execute("INSERT INTO billing.revenue VALUES ('user-1', 10, now())")
        m.execute("GRANT USAGE ON SCHEMA billing TO attrib_owner; GRANT SELECT ON billing.revenue TO attrib_owner")
        pwn_function(m, "billing", mallory)
    conn.execute("""UPDATE attrib.settings SET value = '"billing.revenue"' WHERE name = 'revenue_source'""")
    with as_role(dsn, mallory) as m:
        with m.transaction():
            m.execute("LOCK TABLE billing.revenue IN ACCESS EXCLUSIVE MODE")
            run = BackgroundCall(login_dsn(dsn, "attrib_runner"), "CALL attrib.run_attribution()")
            wait_for(lambda: lock_waiting(conn, run.pid))
            swap_for_a_view(m, "billing.revenue")
        run.join()
    assert isinstance(run.error, psycopg.errors.InsufficientPrivilege)
    assert run.error.diag.message_primary == (
        f"view billing.revenue (setting revenue_source) is owned by {mallory}, a role attrib does not trust")
    assert fired(conn) == []


# -- schemas deploy creates or uses, made or writable by another role ---------------------------

OWN_SCHEMAS = ["attrib", "partitioning", "aliasing", "sessions", "sessions_stages", "partman", "cron"]


def plant_partman_split_part(dsn: str, role: str) -> None:
    """Before the first deploy: schema partman, with a split_part that beats pg_catalog's on pg_partman's path."""
    with as_role(dsn, role) as m:
        m.execute("CREATE SCHEMA partman")
        m.execute("CREATE FUNCTION partman.split_part(text, text, integer) RETURNS text LANGUAGE plpgsql AS $f$ BEGIN"
                  + fire_body(role, "split_part") + " RETURN pg_catalog.split_part($1, $2, $3); END $f$")


def test_a_partman_split_part_fires_for_its_owner_on_pg_partmans_path(empty_dsn: str, mallory_first: str) -> None:
    plant_partman_split_part(empty_dsn, mallory_first)
    with as_role(empty_dsn, mallory_first, search_path="partman,pg_temp,pg_catalog") as m:
        m.execute("SELECT split_part('a_p2024_01', '_p', 2)")
        assert fired(m) == [(mallory_first, "split_part")]


def test_deploy_refuses_a_partman_schema_another_role_made_before_it(empty_dsn: str, mallory_first: str) -> None:
    plant_partman_split_part(empty_dsn, mallory_first)
    result = attrib("deploy", "--dsn", empty_dsn)
    assert result.exit_code == 1
    assert (f"42501: attrib deploy refuses: schema partman is owned by {mallory_first}, a role attrib does not trust"
            in result.stderr)
    assert (f"function partman.split_part(pg_catalog.text,pg_catalog.text,integer) is owned by {mallory_first}"
            in result.stderr)
    assert "HINT: Review what it holds, then ALTER SCHEMA partman OWNER TO postgres;" in result.stderr
    with psycopg.connect(empty_dsn) as c:
        assert fired(c) == []
        assert not is_superuser(c, mallory_first)
        assert c.execute("SELECT to_regnamespace('attrib')").fetchone() == (None,)


@pytest.mark.parametrize("schema", OWN_SCHEMAS)
def test_deploy_refuses_a_schema_it_creates_or_uses_owned_by_another_role(empty_dsn: str, mallory_first: str,
                                                                         schema: str) -> None:
    with as_role(empty_dsn, mallory_first) as m:
        m.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    result = attrib("deploy", "--dsn", empty_dsn)
    assert result.exit_code == 1
    assert (f"42501: attrib deploy refuses: schema {schema} is owned by {mallory_first}, "
            "a role attrib does not trust") in result.stderr


@pytest.mark.parametrize("schema, grantee", [("partman", "mallory"), ("sessions", "PUBLIC"), ("attrib", "mallory")])
def test_deploy_refuses_while_another_role_may_create_in_a_schema_it_uses(conn: psycopg.Connection, dsn: str,
                                                                         mallory: str, schema: str,
                                                                         grantee: str) -> None:
    grantee = mallory if grantee == "mallory" else grantee
    who = sql.SQL("PUBLIC") if grantee == "PUBLIC" else sql.Identifier(grantee)
    conn.execute(sql.SQL("GRANT CREATE ON SCHEMA {} TO {}").format(sql.Identifier(schema), who))
    refused = attrib("deploy", "--dsn", dsn)
    assert refused.exit_code == 1
    said = f"{'PUBLIC' if grantee == 'PUBLIC' else 'role ' + grantee} has CREATE on schema {schema}"
    assert f"42501: attrib deploy refuses: {said}" in refused.stderr
    assert f"HINT: REVOKE CREATE ON SCHEMA {schema} FROM {grantee};" in refused.stderr
    conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA {} FROM {}").format(sql.Identifier(schema), who))
    assert attrib("deploy", "--dsn", dsn).exit_code == 0


def test_deploy_refuses_what_another_role_left_in_partman(conn: psycopg.Connection, dsn: str, mallory: str) -> None:
    conn.execute(sql.SQL("GRANT CREATE ON SCHEMA partman TO {}").format(sql.Identifier(mallory)))
    with as_role(dsn, mallory) as m:
        m.execute("CREATE VIEW partman.pg_inherits AS SELECT * FROM pg_catalog.pg_inherits")
    conn.execute(sql.SQL("REVOKE CREATE ON SCHEMA partman FROM {}").format(sql.Identifier(mallory)))
    result = attrib("deploy", "--dsn", dsn)
    assert result.exit_code == 1
    assert f"view partman.pg_inherits is owned by {mallory}, a role attrib does not trust" in result.stderr
    assert "DROP VIEW partman.pg_inherits;" in result.stderr


def test_deploy_refuses_an_alembic_version_table_of_another_role(empty_dsn: str, mallory_first: str) -> None:
    with psycopg.connect(empty_dsn, autocommit=True) as c:
        c.execute(sql.SQL("GRANT CREATE ON SCHEMA public TO {}").format(sql.Identifier(mallory_first)))
    with as_role(empty_dsn, mallory_first) as m:
        m.execute("CREATE TABLE public.alembic_version (version_num varchar(32) PRIMARY KEY)")
        m.execute("CREATE FUNCTION public.pwn() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
                  + fire_body(mallory_first, "alembic_version") + " RETURN NEW; END $f$")
        m.execute("CREATE TRIGGER pwn BEFORE INSERT OR UPDATE ON public.alembic_version "
                  "FOR EACH ROW EXECUTE FUNCTION public.pwn()")
        m.execute("INSERT INTO public.alembic_version VALUES ('none')")  # the positive control
        assert fired(m) == [(mallory_first, "alembic_version")]
        m.execute("DELETE FROM public.alembic_version")
    with psycopg.connect(empty_dsn, autocommit=True) as c:
        c.execute("DELETE FROM public.fired")
    result = attrib("deploy", "--dsn", empty_dsn)
    assert result.exit_code == 1
    assert (f"42501: attrib deploy refuses: public.alembic_version is a table owned by {mallory_first}, "
            "a role attrib does not trust") in result.stderr
    with psycopg.connect(empty_dsn) as c:
        assert fired(c) == []
        assert not is_superuser(c, mallory_first)



def plant_in_partman_after_deploy(conn: psycopg.Connection, dsn: str, role: str) -> None:
    """Rights on partman granted after the deploy (as pg_partman's docs suggest for a maintenance role)."""
    conn.execute(sql.SQL("GRANT ALL ON SCHEMA partman TO {}").format(sql.Identifier(role)))
    with as_role(dsn, role) as m:
        m.execute("CREATE FUNCTION partman.split_part(text, text, integer) RETURNS text LANGUAGE plpgsql AS $f$ BEGIN"
                  + fire_body(role, "split_part") + " RETURN pg_catalog.split_part($1, $2, $3); END $f$")
        m.execute("GRANT EXECUTE ON FUNCTION partman.split_part(text, text, integer) TO PUBLIC")


def test_a_partman_split_part_made_after_deploy_fires_for_its_owner(conn: psycopg.Connection, dsn: str,
                                                                    mallory: str) -> None:
    plant_in_partman_after_deploy(conn, dsn, mallory)
    with as_role(dsn, mallory, search_path="partman,pg_temp,pg_catalog") as m:
        m.execute("SELECT split_part('a_p2024_01', '_p', 2)")
    assert fired(conn) == [(mallory, "split_part")]


@pytest.mark.parametrize("stage", ["ingest", "maintain"])
def test_the_stages_that_call_pg_partman_refuse_a_partman_others_may_write(conn: psycopg.Connection, dsn: str,
                                                                          mallory: str, stage: str) -> None:
    with_source(conn)
    plant_in_partman_after_deploy(conn, dsn, mallory)
    with as_role(dsn, "attrib_runner") as runner:
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as refused:
            runner.execute(f"CALL attrib.run_stage('{stage}')")
    assert refused.value.diag.message_primary.startswith(
        "pg_partman's schema partman is open to roles attrib does not trust: ")
    assert f"role {mallory} has CREATE on schema partman" in refused.value.diag.message_primary
    assert f"REVOKE CREATE ON SCHEMA partman FROM {mallory};" in refused.value.diag.message_hint
    assert fired(conn) == []


# -- attrib's owner in pg_partman: only what attrib uses ----------------------------------------


def plant_partman_trigger(conn: psycopg.Connection, role: str) -> None:
    """As attrib's owner: a trigger on pg_partman's configuration, run by whoever writes it next."""
    conn.execute("SET ROLE attrib_owner")
    try:
        conn.execute("CREATE FUNCTION attrib.pwn() RETURNS trigger LANGUAGE plpgsql AS $f$ BEGIN"
                     + fire_body(role, "part_config") + " RETURN NEW; END $f$")
        conn.execute("CREATE TRIGGER pwn BEFORE UPDATE ON partman.part_config "
                     "FOR EACH ROW EXECUTE FUNCTION attrib.pwn()")
    finally:
        conn.execute("RESET ROLE")


def test_a_trigger_on_pg_partmans_config_fires_for_whoever_writes_it(conn: psycopg.Connection, mallory: str) -> None:
    conn.execute("GRANT TRIGGER ON partman.part_config TO attrib_owner")  # as 0db26ad's deploy did (GRANT ALL)
    plant_partman_trigger(conn, mallory)
    conn.execute("UPDATE partman.part_config SET premake = premake")
    assert fired(conn) == [("postgres", "part_config")]


def test_the_owner_can_neither_trigger_nor_change_pg_partmans_tables(conn: psycopg.Connection, mallory: str) -> None:
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        plant_partman_trigger(conn, mallory)
    conn.execute("SET ROLE attrib_owner")
    for statement in ["UPDATE partman.part_config SET premake = 1",
                      "DELETE FROM partman.part_config_sub",
                      "TRUNCATE partman.custom_time_partitions",
                      "INSERT INTO partman.template_partitioning_events DEFAULT VALUES"]:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)
    conn.execute("RESET ROLE")
    conn.execute("UPDATE partman.part_config SET premake = premake")
    assert fired(conn) == []


def test_deploy_takes_back_the_partman_rights_an_earlier_deploy_gave(conn: psycopg.Connection, dsn: str) -> None:
    conn.execute("GRANT ALL ON ALL TABLES IN SCHEMA partman TO attrib_owner")  # 0db26ad's deploy
    deploy.upgrade(dsn)
    rights = conn.execute("""
        SELECT c.relname, a.privilege_type FROM pg_class c CROSS JOIN LATERAL aclexplode(c.relacl) a
         WHERE c.relnamespace = 'partman'::regnamespace AND a.grantee = 'attrib_owner'::regrole ORDER BY 1, 2
    """).fetchall()
    assert rights == [("part_config", "SELECT"), ("part_config_sub", "SELECT"), ("table_privs", "SELECT")]


def test_a_partition_a_superuser_makes_belongs_to_the_owner(conn: psycopg.Connection) -> None:
    """pg_partman's inherit_privileges: a partition made by a superuser's maintenance is the owner's at once
    (on Citus the owner could not truncate its shards otherwise, issue 26)."""
    conn.execute("SELECT partman.create_partition_time('partitioning.events', ARRAY['2031-05-01'::timestamptz], "
                 "p_analyze => false)")
    owner = conn.execute("""
        SELECT c.relowner::regrole::text FROM partman.show_partition_name('partitioning.events', '2031-05-01') sp
          JOIN pg_class c ON c.oid = format('%I.%I', sp.partition_schema, sp.partition_table)::regclass""").fetchone()
    assert owner == ("attrib_owner",)


def test_maintain_refuses_pg_partman_retention_on_the_events(conn: psycopg.Connection) -> None:
    with_source(conn)
    conn.execute("UPDATE partman.part_config SET retention = '10 years' WHERE parent_table = 'partitioning.events'")
    with pytest.raises(psycopg.errors.ObjectNotInPrerequisiteState) as refused:
        conn.execute("CALL attrib.run_attribution()")
    assert refused.value.diag.message_primary == (
        "pg_partman retention is set for partitioning.events: attrib does not drop its event partitions")
    assert "SET retention = NULL" in refused.value.diag.message_hint
