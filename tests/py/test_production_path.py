"""The production path as README "Using it on your own database" gives it, command for command.

A superuser deploys (`attrib deploy --grant-source`); the runner logs in with
its password and runs (`attrib run`, `attrib run --full`, `attrib status
--check`); a BI tool's login, granted the reader role, reads (`attrib
report`, `attrib status`). Every command here is the CLI, logged in through
a scram password the cluster checks (attrib.cluster.HBA), never a superuser
CALL. Also: what the CLI says when nothing was published, deploy
--grant-source beside a VACUUM of a source table, and `attrib schedule`
where pg_cron's extension is missing.
"""

from __future__ import annotations

import json
from datetime import timedelta
import threading
import uuid
from typing import Iterator

import psycopg
import pytest
from click.testing import Result
from psycopg import sql
from psycopg.conninfo import make_conninfo

from conftest import LOGIN_PASSWORD, create_login, login_dsn, server_dsn
from run_helpers import (T0, add_visitor, attrib, create_source, histogram_size, inject, insert, may_partition,
                         signups, wait_for, with_source)

SOURCE_COLUMNS = "id text, anonymous_id text, user_id text, \"timestamp\" timestamptz, received_at timestamptz"


@pytest.fixture
def runner_dsn(dsn: str) -> str:
    """The runner's DSN as README gives it: its own login and password, no superuser."""
    return login_dsn(dsn, "attrib_runner")


@pytest.fixture
def bi_dsn(dsn: str) -> Iterator[str]:
    """A BI tool's login with a password, granted attrib_reader (README: GRANT attrib_reader TO metabase)."""
    name = f"bi_{uuid.uuid4().hex[:8]}"
    yield create_login(dsn, name, member_of="attrib_reader")
    with psycopg.connect(dsn, autocommit=True) as c:
        c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def deployed_with_source(conn: psycopg.Connection, dsn: str, visitors: int = 2) -> None:
    with_source(conn, visitors)
    result = attrib("deploy", "--dsn", dsn, "--grant-source")  # as a superuser, as README says
    assert result.exit_code == 0, result.stderr


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.stderr
    return result


# -- logins ---------------------------------------------------------------------------


def test_the_runner_login_needs_its_password(dsn: str) -> None:
    with pytest.raises(psycopg.OperationalError, match="password authentication failed"):
        psycopg.connect(login_dsn(dsn, "attrib_runner", password="not-the-password")).close()
    with psycopg.connect(login_dsn(dsn, "attrib_runner")) as c:
        assert c.execute("SELECT current_user, rolsuper FROM pg_roles WHERE rolname = current_user").fetchone() \
            == ("attrib_runner", False)


def test_attrib_run_as_the_runner_publishes_without_a_superuser_warning(conn: psycopg.Connection, dsn: str,
                                                                         runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    result = ok(attrib("run", "--dsn", runner_dsn))
    assert "warning" not in result.stderr
    assert signups(conn) == ["user-1", "user-2"]
    assert conn.execute("SELECT run_as, status FROM attrib.runs").fetchall() == [("attrib_runner", "ok")]


def test_attrib_run_as_the_runner_with_a_latin1_client_takes_in_what_latin1_lacks(conn: psycopg.Connection,
                                                                                 dsn: str, runner_dsn: str) -> None:
    # the runner's shell says PGCLIENTENCODING=LATIN1; a visitor's referrer holds characters LATIN1 has not
    deployed_with_source(conn, dsn)
    conn.execute("UPDATE segment.pages SET referrer = 'https://例え.jp/ł' WHERE id = 'p1'")
    ok(attrib("run", "--dsn", runner_dsn, env={"PGCLIENTENCODING": "LATIN1"}))
    assert conn.execute("SELECT referrer FROM sessions.all_sessions WHERE alias_id = 'user-1'").fetchall() == [
        ("https://例え.jp/ł",)]
    # re-read in the overlap by a UTF8 client, every row is known by the hash the LATIN1 run gave it
    ok(attrib("run", "--dsn", runner_dsn))
    assert conn.execute("SELECT count(*) FROM attrib.duplicates").fetchone() == (0,)


def test_attrib_run_as_the_runner_samples_event_months_coarsely_and_the_outputs_at_the_servers_target(
        conn: psycopg.Connection, dsn: str, runner_dsn: str) -> None:
    create_source(conn)
    hours = [T0 + timedelta(hours=i) for i in range(200)]  # 200 visitors, one page each, all in May
    insert(conn, "pages", [{"id": f"p{i}", "anonymous_id": f"anon-{i}", "timestamp": ts, "received_at": ts,
                            "url": "https://example.com/", "context_user_agent": f"agent {i:03}"}
                           for i, ts in enumerate(hours)])
    ok(attrib("deploy", "--dsn", dsn, "--grant-source"))
    ok(attrib("run", "--dsn", runner_dsn))
    assert histogram_size(conn, may_partition(conn), "event_ts") == 31  # statistics target 30
    # the stages' scratch too (emptied when each stage ends; their statistics stay)
    assert histogram_size(conn, "sessions_stages.ingest_agents", "user_agent") == 31
    assert histogram_size(conn, "sessions_stages.session_landings", "session_start") == 31
    assert histogram_size(conn, "sessions.all_sessions", "session_start") == 101  # the server's 100


def test_attrib_run_full_as_the_runner_rebuilds(conn: psycopg.Connection, dsn: str, runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    result = ok(attrib("run", "--full", "--json", "--dsn", runner_dsn))
    assert [s["stage"] for s in json.loads(result.stdout)["stages"]][0] == "reset"
    assert signups(conn) == ["user-1", "user-2"]


WORK_KEYS = """SELECT c.relname, x.indexrelid::oid FROM pg_index x JOIN pg_class c ON c.oid = x.indrelid
                WHERE c.relnamespace = 'sessions_stages'::regnamespace AND x.indisprimary
                  AND c.relname IN ('all_sessions', 'signups', 'useful_sessions', 'user_session_counts')
                ORDER BY 1"""


def test_attrib_run_full_as_the_runner_rebuilds_on_the_bulk_path(conn: psycopg.Connection, dsn: str,
                                                                   runner_dsn: str) -> None:
    # attrib.bulk_min_rows = 0 (a session setting anyone may make) sends two visitors down the way a
    # large first load takes: sessionize and signup drop their work tables' keys, as the owner, and
    # build them again; the runner's login must be able to drive that
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    before = conn.execute(WORK_KEYS).fetchall()
    ok(attrib("run", "--full", "--dsn", make_conninfo(runner_dsn, options="-c attrib.bulk_min_rows=0")))
    after = conn.execute(WORK_KEYS).fetchall()
    assert [name for name, _ in after] == [name for name, _ in before] == \
        ["all_sessions", "signups", "useful_sessions", "user_session_counts"]
    assert all(new != old for (_, new), (_, old) in zip(after, before)), "every key was built again"
    assert signups(conn) == ["user-1", "user-2"]


def test_attrib_run_full_as_the_runner_keeps_the_keys_of_a_small_rebuild(conn: psycopg.Connection, dsn: str,
                                                                         runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    before = conn.execute(WORK_KEYS).fetchall()
    ok(attrib("run", "--full", "--dsn", runner_dsn))
    assert conn.execute(WORK_KEYS).fetchall() == before


def test_attrib_status_and_check_as_the_runner(conn: psycopg.Connection, dsn: str, runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    status = json.loads(ok(attrib("status", "--json", "--dsn", runner_dsn)).stdout)
    assert [r["status"] for r in status["runs"]] == ["ok"]
    assert ok(attrib("status", "--check", "--dsn", runner_dsn)).stdout.startswith("ok: run ")


def test_a_reader_login_reads_the_report_and_the_status(conn: psycopg.Connection, dsn: str, runner_dsn: str,
                                                        bi_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    report = json.loads(ok(attrib("report", "--json", "--dsn", bi_dsn)).stdout)
    assert report == json.loads(ok(attrib("report", "--json", "--dsn", dsn)).stdout)
    status = json.loads(ok(attrib("status", "--json", "--dsn", bi_dsn)).stdout)
    assert [r["status"] for r in status["runs"]] == ["ok"]
    assert ok(attrib("status", "--check", "--dsn", bi_dsn)).stdout.startswith("ok: run ")


def test_a_reader_login_still_cannot_run_or_read_the_data(dsn: str, bi_dsn: str) -> None:
    result = attrib("run", "--dsn", bi_dsn)
    assert result.exit_code == 1
    assert "42501" in result.stderr
    with psycopg.connect(bi_dsn) as c, pytest.raises(psycopg.errors.InsufficientPrivilege):
        c.execute("SELECT * FROM attrib.settings")


# -- "No new data since the last run" -------------------------------------------------

NO_NEW_DATA = "No new data since the last run: the outputs are unchanged."


def test_a_run_with_nothing_to_publish_says_the_outputs_are_unchanged(conn: psycopg.Connection, dsn: str,
                                                                      runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    assert NO_NEW_DATA not in ok(attrib("run", "--dsn", runner_dsn)).stdout
    assert NO_NEW_DATA in ok(attrib("run", "--dsn", runner_dsn)).stdout


def last_run_written(conn: psycopg.Connection) -> dict[str, int]:
    return dict(conn.execute("SELECT stage, rows_written FROM attrib.run_log "
                             "WHERE run_id = (SELECT max(run_id) FROM attrib.run_log)").fetchall())


def test_a_settings_change_with_no_new_data_is_not_called_unchanged(conn: psycopg.Connection, dsn: str,
                                                                   runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    # each visitor signs up five minutes after landing: a one-minute gap splits every visit in two
    conn.execute("""UPDATE attrib.settings SET value = '"1 minute"' WHERE name = 'session_gap'""")
    result = ok(attrib("run", "--dsn", runner_dsn))
    assert NO_NEW_DATA not in result.stdout and "Recomputed" not in result.stdout
    written = last_run_written(conn)
    assert written["ingest"] == 0 and written["attribute"] > 0


def test_a_settings_change_that_changes_no_row_says_people_were_recomputed(conn: psycopg.Connection, dsn: str,
                                                                          runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    # five minutes between landing and signup: one session under a 20- or a 10-minute gap alike
    conn.execute("""UPDATE attrib.settings SET value = '"10 minutes"' WHERE name = 'session_gap'""")
    result = ok(attrib("run", "--dsn", runner_dsn))
    written = last_run_written(conn)
    assert f"Recomputed {written['alias']} people (aliases): the outputs came out as they were" in result.stdout
    assert written["alias"] > 0 and written["attribute"] == 0
    assert NO_NEW_DATA not in result.stdout


def test_publishing_a_failed_runs_work_is_not_called_unchanged(conn: psycopg.Connection, dsn: str,
                                                              runner_dsn: str) -> None:
    deployed_with_source(conn, dsn)
    ok(attrib("run", "--dsn", runner_dsn))
    add_visitor(conn, 3)
    inject(conn, "attribute", "22000", message="publish fails once")
    failed = attrib("run", "--dsn", runner_dsn)
    assert failed.exit_code == 1
    assert signups(conn) == ["user-1", "user-2"]
    result = ok(attrib("run", "--dsn", runner_dsn))  # ingest finds nothing new; attribute publishes user-3
    assert signups(conn) == ["user-1", "user-2", "user-3"]
    assert NO_NEW_DATA not in result.stdout


# -- deploy --grant-source ------------------------------------------------------------


def loaded_source(conn: psycopg.Connection) -> None:
    """Segment's tables as a loader leaves them: rows, no grant to attrib, no load-time index."""
    conn.execute("CREATE SCHEMA segment")
    for table in ("pages", "tracks", "identifies"):
        conn.execute(f"CREATE TABLE segment.{table} ({SOURCE_COLUMNS})")
        conn.execute(f"INSERT INTO segment.{table} SELECT 'm' || g, 'a' || g, NULL, now(), now() "
                     "FROM generate_series(1, 100) g")


def test_deploy_grant_source_says_what_it_did(conn: psycopg.Connection, dsn: str) -> None:
    loaded_source(conn)
    result = ok(attrib("deploy", "--dsn", dsn, "--grant-source"))
    assert "nothing to do" not in result.stderr
    for table in ("pages", "tracks", "identifies"):
        assert f"source: created a BRIN index on segment.{table}(received_at)" in result.stderr
        assert f"source: granted SELECT on segment.{table} to attrib_owner" in result.stderr
    assert "source: granted USAGE on schema segment to attrib_owner" in result.stderr
    again = ok(attrib("deploy", "--dsn", dsn, "--grant-source"))
    assert "source: nothing new to grant or index" in again.stderr
    assert "source: created" not in again.stderr


def test_deploy_grant_source_finishes_beside_a_vacuum_analyze_of_a_source_table(conn: psycopg.Connection,
                                                                               dsn: str) -> None:
    """What autovacuum does right after a load, step by step on a second connection.

    VACUUM ANALYZE holds SHARE UPDATE EXCLUSIVE on the table (CREATE INDEX
    waits for it), then writes the table's statistics into its pg_class row
    (which waits for any open transaction that changed that row, as a GRANT
    does). The blocker never gives up first (deadlock_timeout 60 s): a deploy
    that granted before indexing waits in a circle with it and dies (40P01).
    """
    loaded_source(conn)
    blocker = psycopg.connect(dsn)
    try:
        blocker.execute("SET deadlock_timeout = '60s'")
        blocker.execute("LOCK TABLE segment.pages IN SHARE UPDATE EXCLUSIVE MODE")
        outcome: dict[str, object] = {}

        def deploy() -> None:
            try:
                outcome["deploy"] = attrib("deploy", "--dsn", dsn, "--grant-source")
            except Exception as exc:  # the deadlock arrives as a raw database error
                outcome["deploy"] = exc
        deploying = threading.Thread(target=deploy)
        deploying.start()
        wait_for(lambda: conn.execute(
            "SELECT 1 FROM pg_locks WHERE relation = 'segment.pages'::regclass AND NOT granted").fetchone())
        blocker.execute("SET lock_timeout = '20s'")
        blocker.execute("ANALYZE segment.pages")  # waits for nothing of the deploy's
        blocker.commit()
        deploying.join(timeout=60)
    finally:
        blocker.close()
    assert not deploying.is_alive()
    assert isinstance(outcome["deploy"], Result), outcome["deploy"]
    ok(outcome["deploy"])
    assert conn.execute("SELECT has_table_privilege('attrib_owner', 'segment.pages', 'SELECT'), "
                        "       EXISTS (SELECT FROM pg_indexes WHERE schemaname = 'segment' AND tablename = 'pages')"
                        ).fetchone() == (True, True)


# -- attrib schedule ------------------------------------------------------------------


def test_schedule_where_pg_cron_is_not_created_says_what_to_do(dsn: str) -> None:
    with psycopg.connect(dsn) as c:
        cron_database = c.execute("SELECT current_setting('cron.database_name')").fetchone()[0]
    cron = psycopg.connect(server_dsn(cron_database), autocommit=True)
    try:
        assert cron.execute("SELECT count(*) FROM cron.job").fetchone() == (0,), "another test left jobs"
        cron.execute("DROP EXTENSION pg_cron")
        result = attrib("schedule", "--dsn", dsn)
    finally:
        cron.execute("CREATE EXTENSION IF NOT EXISTS pg_cron")
        cron.close()
    assert result.exit_code == 1
    assert "connection is closed" not in result.stderr
    assert f"pg_cron runs in database {cron_database}" in result.stderr
    assert "CREATE EXTENSION pg_cron" in result.stderr


def test_the_tests_password_is_not_printed(runner_dsn: str) -> None:
    result = attrib("status", "--dsn", runner_dsn.replace("dbname=", "dbname=no_such_db_"))
    assert result.exit_code != 0
    assert LOGIN_PASSWORD not in result.stderr + result.stdout
