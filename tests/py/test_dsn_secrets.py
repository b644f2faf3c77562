"""No password is ever printed: every command, every DSN form (well-formed or not), stdout and stderr."""

from __future__ import annotations

import os
from urllib.parse import urlsplit

import pytest

from attrib import db
from conftest import SERVER
from run_helpers import attrib

SECRET = "CRET"  # every password below contains it; no output may
_server = urlsplit(SERVER)
HOST, PORT = _server.hostname or "127.0.0.1", _server.port or 5432

# (id, DSN, extra environment): malformed, unreachable, and reachable-but-failing DSNs.
DSNS = [
    ("kv-bogus-word", "password=S3CRET bogus", {}),
    ("kv-unterminated-quote", f"host={HOST} password='S3CRET", {}),
    ("kv-quoted-with-space", f"host={HOST} password='S3 CRET' stray", {}),
    ("url-bad-percent", f"postgresql://u:S3%ZZCRET@{HOST}/db", {}),
    ("url-bad-percent-in-query", f"postgresql://u@{HOST}/db?password=S3%ZZCRET", {}),
    ("url-query-password", "postgresql://u@127.0.0.1:1/db?password=S3CRET", {}),
    ("url-userinfo", "postgresql://u:S3CRET@127.0.0.1:1/db", {}),
    ("url-unencoded-at", "postgresql://u:S3@CRET@127.0.0.1:1/db", {}),
    ("kv-unreachable", "host=127.0.0.1 port=1 dbname=db user=u password=S3CRET", {}),
    ("kv-bad-option", "host=127.0.0.1 port=1 dbname=db password=S3CRET connect_timeout=soon", {}),
    ("kv-missing-database", f"host={HOST} port={PORT} user=postgres dbname=no_such_db password=S3CRET", {}),
    ("url-missing-database", f"postgresql://postgres:S3CRET@{HOST}:{PORT}/no_such_db", {}),
    ("pgpassword-env", "host=127.0.0.1 port=1 dbname=db user=u", {"PGPASSWORD": "S3CRET"}),
    ("pgpassword-env-missing-db", f"host={HOST} port={PORT} user=postgres dbname=no_such_db",
     {"PGPASSWORD": "S3CRET"}),
]

COMMANDS = [
    ("status",), ("status", "--json"), ("deploy",), ("deploy", "--grant-source"), ("schedule",), ("unschedule",),
    ("run",), ("run", "--json"), ("run", "--stage", "ingest", "--json"), ("demo-data", "--events", "10"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=[" ".join(c) for c in COMMANDS])
@pytest.mark.parametrize(("dsn", "env"), [(d, e) for _, d, e in DSNS], ids=[i for i, _, _ in DSNS])
@pytest.mark.parametrize("given", ["--dsn", "ATTRIB_DSN"])
def test_no_command_prints_the_password(command: tuple[str, ...], dsn: str, env: dict[str, str],
                                        given: str) -> None:
    env = {**env, "PGCONNECT_TIMEOUT": "5", "ATTRIB_DSN": dsn if given == "ATTRIB_DSN" else None}
    args = [*command, "--dsn", dsn] if given == "--dsn" else list(command)
    result = attrib(*args, env=env)
    assert SECRET not in result.stdout
    assert SECRET not in result.stderr
    assert result.exit_code != 0
    said = result.stderr + result.stdout
    assert any(words in said for words in ("cannot parse the DSN given with --dsn/ATTRIB_DSN",
                                           "cannot connect to", "does not exist")), said


@pytest.mark.parametrize("command", [("db", "status"), ("--help",), ("run", "--help")])
def test_commands_without_a_dsn_print_no_password_from_the_environment(command: tuple[str, ...]) -> None:
    result = attrib(*command, env={"ATTRIB_DSN": "password=S3CRET bogus", "PGPASSWORD": "S3CRET"})
    assert SECRET not in result.stdout + result.stderr


def test_an_unparseable_dsn_is_shown_up_to_its_password_marker() -> None:
    assert db.mask_dsn("host=h password=S3CRET bogus") == "host=h password=***"
    assert db.mask_dsn("postgresql://u:S3%ZZCRET@h/db") == "postgresql://u:***"
    assert db.mask_dsn("host=h bogus") == "host=h bogus"


def test_the_parse_error_says_how_to_write_a_dsn() -> None:
    result = attrib("status", "--dsn", "postgresql://u:S3%ZZCRET@h/db")
    assert result.exit_code == 1
    assert "cannot parse the DSN given with --dsn/ATTRIB_DSN: postgresql://u:***" in result.stderr
    assert "HINT: use a URL (postgresql://user:password@host:5432/db" in result.stderr


def test_scrub_removes_pgpassword_and_every_form_of_a_resolved_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PGPASSWORD", "env-S3CRET")
    assert db.scrub("auth env-S3CRET failed") == "auth *** failed"
    assert "CRET" not in db.scrub('invalid percent-encoded token: "S3%ZZCRET"', "postgresql://u:S3%ZZCRET@h/db")
    assert os.environ["PGPASSWORD"] == "env-S3CRET"
