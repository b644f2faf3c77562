"""Upgrades: the first release's database, upgraded with `attrib deploy`, is the catalog a fresh deploy makes.

tests/py/fixtures/release-645b27f.dump is that database as `attrib deploy`
from commit 645b27f left it (pg_dump, made once). Upgrading it must leave
no stray overload, orphan function, missing grant or different body behind.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from attrib import deploy

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "release-645b27f.dump"
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
                          pg_get_expr(d.adbin, d.adrelid), col_description(c.oid, a.attnum)
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


@pytest.fixture
def first_release(empty_dsn: str) -> str:
    ran = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", empty_dsn, "-f", str(FIXTURE)],
                         capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    return empty_dsn


def test_the_fixture_is_the_first_release(first_release: str) -> None:
    with psycopg.connect(first_release) as c:
        assert c.execute("SELECT version_num FROM public.alembic_version").fetchone() == ("0005",)
        assert c.execute("SELECT count(*) FROM attrib.deployed_procedures").fetchone() == (45,)


def test_upgrading_the_first_release_gives_the_catalog_of_a_fresh_deploy(first_release: str, dsn: str) -> None:
    result = deploy.upgrade(first_release)
    assert (result.revision_before, result.revision_after) == ("0005", deploy.head_revision())
    upgraded, fresh = catalog(first_release), catalog(dsn)
    for part in CATALOG:
        assert upgraded[part] == fresh[part], part


def test_a_removed_procedure_file_takes_its_function_along(first_release: str) -> None:
    deploy.upgrade(first_release)
    with psycopg.connect(first_release) as c:
        # _run_lock_key.sql left the tree after the first release
        assert c.execute("SELECT to_regprocedure('attrib._run_lock_key()')").fetchone() == (None,)
        assert c.execute("SELECT count(*) FROM attrib.deployed_procedures "
                         "WHERE file_name = '_run_lock_key.sql'").fetchone() == (0,)


def test_revision_0014_types_the_forgotten_ids_an_older_release_recorded(empty_dsn: str) -> None:
    deploy.upgrade(empty_dsn, revision="0013")
    with psycopg.connect(empty_dsn, autocommit=True) as c:  # what forget('user-1') recorded before 0014
        c.execute("INSERT INTO attrib.forgotten (id, user_id) VALUES ('user-1', 'user-1'), ('anon-1', 'user-1')")
    deploy.upgrade(empty_dsn)
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT kind, id, user_id FROM attrib.forgotten ORDER BY 1, 2").fetchall() == [
            ("anonymous_id", "anon-1", "user-1"), ("user_id", "user-1", "user-1")]


def test_revision_0022_keeps_md5_for_the_rows_taken_in_before_it(empty_dsn: str) -> None:
    deploy.upgrade(empty_dsn, revision="0021")
    with psycopg.connect(empty_dsn, autocommit=True) as c:
        c.execute("INSERT INTO attrib.ingest_state (source_table, watermark, load_column) "
                  "VALUES ('pages', '2024-05-01 09:00+00', 'uuid_ts')")
    deploy.upgrade(empty_dsn)
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT md5_until = watermark FROM attrib.ingest_state").fetchall() == [(True,)]
