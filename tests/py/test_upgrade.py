"""Upgrades: a release's database, upgraded with `attrib deploy`, is the catalog a fresh deploy makes.

tests/py/fixtures/release-COMMIT.dump is the database `attrib deploy` from
that commit left (pg_dump, made once): 645b27f, the first release (revision
0005), and 0db26ad (revision 0013, the migrations as they were before every
revision became a frozen SQL file, when 0007 still read the shipped list
from the CSV). Upgrading either must leave no stray overload, orphan
function, missing grant or different body behind.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from attrib import deploy

FIXTURES = Path(__file__).resolve().parent / "fixtures"
# commit -> (its revision, how many procedure files it deployed)
RELEASES = {"645b27f": ("0005", 45), "0db26ad": ("0013", 78)}
SCHEMAS = "('attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages')"
# monthly partitions are made around the day of the deploy: not part of the comparison
NOT_A_PARTITION = r"c.relname !~ '^events_p[0-9]{4}_[0-9]{2}$'"

CATALOG = {
    "schemas": f"""SELECT n.nspname, pg_get_userbyid(n.nspowner), n.nspacl::text FROM pg_namespace n
                   WHERE n.nspname IN {SCHEMAS}""",
    "routines": f"""SELECT p.oid::regprocedure::text, pg_get_function_result(p.oid), p.prokind, p.prosecdef,
                           p.proconfig::text, coalesce(pg_get_function_sqlbody(p.oid), p.prosrc),
                           pg_get_userbyid(p.proowner), p.proacl::text
                      FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname IN {SCHEMAS}""",
    "relations": f"""SELECT n.nspname, c.relname, c.relkind, pg_get_userbyid(c.relowner), c.relacl::text,
                            obj_description(c.oid, 'pg_class')
                       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                      WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm', 'S') AND {NOT_A_PARTITION}""",
    "columns": f"""SELECT n.nspname, c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                          pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum),
                          a.attcollation::regcollation::text
                     FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
                     JOIN pg_namespace n ON n.oid = c.relnamespace
                     LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                    WHERE n.nspname IN {SCHEMAS} AND c.relkind IN ('r', 'p', 'v', 'm')
                      AND a.attnum > 0 AND NOT a.attisdropped AND {NOT_A_PARTITION}""",
    "indexes": f"""SELECT i.schemaname, i.tablename, i.indexname, i.indexdef FROM pg_indexes i
                    WHERE i.schemaname IN {SCHEMAS} AND i.tablename !~ '^events_p[0-9]{{4}}_[0-9]{{2}}$'""",
    "constraints": f"""SELECT n.nspname, c.relname, k.conname, pg_get_constraintdef(k.oid)
                         FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
                         JOIN pg_namespace n ON n.oid = c.relnamespace
                        WHERE n.nspname IN {SCHEMAS} AND {NOT_A_PARTITION}""",
    "views": f"""SELECT schemaname, viewname, definition FROM pg_views WHERE schemaname IN {SCHEMAS}""",
    "triggers": f"""SELECT t.tgrelid::regclass::text, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t
                     JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace
                    WHERE n.nspname IN {SCHEMAS} AND NOT t.tgisinternal""",
    "default privileges": """SELECT pg_get_userbyid(d.defaclrole), d.defaclnamespace::regnamespace::text,
                                    d.defaclobjtype, d.defaclacl::text FROM pg_default_acl d""",
    "settings": "SELECT name, value FROM attrib.settings",
    "source classes": "SELECT count(*), md5(string_agg(name || class, ',' ORDER BY name)) FROM attrib.source_classes",
    "revision": "SELECT version_num FROM public.alembic_version",
    "deployed files": "SELECT file_name, checksum, signature FROM attrib.deployed_procedures",
}


def catalog(dsn: str) -> dict[str, list[tuple]]:
    with psycopg.connect(dsn) as c:
        return {name: sorted(c.execute(query).fetchall(), key=repr) for name, query in CATALOG.items()}


def restore(dsn: str, commit: str) -> str:
    dump = FIXTURES / f"release-{commit}.dump"
    ran = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dsn, "-f", str(dump)],
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    return dsn


@pytest.fixture(params=sorted(RELEASES))
def release(request: pytest.FixtureRequest, empty_dsn: str) -> tuple[str, str]:
    """(commit, DSN of a database as that release left it)."""
    return request.param, restore(empty_dsn, request.param)


def test_the_fixture_is_the_release(release: tuple[str, str]) -> None:
    commit, dsn = release
    with psycopg.connect(dsn) as c:
        assert c.execute("SELECT version_num FROM public.alembic_version").fetchone() == (RELEASES[commit][0],)
        assert c.execute("SELECT count(*) FROM attrib.deployed_procedures").fetchone() == (RELEASES[commit][1],)


def test_upgrading_a_release_gives_the_catalog_of_a_fresh_deploy(release: tuple[str, str], dsn: str) -> None:
    commit, old = release
    result = deploy.upgrade(old)
    assert (result.revision_before, result.revision_after) == (RELEASES[commit][0], deploy.head_revision())
    upgraded, fresh = catalog(old), catalog(dsn)
    for part in CATALOG:
        assert upgraded[part] == fresh[part], part


@pytest.mark.parametrize(("commit", "removed"), [("645b27f", "_run_lock_key()"),
                                                 ("0db26ad", "_run_refused()"),
                                                 ("0db26ad", "_run_check_stage(text)")])
def test_a_removed_procedure_file_takes_its_function_along(empty_dsn: str, commit: str, removed: str) -> None:
    old = restore(empty_dsn, commit)
    deploy.upgrade(old)
    with psycopg.connect(old) as c:
        # the file left the tree after that release
        assert c.execute("SELECT to_regprocedure(%s)", (f"attrib.{removed}",)).fetchone() == (None,)
        assert c.execute("SELECT count(*) FROM attrib.deployed_procedures WHERE file_name = %s",
                         (removed.split("(")[0] + ".sql",)).fetchone() == (0,)


def upgrade_from(dsn: str, revision: str, *setup: str) -> None:
    """Deploys up to revision, runs setup there as a superuser, then upgrades to the head."""
    deploy.upgrade(dsn, revision=revision)
    with psycopg.connect(dsn, autocommit=True) as c:
        for statement in setup:
            c.execute(statement)
    deploy.upgrade(dsn)


def alias_id_collation(c: psycopg.Connection, relation: str) -> str | None:
    """The collation of relation's alias_id column, as regcollation text ('"C"', '"default"')."""
    return c.execute("SELECT attcollation::regcollation::text FROM pg_attribute "
                     "WHERE attrelid = %s::regclass AND attname = 'alias_id'", (relation,)).fetchone()[0]


def test_revision_0014_types_the_forgotten_ids_an_older_release_recorded(empty_dsn: str) -> None:
    # what forget('user-1') recorded before 0014
    upgrade_from(empty_dsn, "0013",
                 "INSERT INTO attrib.forgotten (id, user_id) VALUES ('user-1', 'user-1'), ('anon-1', 'user-1')")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT kind, id, user_id FROM attrib.forgotten ORDER BY 1, 2").fetchall() == [
            ("anonymous_id", "anon-1", "user-1"), ("user_id", "user-1", "user-1")]


def test_revision_0022_keeps_md5_for_the_rows_taken_in_before_it(empty_dsn: str) -> None:
    upgrade_from(empty_dsn, "0021", "INSERT INTO attrib.ingest_state (source_table, watermark, load_column) "
                                    "VALUES ('pages', '2024-05-01 09:00+00', 'uuid_ts')")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT md5_until = watermark FROM attrib.ingest_state").fetchall() == [(True,)]


def test_revision_0027_keeps_the_text_hash_for_the_rows_taken_in_before_it(empty_dsn: str) -> None:
    upgrade_from(empty_dsn, "0026", "INSERT INTO attrib.ingest_state (source_table, watermark, load_column) "
                                    "VALUES ('pages', '2024-05-01 09:00+00', 'uuid_ts')")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT text_hash_until = watermark FROM attrib.ingest_state").fetchall() == [(True,)]


def test_revision_0026_keeps_a_view_of_the_outputs_made_by_someone_else(empty_dsn: str) -> None:
    # an analyst's own view over an id column would block the change of its collation
    upgrade_from(empty_dsn, "0025",
                 "CREATE SCHEMA bi",
                 "CREATE VIEW bi.signups AS SELECT a.alias_id, a.signup_timestamp FROM sessions.attribution a",
                 "GRANT SELECT ON bi.signups TO attrib_reader",
                 "COMMENT ON VIEW bi.signups IS 'signups for the BI tool'",
                 "COMMENT ON COLUMN bi.signups.alias_id IS 'the person'")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT has_table_privilege('attrib_reader', 'bi.signups', 'SELECT'), "
                         "obj_description('bi.signups'::regclass, 'pg_class'), "
                         "col_description('bi.signups'::regclass, 1)").fetchone() == (
            True, "signups for the BI tool", "the person")
        assert [alias_id_collation(c, r) for r in ("bi.signups", "sessions.attribution")] == ['"C"'] * 2


def test_revision_0026_puts_the_ids_in_byte_order(empty_dsn: str) -> None:
    upgrade_from(empty_dsn, "0025",
                 "INSERT INTO sessions.user_session_counts (alias_id, sessions, first_seen, last_seen, signed_up, "
                 "sessions_before_signup) SELECT id, 1, now(), now(), false, 0 FROM unnest(ARRAY['b', 'B', 'a']) id")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT alias_id FROM sessions.user_session_counts ORDER BY alias_id").fetchall() == [
            ("B",), ("a",), ("b",)]


@pytest.mark.parametrize(("planted", "said"), [
    ("CREATE MATERIALIZED VIEW bi.signups AS SELECT a.alias_id FROM sessions.attribution a",
     "it is a materialized view"),
    ("CREATE VIEW bi.signups AS SELECT a.alias_id FROM sessions.attribution a; "
     "CREATE TRIGGER keep INSTEAD OF INSERT ON bi.signups FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()",
     "its triggers"),
    ("CREATE VIEW bi.signups AS SELECT a.alias_id FROM sessions.attribution a; "
     "CREATE FUNCTION bi.people() RETURNS SETOF bi.signups LANGUAGE sql AS 'SELECT * FROM bi.signups'",
     "other objects depend on it"),
])
def test_revision_0026_stops_before_losing_what_a_view_cannot_be_remade_with(empty_dsn: str, planted: str,
                                                                              said: str) -> None:
    with pytest.raises(psycopg.errors.DependentObjectsStillExist, match=f"bi.signups over attrib's ids: {said}"):
        upgrade_from(empty_dsn, "0025", "CREATE SCHEMA bi", planted)
    with psycopg.connect(empty_dsn) as c:  # nothing of the revision stays
        assert c.execute("SELECT version_num FROM public.alembic_version").fetchone() == ("0025",)
        assert alias_id_collation(c, "sessions.attribution") != '"C"'


def test_revision_0026_gives_a_remade_view_back_to_its_owner(empty_dsn: str) -> None:
    # remade by the deploying superuser: left its owner, the view would read the outputs with a
    # superuser's rights for everyone allowed to query it
    upgrade_from(empty_dsn, "0025",
                 "CREATE SCHEMA bi AUTHORIZATION attrib_reader",
                 "GRANT USAGE ON SCHEMA sessions TO attrib_reader",
                 "GRANT SELECT ON sessions.attribution TO attrib_reader",
                 "SET ROLE attrib_reader",
                 "CREATE VIEW bi.signups AS SELECT a.alias_id FROM sessions.attribution a",
                 "RESET ROLE")
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT pg_get_userbyid(relowner) FROM pg_class "
                         "WHERE oid = 'bi.signups'::regclass").fetchone() == ("attrib_reader",)
        assert alias_id_collation(c, "bi.signups") == '"C"'
