"""Settings validated when written (a trigger on attrib.settings) and before every run (attrib._check_settings)."""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest
from psycopg.types.json import Jsonb

from conftest import create_database, drop_database, server_dsn
from run_helpers import attrib, with_source

# (setting, bad value, words of the rule the error must say)
BAD = [
    ("blog_url_pattern", "(unclosed", "regular expression that compiles"),
    ("paid_medium_pattern", "[a-", "regular expression that compiles"),
    ("bot_user_agent_pattern", "bot|*crawler", "regular expression that compiles"),
    ("bot_user_agent_pattern", 42, "regular expression that compiles"),
    ("session_gap", "0 minutes", "duration greater than zero"),
    ("session_gap", "soon", "duration greater than zero"),
    ("time_decay_half_life", "0", "duration greater than zero"),
    ("time_decay_half_life", "-7 days", "duration greater than zero"),
    ("ingest_overlap", "-1 day", "duration of zero or more"),
    ("ingest_overlap", "a while", "duration of zero or more"),
    ("future_tolerance", "-1 second", "duration of zero or more"),
    ("signup_events", ["signed_up", ""], "JSON array of non-empty strings"),
    ("signup_events", "signed_up", "JSON array of non-empty strings"),
    ("own_domains", ["example.com", 7], "JSON array of non-empty strings"),
    ("own_domains", {"example.com": True}, "JSON array of non-empty strings"),
    ("paid_click_ids", {"gclid": 1}, "JSON object mapping non-empty parameter names"),
    ("paid_click_ids", {"": "google"}, "JSON object mapping non-empty parameter names"),
    ("paid_click_ids", ["gclid"], "JSON object mapping non-empty parameter names"),
    ("source_schema", "", "schema name"),
    ("source_schema", "s" * 64, "schema name"),
    ("source_schema", None, "schema name"),
    ("index_source_load_time", "true", "JSON true or false"),
    ("min_sample", 0, "integer from 1 to 1000000"),
    ("min_sample", "thirty", "integer from 1 to 1000000"),
    ("currency", "eur", "ISO 4217 code"),
    ("currency", "EURO", "ISO 4217 code"),
    ("currency", 978, "ISO 4217 code"),
]


@pytest.fixture(scope="module")
def db(template_db: str) -> Iterator[psycopg.Connection]:
    """One deployed database for the module's write checks: a refused write changes nothing,
    and the accepted ones roll back."""
    name = create_database(template_db)
    with psycopg.connect(server_dsn(name), autocommit=True) as connection:
        yield connection
    drop_database(name)


def update(conn: psycopg.Connection, name: str, value: object) -> None:
    conn.execute("UPDATE attrib.settings SET value = %s WHERE name = %s", (Jsonb(value), name))


@pytest.mark.parametrize(("name", "value", "rule"), BAD, ids=[f"{n}={v!r}"[:60] for n, v, _ in BAD])
def test_a_bad_value_is_refused_at_update_naming_setting_and_rule(db: psycopg.Connection, name: str,
                                                                  value: object, rule: str) -> None:
    before = db.execute("SELECT value FROM attrib.settings WHERE name = %s", (name,)).fetchone()
    with pytest.raises(psycopg.errors.InvalidParameterValue) as refused:
        update(db, name, value)
    diag = refused.value.diag
    assert diag.message_primary.startswith(f'setting "{name}" must be ')
    assert rule in diag.message_primary
    assert diag.message_hint.startswith("e.g. UPDATE attrib.settings SET value = ")
    assert diag.message_hint.endswith(f"WHERE name = '{name}';")
    assert db.execute("SELECT value FROM attrib.settings WHERE name = %s", (name,)).fetchone() == before


@pytest.mark.parametrize("name", ["blog_url_pattern", "session_gap", "own_domains", "paid_click_ids",
                                  "source_schema", "index_source_load_time", "time_decay_half_life"])
def test_the_example_in_the_hint_is_accepted(db: psycopg.Connection, name: str) -> None:
    example = db.execute("SELECT example FROM attrib.setting_rules WHERE name = %s", (name,)).fetchone()[0]
    with db.transaction(force_rollback=True):
        update(db, name, example)


GOOD = [
    ("session_gap", "30 minutes"), ("session_gap", "1 hour 30 minutes"), ("ingest_overlap", "0"),
    ("future_tolerance", "0 seconds"), ("time_decay_half_life", "1 day"),
    ("blog_url_pattern", r"^https?://[^/]+/(blog|news)/.+"), ("paid_medium_pattern", "^(cpc|ppc)$"),
    ("bot_user_agent_pattern", "bot|crawler"), ("signup_events", []), ("signup_events", ["Signed Up"]),
    ("own_domains", ["example.com", "example.io"]), ("paid_click_ids", {}),
    ("paid_click_ids", {"gclid": "google"}), ("source_schema", "segment_prod"), ("index_source_load_time", False),
]


@pytest.mark.parametrize(("name", "value"), GOOD, ids=[f"{n}={v!r}" for n, v in GOOD])
def test_a_good_value_is_accepted(db: psycopg.Connection, name: str, value: object) -> None:
    with db.transaction(force_rollback=True):
        update(db, name, value)
        stored = db.execute("SELECT value FROM attrib.settings WHERE name = %s", (name,)).fetchone()[0]
        assert stored == value


def test_an_unknown_setting_name_is_refused(db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match='setting "sesion_gap" is not a setting attrib knows'):
        db.execute("""INSERT INTO attrib.settings (name, value, description) VALUES ('sesion_gap', '"1 hour"', 'typo')""")


def test_deleting_a_setting_is_refused(db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match='settings cannot be deleted .setting "session_gap"'):
        db.execute("DELETE FROM attrib.settings WHERE name = 'session_gap'")


def test_truncating_the_settings_is_refused(db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match="settings cannot be deleted"):
        db.execute("TRUNCATE attrib.settings")


def test_renaming_a_setting_is_refused(db: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match='setting "session_gap" cannot be renamed'):
        db.execute("UPDATE attrib.settings SET name = 'gap' WHERE name = 'session_gap'")


# -- rules for settings other changes add: checked through attrib._setting_check ----------------


def check(conn: psycopg.Connection, name: str, value: object) -> None:
    conn.execute("SELECT attrib._setting_check(%s, %s)", (name, Jsonb(value)))


@pytest.mark.parametrize(("name", "value"), [
    ("max_id_length", 0), ("max_id_length", 301), ("max_id_length", 2.5), ("max_id_length", "many"),
    ("oldest_event_ts", "not a date"), ("oldest_event_ts", "-infinity"), ("oldest_event_ts", 2000),
    ("referral_exclusions", ["stripe.com", ""]), ("revenue_source", "no_such_schema.revenue"),
    ("revenue_source", "revenue"), ("revenue_source", ""),
])
def test_rules_of_later_settings_refuse_bad_values(db: psycopg.Connection, name: str, value: object) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match=f'setting "{name}" must be '):
        check(db, name, value)


@pytest.mark.parametrize(("name", "value"), [
    ("max_id_length", 255), ("max_id_length", "255"), ("max_id_length", 1), ("max_id_length", 300),
    ("oldest_event_ts", "2000-01-01 00:00:00+00"), ("referral_exclusions", []),
    ("referral_exclusions", ["checkout.stripe.com"]), ("revenue_source", None),
    ("revenue_source", "attrib.settings"), ("min_sample", 30), ("min_sample", 1), ("currency", "EUR"),
    ("currency", None),
])
def test_rules_of_later_settings_accept_good_values(db: psycopg.Connection, name: str, value: object) -> None:
    check(db, name, value)


# -- a bad value stored before the trigger existed stops a run before its first stage ------------


def plant(conn: psycopg.Connection, name: str, value: object) -> None:
    """Store a bad value as an upgraded database may hold it (written before the trigger existed)."""
    with conn.transaction():
        conn.execute("ALTER TABLE attrib.settings DISABLE TRIGGER settings_guard")
        update(conn, name, value)
        conn.execute("ALTER TABLE attrib.settings ENABLE TRIGGER settings_guard")


@pytest.fixture
def planted(conn: psycopg.Connection) -> psycopg.Connection:
    with_source(conn)
    plant(conn, "blog_url_pattern", "(unclosed")
    return conn


def nothing_ran(conn: psycopg.Connection) -> bool:
    """No stage ran; the run is on record as a failed start, with the setting's error (monitoring sees it)."""
    events = conn.execute("SELECT count(*) FROM partitioning.events").fetchone()[0]
    logged = conn.execute("SELECT stage, status, sqlstate FROM attrib.run_log").fetchall()
    return events == 0 and logged == [("start", "failed", "22023")]


def test_cli_run_fails_before_ingest_naming_a_stored_bad_setting(planted: psycopg.Connection, dsn: str) -> None:
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 1
    assert '22023: setting "blog_url_pattern" must be a regular expression that compiles' in result.stderr
    assert "HINT: e.g. UPDATE attrib.settings SET value = " in result.stderr
    assert nothing_ran(planted)


def test_run_attribution_fails_before_ingest_naming_a_stored_bad_setting(planted: psycopg.Connection) -> None:
    with pytest.raises(psycopg.errors.InvalidParameterValue, match='setting "blog_url_pattern" must be'):
        planted.execute("CALL attrib.run_attribution()")
    assert nothing_ran(planted)


def test_a_run_goes_ahead_once_the_stored_bad_setting_is_fixed(planted: psycopg.Connection, dsn: str) -> None:
    update(planted, "blog_url_pattern", "^https?://[^/]+/blog/.+")
    result = attrib("run", "--dsn", dsn)
    assert result.exit_code == 0, result.stderr
