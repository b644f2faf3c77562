"""Deploying: from empty to head, repeatably, reversibly, and shipping procedure edits."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import psycopg

from attrib import deploy, procedures
from attrib.paths import procedures_dir


def catalog_snapshot(dsn: str) -> list[tuple]:
    """Every attrib-owned relation and routine with the xmin of its catalog row."""
    with psycopg.connect(dsn) as c:
        return c.execute("""
            SELECT 'rel', n.nspname, c.relname, c.xmin::text FROM pg_class c
              JOIN pg_namespace n ON n.oid = c.relnamespace
             WHERE n.nspname IN ('attrib', 'partitioning', 'aliasing', 'sessions', 'sessions_stages')
            UNION ALL
            SELECT 'proc', n.nspname, p.proname, p.xmin::text FROM pg_proc p
              JOIN pg_namespace n ON n.oid = p.pronamespace
             WHERE n.nspname IN ('attrib', 'aliasing', 'sessions')
            ORDER BY 1, 2, 3""").fetchall()


def test_deploy_from_empty_reaches_head(empty_dsn: str) -> None:
    result = deploy.upgrade(empty_dsn)
    assert result.revision_before is None
    assert result.revision_after == deploy.head_revision()
    assert sorted(result.procedures_applied) == sorted(p.name for p in procedures.load())


def test_second_deploy_changes_nothing(empty_dsn: str) -> None:
    deploy.upgrade(empty_dsn)
    before = catalog_snapshot(empty_dsn)
    result = deploy.upgrade(empty_dsn)
    assert not result.changed
    assert catalog_snapshot(empty_dsn) == before


def test_downgrade_to_base_and_up_again(empty_dsn: str) -> None:
    deploy.upgrade(empty_dsn)
    down = deploy.downgrade(empty_dsn, "base")
    assert down.revision_after is None
    with psycopg.connect(empty_dsn) as c:
        left = c.execute("SELECT count(*) FROM pg_namespace WHERE nspname IN "
                         "('attrib','partitioning','aliasing','sessions','sessions_stages')").fetchone()[0]
        assert left == 0
    up = deploy.upgrade(empty_dsn)
    assert up.revision_after == deploy.head_revision()
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT count(*) FROM attrib.settings").fetchone()[0] > 0


def test_edited_procedure_reaches_database_with_one_deploy(empty_dsn: str, tmp_path: Path,
                                                           monkeypatch) -> None:
    copy = tmp_path / "procedures"
    shutil.copytree(procedures_dir(), copy)
    monkeypatch.setenv("ATTRIB_PROCEDURES_DIR", str(copy))
    deploy.upgrade(empty_dsn)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;")
    assert deploy.upgrade(empty_dsn).procedures_applied == ["zz_probe.sql"]
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;")
    assert deploy.upgrade(empty_dsn).procedures_applied == ["zz_probe.sql"]
    with psycopg.connect(empty_dsn) as c:
        assert c.execute("SELECT attrib._probe()").fetchone()[0] == 2


def test_every_procedure_file_is_deployed_with_its_checksum(dsn: str) -> None:
    with psycopg.connect(dsn) as c:
        deployed = dict(c.execute("SELECT file_name, checksum FROM attrib.deployed_procedures").fetchall())
    assert deployed == {p.name: p.checksum for p in procedures.load()}


def test_sql_mode_prints_migrations_and_procedures() -> None:
    sql = deploy.upgrade_sql()
    assert "CREATE TABLE partitioning.events" in sql
    for item in procedures.load():
        assert item.sql.strip()[:60] in sql


def test_each_procedure_file_holds_the_object_it_is_named_after(dsn: str) -> None:
    with psycopg.connect(dsn) as c:
        deployed = {r[0] for r in c.execute(
            "SELECT proname FROM pg_proc WHERE pronamespace = 'attrib'::regnamespace").fetchall()}
    assert deployed == {p.name.removesuffix(".sql") for p in procedures.load()}


def test_deploy_sql_runs_in_psql_and_leaves_nothing_to_deploy(empty_dsn: str) -> None:
    script = deploy.upgrade_sql()
    ran = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", empty_dsn],
                         input=script, capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    result = deploy.upgrade(empty_dsn)
    assert result.revision_before == deploy.head_revision()
    assert not result.changed, "psql ran every migration and procedure the online deploy would"


def probe_tree(tmp_path: Path, monkeypatch) -> Path:
    copy = tmp_path / "procedures"
    shutil.copytree(procedures_dir(), copy)
    monkeypatch.setenv("ATTRIB_PROCEDURES_DIR", str(copy))
    return copy


def probes(dsn: str) -> list[str]:
    with psycopg.connect(dsn) as c:
        return [r[0] for r in c.execute("SELECT oid::regprocedure::text || ' -> ' || pg_get_function_result(oid) "
                                        "FROM pg_proc WHERE proname = '_probe' ORDER BY 1")]


def test_a_changed_argument_list_replaces_the_function_instead_of_adding_an_overload(
        empty_dsn: str, tmp_path: Path, monkeypatch) -> None:
    copy = probe_tree(tmp_path, monkeypatch)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe(a int) RETURNS int LANGUAGE sql AS $$ SELECT a $$;")
    deploy.upgrade(empty_dsn)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe(a int, b int) RETURNS int LANGUAGE sql AS $$ SELECT a + b $$;")
    deploy.upgrade(empty_dsn)
    assert probes(empty_dsn) == ["attrib._probe(integer,integer) -> integer"]


def test_a_changed_return_type_is_deployed(empty_dsn: str, tmp_path: Path, monkeypatch) -> None:
    copy = probe_tree(tmp_path, monkeypatch)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;")
    deploy.upgrade(empty_dsn)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe(OUT n int, OUT s text) LANGUAGE sql AS $$ SELECT 1, 'x' $$;")
    deploy.upgrade(empty_dsn)
    assert probes(empty_dsn) == ["attrib._probe() -> record"]


def test_a_removed_file_drops_its_function(empty_dsn: str, tmp_path: Path, monkeypatch) -> None:
    copy = probe_tree(tmp_path, monkeypatch)
    (copy / "zz_probe.sql").write_text(
        "CREATE OR REPLACE FUNCTION attrib._probe() RETURNS int LANGUAGE sql AS $$ SELECT 1 $$;")
    deploy.upgrade(empty_dsn)
    (copy / "zz_probe.sql").unlink()
    deploy.upgrade(empty_dsn)
    assert probes(empty_dsn) == []


def test_a_fresh_deploy_prints_no_notice_about_objects_an_older_release_had(empty_dsn: str) -> None:
    from run_helpers import attrib

    result = attrib("deploy", "--dsn", empty_dsn)
    assert result.exit_code == 0, result.stderr
    assert "does not exist, skipping" not in result.stderr
    assert "NOTICE" not in result.stderr.replace("NOTICE: pg_cron is not installed", "")


def test_db_down_says_what_it_did(tmp_path: Path) -> None:
    from run_helpers import attrib

    result = attrib("db", "down", "--datadir", str(tmp_path / "nothing-here"), "--port", "1")
    assert result.exit_code == 0
    assert result.stdout == f"not running: {tmp_path / 'nothing-here'}\n"
