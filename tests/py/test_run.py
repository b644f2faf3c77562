"""Running for real: run_attribution / run_stage, the run log, one run at a time, retries, alerts, status."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from conftest import create_database, drop_database, login_dsn, server_dsn
from run_helpers import (STAGES, BackgroundCall, add_visitor, attrib, gone, inject, log, signups, sleeping,
                         wait_for, with_source)


@pytest.fixture
def source(conn: psycopg.Connection) -> psycopg.Connection:
    """A deployed database with one visitor who signed up."""
    return with_source(conn)


# -- the procedures ------------------------------------------------------------


def test_run_attribution_runs_every_stage_in_order_and_publishes(source: psycopg.Connection) -> None:
    source.execute("CALL attrib.run_attribution()")
    assert log(source) == [(s, "ok", 1, None) for s in STAGES]
    assert signups(source) == ["user-1"]


def test_run_log_records_counts_pid_and_timings(source: psycopg.Connection) -> None:
    source.execute("CALL attrib.run_attribution()")
    row = source.execute(
        "SELECT rows_read, rows_written, pid, finished_at >= started_at, started_by FROM attrib.run_log "
        "WHERE stage = 'ingest'").fetchone()
    assert row[0] > 0 and row[1] > 0
    assert row[2] == source.info.backend_pid
    assert row[3] is True
    assert row[4]


def test_run_stage_returns_its_run_id(source: psycopg.Connection) -> None:
    run_id = source.execute("CALL attrib.run_stage('ingest')").fetchone()[0]
    assert log(source, run_id) == [("ingest", "ok", 1, None)]


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_runs_alone(source: psycopg.Connection, dsn: str, stage: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    result = attrib("run", "--dsn", dsn, "--stage", stage, "--retry-for", "0")
    assert result.exit_code == 0, result.stderr
    assert log(source) == [(stage, "ok", 1, None)]


def test_sessionize_keeps_no_copy_of_the_landing_pages_after_it(source: psycopg.Connection) -> None:
    # its work tables hold each session's landing url and referrer: attrib forget
    # erases events and outputs, so nothing of a person may stay in them
    source.execute("CALL attrib.run_attribution()")
    assert source.execute("SELECT count(*) FROM sessions.all_sessions").fetchone()[0] > 0
    assert source.execute(
        "SELECT (SELECT count(*) FROM sessions_stages.session_bounds), "
        "(SELECT count(*) FROM sessions_stages.session_landings)").fetchone() == (0, 0)


def test_stages_one_by_one_give_the_same_outputs_as_a_whole_run(source: psycopg.Connection) -> None:
    run_id, stages = source.execute("CALL attrib.run_begin(false, NULL, NULL, NULL, NULL)").fetchone()
    assert stages == list(STAGES)
    for stage in stages:
        source.execute("CALL attrib.run_stage(%s, %s)", (stage, run_id))
    assert source.execute("SELECT attrib.run_end(%s)", (run_id,)).fetchone() == ("ok",)
    assert [r[0] for r in log(source, run_id)] == list(STAGES)
    assert signups(source) == ["user-1"]


def test_a_run_between_two_stages_is_running_not_ok(source: psycopg.Connection, dsn: str) -> None:
    run_id, _ = source.execute("CALL attrib.run_begin(false, NULL, NULL, NULL, NULL)").fetchone()
    source.execute("CALL attrib.run_stage('ingest', %s)", (run_id,))
    runs = "SELECT status, finished_at IS NULL, complete FROM attrib.runs WHERE run_id = %s"
    with psycopg.connect(dsn, autocommit=True) as other:  # a monitor polling between the stages
        assert other.execute(runs, (run_id,)).fetchone() == ("running", True, False)
    for stage in STAGES[1:]:
        source.execute("CALL attrib.run_stage(%s, %s)", (stage, run_id))
    source.execute("SELECT attrib.run_end(%s)", (run_id,))
    with psycopg.connect(dsn, autocommit=True) as other:
        assert other.execute(runs, (run_id,)).fetchone() == ("ok", False, True)


def test_a_stage_of_a_run_this_session_did_not_begin_is_refused(source: psycopg.Connection, dsn: str) -> None:
    run_id, _ = source.execute("CALL attrib.run_begin(false, NULL, NULL, NULL, NULL)").fetchone()
    with psycopg.connect(dsn, autocommit=True) as other:
        with pytest.raises(psycopg.Error) as caught:
            other.execute("CALL attrib.run_stage('ingest', %s)", (run_id,))
        assert caught.value.sqlstate == "55000"
        with pytest.raises(psycopg.Error) as caught:
            other.execute("SELECT attrib._run_stage_exec(%s, 'ingest')", (run_id,))
        assert caught.value.sqlstate == "55000"
    assert log(source, run_id) == []
    source.execute("SELECT attrib.run_end(%s)", (run_id,))


def test_unknown_stage_is_42704_with_the_stages_in_the_hint(source: psycopg.Connection) -> None:
    with pytest.raises(psycopg.Error) as caught:
        source.execute("CALL attrib.run_stage('sessionise')")
    assert caught.value.sqlstate == "42704"
    assert "ingest, alias, sessionize, signup, attribute, maintain" in caught.value.diag.message_hint


def test_failed_stage_is_logged_and_reraised_with_its_sqlstate(source: psycopg.Connection) -> None:
    inject(source, "sessionize", "23505", message="duplicate key (injected)")
    with pytest.raises(psycopg.Error) as caught:
        source.execute("CALL attrib.run_attribution()")
    assert caught.value.sqlstate == "23505"
    assert caught.value.diag.message_primary == "duplicate key (injected)"
    assert log(source) == [("ingest", "ok", 1, None), ("alias", "ok", 1, None),
                           ("sessionize", "failed", 1, "23505")]


def test_failed_run_releases_the_run_lock(source: psycopg.Connection) -> None:
    inject(source, "alias", "22023")
    with pytest.raises(psycopg.Error):
        source.execute("CALL attrib.run_attribution()")
    assert source.execute("SELECT pid FROM attrib._run_holder()").fetchone()[0] is None
    source.execute("CALL attrib.run_attribution()")
    assert log(source) == [(s, "ok", 1, None) for s in STAGES]


def test_second_run_fails_at_once_naming_the_running_one(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", sleep=30)
    first = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    try:
        wait_for(lambda: sleeping(source, first.pid))
        run_id = source.execute("SELECT max(run_id) FROM attrib.run_log").fetchone()[0]
        with pytest.raises(psycopg.Error) as caught:
            source.execute("CALL attrib.run_attribution()")
        assert caught.value.sqlstate == "AT055"  # busy: attrib.retry_policy()
        assert caught.value.diag.message_primary.startswith(
            f"another attrib run is in progress: run {run_id}, pid {first.pid}, started ")
        assert "attrib status" in caught.value.diag.message_hint
    finally:
        source.execute("SELECT pg_cancel_backend(%s)", (first.pid,))
        first.join()


def test_killed_stage_leaves_previous_outputs_and_next_run_completes(source: psycopg.Connection,
                                                                      dsn: str) -> None:
    source.execute("CALL attrib.run_attribution()")
    add_visitor(source, 2)
    inject(source, "attribute", sleep=60)  # attribute has published, uncommitted, when it sleeps
    killed = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    wait_for(lambda: sleeping(source, killed.pid))
    assert signups(source) == ["user-1"]  # a reader during the run sees the previous result
    source.execute("SELECT pg_terminate_backend(%s)", (killed.pid,))
    killed.join()
    assert isinstance(killed.error, psycopg.OperationalError)
    wait_for(lambda: gone(source, killed.pid))
    assert signups(source) == ["user-1"]  # nothing half-written
    killed_run = source.execute("SELECT max(run_id) FROM attrib.run_log").fetchone()[0]

    source.execute("CALL attrib.run_attribution()")

    assert signups(source) == ["user-1", "user-2"]
    assert log(source) == [(s, "ok", 1, None) for s in STAGES]
    status, message = source.execute(
        "SELECT status, message FROM attrib.run_log WHERE run_id = %s AND stage = 'attribute'",
        (killed_run,)).fetchone()
    assert status == "failed" and message.startswith("abandoned")


def test_runs_view_reports_an_abandoned_run(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "signup", sleep=60)
    killed = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    wait_for(lambda: sleeping(source, killed.pid))
    source.execute("SELECT pg_terminate_backend(%s)", (killed.pid,))
    killed.join()
    wait_for(lambda: source.execute("SELECT status FROM attrib.runs").fetchone()[0] == "abandoned")


def test_retry_procedure_reruns_a_failed_nightly_run_then_does_nothing(source: psycopg.Connection) -> None:
    inject(source, "signup", "40P01")
    with pytest.raises(psycopg.Error):
        source.execute("CALL attrib.run_attribution()")
    source.execute("CALL attrib.run_attribution_retry('2 hours')")
    source.execute("CALL attrib.run_attribution_retry('2 hours')")
    runs = source.execute("SELECT status, complete, started_by FROM attrib.runs ORDER BY run_id").fetchall()
    assert [(r[0], r[1]) for r in runs] == [("failed", False), ("ok", True)]
    assert runs[1][2] == "retry"


def test_retry_procedure_does_nothing_after_the_window(source: psycopg.Connection) -> None:
    inject(source, "signup", "40P01")
    with pytest.raises(psycopg.Error):
        source.execute("CALL attrib.run_attribution()")
    source.execute("UPDATE attrib.run_log SET started_at = started_at - interval '3 hours'")
    source.execute("CALL attrib.run_attribution_retry('2 hours')")
    assert source.execute("SELECT count(*) FROM attrib.runs").fetchone()[0] == 1


# -- the CLI -------------------------------------------------------------------


def test_cli_run_prints_a_timing_table_and_exits_0(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
    for stage in STAGES:
        assert stage in result.stdout
        assert stage in result.stderr  # the live line per stage
    assert "total" in result.stdout
    assert signups(source) == ["user-1"]


def test_cli_run_names_what_each_stage_wrote(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("run", "--dsn", dsn)
    assert "signup: first and signup sessions + per-person counts" in " ".join(result.stdout.split())
    assert "written 1 (sessions)" in result.stderr  # sessionize's live line


def test_cli_run_json_is_one_document(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("run", "--dsn", dsn, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["status"] == "ok"
    assert [s["stage"] for s in doc["stages"]] == list(STAGES)
    assert all(s["status"] == "ok" and s["attempts"] == 1 for s in doc["stages"])
    assert doc["run_id"] == source.execute("SELECT max(run_id) FROM attrib.run_log").fetchone()[0]


def test_cli_full_run_rebuilds_from_the_source(source: psycopg.Connection, dsn: str) -> None:
    assert attrib("run", "--dsn", dsn).exit_code == 0
    result = attrib("run", "--dsn", dsn, "--full")
    assert result.exit_code == 0, result.stderr
    assert log(source) == [("reset", "ok", 1, None)] + [(s, "ok", 1, None) for s in STAGES]
    assert signups(source) == ["user-1"]


def test_cli_refuses_a_second_run_with_exit_3(source: psycopg.Connection, dsn: str) -> None:
    holder = psycopg.connect(dsn, autocommit=True)
    holder_pid = holder.info.backend_pid
    try:
        holder.execute("SELECT attrib._run_lock()")  # the run lease, held like a running run holds it
        result = attrib("run", "--dsn", dsn, "--retry-for", "1h")
    finally:
        holder.close()
    assert result.exit_code == 3
    assert "AT055: another attrib run is in progress" in result.stderr
    assert f"pid {holder_pid}" in result.stderr
    assert "HINT:" in result.stderr
    # the refusal is on record, as a failed start
    assert source.execute("SELECT stage, status, sqlstate FROM attrib.run_log").fetchall() == [
        ("start", "failed", "AT055")]


def test_cli_refuses_a_run_while_a_running_run_sleeps(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "ingest", sleep=30)
    first = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    try:
        wait_for(lambda: sleeping(source, first.pid))
        result = attrib("run", "--dsn", dsn, "--json")
    finally:
        source.execute("SELECT pg_cancel_backend(%s)", (first.pid,))
        first.join()
    assert result.exit_code == 3
    assert json.loads(result.stdout)["status"] == "busy"


def test_injected_40001_succeeds_on_the_second_attempt(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", "40001", message="could not serialize access (injected)")
    result = attrib("run", "--dsn", dsn, "--json")
    assert result.exit_code == 0, result.stderr
    alias = next(s for s in json.loads(result.stdout)["stages"] if s["stage"] == "alias")
    assert alias["status"] == "ok" and alias["attempts"] == 2
    assert "attempt 1 failed: 40001: could not serialize access (injected)" in result.stderr
    assert ("alias", "ok", 2, None) in log(source)


def test_permanent_error_fails_after_one_attempt_with_its_sqlstate(source: psycopg.Connection,
                                                                   dsn: str) -> None:
    inject(source, "signup", "22023", times=5, message="invalid setting (injected)")
    result = attrib("run", "--dsn", dsn, "--retry-for", "1h")
    assert result.exit_code == 1
    assert "22023: invalid setting (injected)" in result.stderr
    assert "HINT: Injected by the test-only table attrib.test_faults." in result.stderr
    assert source.execute("SELECT remaining FROM attrib.test_faults").fetchone()[0] == 4
    assert log(source)[-1] == ("signup", "failed", 1, "22023")


def test_transient_error_fails_when_retry_for_runs_out(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", "40P01", times=100)
    result = attrib("run", "--dsn", dsn, "--retry-for", "0")
    assert result.exit_code == 1
    assert "40P01: injected fault" in result.stderr
    assert log(source)[-1] == ("alias", "failed", 1, "40P01")


def test_cli_reconnects_after_its_backend_is_killed(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "sessionize", sleep=60)

    def kill_when_sleeping() -> bool:
        pid = source.execute("SELECT pid FROM attrib.run_log WHERE status = 'running'").fetchone()
        if pid and sleeping(source, pid[0]):
            source.execute("SELECT pg_terminate_backend(%s)", (pid[0],))
            return True
        return False

    killer = threading.Thread(target=lambda: wait_for(kill_when_sleeping), daemon=True)
    killer.start()
    result = attrib("run", "--dsn", dsn, "--json")
    killer.join()
    assert result.exit_code == 0, result.stderr
    assert "57P01" in result.stderr
    assert ("sessionize", "ok", 2, None) in log(source)


def test_on_failure_command_gets_the_summary(source: psycopg.Connection, dsn: str, tmp_path: Path) -> None:
    inject(source, "attribute", "42P01", message="relation does not exist (injected)")
    out = tmp_path / "alert.env"
    result = attrib("run", "--dsn", dsn, "--on-failure", f"env | grep ^ATTRIB_ > {out}")
    assert result.exit_code == 1
    env = dict(line.split("=", 1) for line in out.read_text().splitlines())
    run_id = source.execute("SELECT max(run_id) FROM attrib.run_log").fetchone()[0]
    assert env["ATTRIB_RUN_ID"] == str(run_id)
    assert env["ATTRIB_STAGE"] == "attribute"
    assert env["ATTRIB_SQLSTATE"] == "42P01"
    assert env["ATTRIB_MESSAGE"] == "relation does not exist (injected)"
    assert "failed in stage attribute: 42P01" in env["ATTRIB_SUMMARY"]


def test_on_failure_from_the_environment_and_not_on_success(source: psycopg.Connection, dsn: str,
                                                             tmp_path: Path) -> None:
    out = tmp_path / "fired"
    result = attrib("run", "--dsn", dsn, env={"ATTRIB_ON_FAILURE": f"touch {out}"})
    assert result.exit_code == 0
    assert not out.exists()
    inject(source, "ingest", "22P02")
    result = attrib("run", "--dsn", dsn, env={"ATTRIB_ON_FAILURE": f"touch {out}"})
    assert result.exit_code == 1
    assert out.exists()


def test_cli_unknown_stage_is_a_usage_error(source: psycopg.Connection, dsn: str) -> None:
    result = attrib("run", "--dsn", dsn, "--stage", "sessionise")
    assert result.exit_code == 2
    assert "ingest, alias, sessionize" in result.stderr


def test_cli_run_on_an_undeployed_database_says_deploy(empty_dsn: str) -> None:
    result = attrib("run", "--dsn", empty_dsn)
    assert result.exit_code == 1
    assert "attrib deploy" in result.stderr


def test_status_json_shows_runs_with_stages(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "maintain", "22023")
    attrib("run", "--dsn", dsn, "--retry-for", "0")
    attrib("run", "--dsn", dsn)
    result = attrib("status", "--dsn", dsn, "--json")
    assert result.exit_code == 0, result.stderr
    doc = json.loads(result.stdout)
    assert doc["in_progress"] is None
    assert [r["status"] for r in doc["runs"]] == ["ok", "failed"]
    assert [s["stage"] for s in doc["runs"][0]["stages"]] == list(STAGES)
    assert doc["runs"][1]["stages"][-1]["sqlstate"] == "22023"
    assert all(isinstance(s["seconds"], float) for s in doc["runs"][0]["stages"])


def test_status_shows_the_run_in_progress(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "sessionize", sleep=30)
    first = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    try:
        wait_for(lambda: sleeping(source, first.pid))
        doc = json.loads(attrib("status", "--dsn", dsn, "--json").stdout)
        text = attrib("status", "--dsn", dsn).stdout
    finally:
        source.execute("SELECT pg_cancel_backend(%s)", (first.pid,))
        first.join()
    assert doc["in_progress"]["pid"] == first.pid
    assert doc["in_progress"]["stage"] == "sessionize"
    assert doc["runs"][0]["status"] == "running"
    assert f"pid {first.pid}" in text


def test_cancelled_stage_is_logged_as_failed_57014(source: psycopg.Connection, dsn: str) -> None:
    inject(source, "alias", sleep=30)
    first = BackgroundCall(dsn, "CALL attrib.run_attribution()")
    wait_for(lambda: sleeping(source, first.pid))
    source.execute("SELECT pg_cancel_backend(%s)", (first.pid,))
    first.join()
    assert getattr(first.error, "sqlstate", None) == "57014"
    assert log(source)[-1] == ("alias", "failed", 1, "57014")
    assert source.execute("SELECT pid FROM attrib._run_holder()").fetchone()[0] is None


def test_waiting_for_a_readers_lock_times_out_and_is_retried(source: psycopg.Connection, dsn: str) -> None:
    # an analyst's query in an open transaction: ACCESS SHARE on the events, which reset truncates
    reader = psycopg.connect(dsn)
    reader.execute("SELECT count(*) FROM partitioning.events")
    timer = threading.Timer(2.5, reader.rollback)
    timer.start()
    try:
        result = attrib("run", "--dsn", dsn, "--full", "--lock-timeout", "1s", "--json")
    finally:
        timer.join()
        reader.close()
    assert result.exit_code == 0, result.stderr
    assert "55P03: canceling statement due to lock timeout" in result.stderr
    reset = json.loads(result.stdout)["stages"][0]
    assert reset["stage"] == "reset" and reset["attempts"] >= 2


def test_the_tests_and_the_projections_stage_lists_are_the_databases(conn: psycopg.Connection) -> None:
    """attrib.stages is the list; the copies that must work without a database are checked against it."""
    from attrib_tools import projection

    stages = tuple(conn.execute("SELECT name FROM attrib.stages WHERE in_run ORDER BY position").fetchall())
    assert tuple(s for (s,) in stages) == tuple(STAGES) == tuple(projection.STAGES)
    assert tuple(conn.execute("SELECT attrib._run_stages()").fetchone()[0]) == tuple(STAGES)


def function_calls(dsn: str) -> dict[str, int]:
    with psycopg.connect(dsn) as c:
        return dict(c.execute("SELECT funcname, calls FROM pg_stat_user_functions WHERE schemaname = 'attrib'"))


def test_attrib_run_and_run_attribution_do_the_same_work(template_db: str) -> None:
    """One run, two ways in: the CLI (as the runner) and pg_cron's CALL; the database owns both."""
    names = [create_database(template_db), create_database(template_db)]
    try:
        dsns = [server_dsn(n) for n in names]
        for dsn in dsns:
            with psycopg.connect(dsn, autocommit=True) as c:
                c.execute(sql.SQL("ALTER DATABASE {} SET track_functions = 'all'").format(
                    sql.Identifier(dsn.rsplit("/", 1)[1])))
                with_source(c, 2)
                c.execute("SELECT attrib._grant_source()")
        result = attrib("run", "--dsn", login_dsn(dsns[0], "attrib_runner"))
        assert result.exit_code == 0, result.stderr
        with psycopg.connect(login_dsn(dsns[1], "attrib_runner"), autocommit=True) as c:
            c.execute("CALL attrib.run_attribution()")
        cli, call = function_calls(dsns[0]), function_calls(dsns[1])
        # the ways in: run_stage once per stage against run_attribution once; the CLI reads the retry policy
        assert cli.pop("run_stage") == len(STAGES) and call.pop("run_attribution") == 1
        assert cli.pop("retry_policy") == 1
        assert cli == call
        assert cli["run_begin"] == cli["run_end"] == 1 and cli["_run_one_stage"] == len(STAGES)
    finally:
        for name in names:
            drop_database(name)
