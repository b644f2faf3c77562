"""Values from the data never command the terminal or the browser (issue 22, item 3).

A campaign, a source, a URL or a type name is whatever someone sent or
created. The CLI shows each control character of such a value (C0, DEL,
C1) as a visible escape such as `\\x1b`, on a terminal and in pipes; rich
reads no markup in it; `--json` carries the exact value with JSON's escapes
in plain ASCII; the HTML report shows it as text and runs none of it.
"""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from attrib import safe_text
from run_helpers import attrib
from segment import create_source, insert, run_stages

T0 = datetime(2024, 5, 1, 9, 0, tzinfo=timezone.utc)
# One hostile campaign per visitor, each a different way to reach the terminal or the page.
CAMPAIGNS = {
    "clear": "\x1b[2Jcleared",                       # CSI: clears the screen
    "title": "\x1b]0;pwned\x07",                     # OSC: sets the window title, ends in BEL
    "c1": "\x9b2Jc1",                                # C1 CSI, one character
    "del": "del\x7fete",
    "lines": "tab\there\nnewline",                   # one value, one line
    "markup": "[bold]loud[/bold] [/oops] :smile:",   # rich markup, an unbalanced tag, an emoji code
    "script": "</script><script>window.pwned=1</script><b>x</b>",
}
# Raw control characters a printed line may not hold (a newline ends a line; rich's own colours are
# taken out before this is checked).
RAW_CONTROL = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f]")
SGR = re.compile("\x1b\\[[0-9;]*m")


def plant(conn: psycopg.Connection, campaigns: dict[str, str], column: str = "context_campaign_name") -> None:
    """Visitor n lands with the n-th hostile value in `column` and signs up five minutes later."""
    create_source(conn)
    for n, value in enumerate(campaigns.values()):
        landed = T0 + timedelta(days=n)
        insert(conn, "pages", [{"id": f"p{n}", "anonymous_id": f"anon-{n}", "timestamp": landed,
                                "received_at": landed, "url": "https://example.com/", column: value}])
        signed = landed + timedelta(minutes=5)
        insert(conn, "tracks", [{"id": f"t{n}", "anonymous_id": f"anon-{n}", "user_id": f"user-{n}",
                                 "event": "signed_up", "timestamp": signed, "received_at": signed}])
    run_stages(conn)


@pytest.fixture
def hostile_dsn(conn: psycopg.Connection, dsn: str) -> str:
    plant(conn, CAMPAIGNS)
    return dsn


def assert_no_raw_control(output: str) -> None:
    found = RAW_CONTROL.findall(output)
    assert not found, f"raw control characters {found!r} in:\n{output!r}"


# -- the helper ------------------------------------------------------------------------------


def test_text_shows_c0_del_and_c1_as_escapes() -> None:
    assert safe_text.text("a\x1b[2J\x07\x7f\x9b\x00b") == "a\\x1b[2J\\x07\\x7f\\x9b\\x00b"


def test_text_escapes_newline_and_tab_inside_a_value() -> None:
    assert safe_text.text("one\ntwo\tthree\r") == "one\\x0atwo\\x09three\\x0d"


def test_text_escapes_bidirectional_overrides() -> None:
    assert safe_text.text("abc\u202egnp.exe") == "abc\\u202egnp.exe"


def test_text_keeps_printable_unicode() -> None:
    value = "Café ☕ 日本語 naïve [x] \\x1b"
    assert safe_text.text(value) == value


def test_lines_keeps_the_newlines_between_lines_only() -> None:
    assert safe_text.lines("22023: bad \x1b[2J\nHINT: do this\t") == "22023: bad \\x1b[2J\nHINT: do this\\x09"


def test_json_text_is_printable_ascii_and_exact() -> None:
    value = {"campaign": "".join(CAMPAIGNS.values())}
    out = safe_text.json_text(value)
    assert_no_raw_control(out)
    assert out.isascii()
    assert json.loads(out) == value


# -- the terminal ------------------------------------------------------------------------------


def test_report_by_campaign_escapes_control_characters_in_a_pipe(hostile_dsn: str) -> None:
    result = attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--model", "first_touch")
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    for shown in ("\\x1b[2Jcleared", "\\x1b]0;pwned\\x07", "\\x9b2Jc1", "del\\x7fete", "tab\\x09here\\x0anewl"):
        assert shown in result.stdout


def test_report_by_campaign_shows_rich_markup_as_text(hostile_dsn: str) -> None:
    result = attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--model", "first_touch")
    assert result.exit_code == 0, result.stderr
    assert "[bold]loud[/bold] [/oops]" in result.stdout
    assert ":smile:" in result.stdout


def test_report_on_a_terminal_escapes_the_data_and_keeps_its_colours(hostile_dsn: str) -> None:
    result = attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--model", "first_touch",
                    env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1"})
    assert result.exit_code == 0, result.stderr
    assert SGR.search(result.stdout), "rich did not treat the output as a terminal"
    assert_no_raw_control(SGR.sub("", result.stdout))
    assert "\\x1b]0;pwned\\x07" in SGR.sub("", result.stdout)


def test_report_by_source_escapes_a_hostile_utm_source(conn: psycopg.Connection, dsn: str) -> None:
    plant(conn, {"clear": "\x1b[2Jsrc"}, column="context_campaign_source")
    result = attrib("report", "--dsn", dsn, "--by", "source", "--model", "first_touch")
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    assert "\\x1b[2jsrc" in result.stdout  # utm_source is lower-cased (definitions §2)


def test_report_json_carries_the_exact_values_in_printable_ascii(hostile_dsn: str) -> None:
    result = attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--json", "--model", "first_touch")
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    assert result.stdout.isascii()
    assert set(json.loads(result.stdout)["conversions"]["first_touch"]) == set(CAMPAIGNS.values())


def test_sources_explain_escapes_an_osc_sequence_of_the_url(dsn: str) -> None:
    result = attrib("sources", "explain", "--dsn", dsn,
                    "https://shop.example.com/?utm_source=news&utm_campaign=%1B%5D0%3Bpwned%07%0Anext",
                    "--referrer", "https://blog.example.org/\x1b[2J")
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    lines = dict(line.split(":", 1) for line in result.stdout.splitlines())
    assert lines["campaign"].strip() == "\\x1b]0;pwned\\x07\\x0anext"


HOSTILE_TYPE = "\x1b]0;pwned\x07\x1b[2J[/x]"


@pytest.fixture
def hostile_type_dsn(conn: psycopg.Connection, dsn: str) -> str:
    """A source column of a type someone created with a hostile name: the run stops naming it (definitions §1)."""
    plant(conn, {"plain": "spring"})
    conn.execute(sql.SQL("CREATE DOMAIN segment.{} AS text").format(sql.Identifier(HOSTILE_TYPE)))
    conn.execute(sql.SQL("ALTER TABLE segment.pages ALTER COLUMN referrer TYPE segment.{}").format(
        sql.Identifier(HOSTILE_TYPE)))
    return dsn


def test_run_escapes_a_hostile_type_name_in_its_error(hostile_type_dsn: str) -> None:
    result = attrib("run", "--dsn", hostile_type_dsn, "--retry-for", "0")
    assert result.exit_code == 1
    assert "42804" in result.stderr
    assert_no_raw_control(result.stderr)
    assert_no_raw_control(result.stdout)
    assert "\\x1b]0;pwned\\x07\\x1b[2J[/x]" in result.stderr


def test_status_escapes_a_hostile_type_name(hostile_type_dsn: str) -> None:
    attrib("run", "--dsn", hostile_type_dsn, "--retry-for", "0")
    result = attrib("status", "--dsn", hostile_type_dsn)
    assert result.exit_code == 0, result.stderr
    assert_no_raw_control(result.stdout)
    assert "\\x1b]0;pwned\\x07\\x1b[2J[/x]" in result.stdout


def test_status_check_escapes_a_hostile_type_name(hostile_type_dsn: str) -> None:
    attrib("run", "--dsn", hostile_type_dsn, "--retry-for", "0")
    result = attrib("status", "--check", "--dsn", hostile_type_dsn)
    assert result.exit_code == 1
    assert_no_raw_control(result.stderr)
    assert "\\x1b]0;pwned\\x07" in result.stderr


def test_status_json_carries_the_exact_message(hostile_type_dsn: str) -> None:
    attrib("run", "--dsn", hostile_type_dsn, "--retry-for", "0")
    result = attrib("status", "--json", "--dsn", hostile_type_dsn)
    assert_no_raw_control(result.stdout)
    message = json.loads(result.stdout)["runs"][0]["stages"][0]["message"]
    assert HOSTILE_TYPE in message


def test_a_database_error_is_described_with_the_values_it_quotes_escaped(conn: psycopg.Connection) -> None:
    from attrib.errors import describe_db_error

    with pytest.raises(psycopg.Error) as caught:
        conn.execute("SELECT %s::int", ("1\x1b[2J\nHINT: fake",))
    described = describe_db_error(caught.value)
    assert described == '22P02: invalid input syntax for type integer: "1\\x1b[2J\\x0aHINT: fake"'


# -- the HTML report ---------------------------------------------------------------------------


class _Scripts(HTMLParser):
    """The <script> elements of a page, its tags, and the text outside scripts."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.tags: list[str] = []
        self.text = ""
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.append(tag)
        if tag == "script":
            self._in_script = True
            self.scripts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self.scripts[-1] += data
        else:
            self.text += data


def test_html_report_keeps_an_injected_script_inert(hostile_dsn: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    result = attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--html", str(page))
    assert result.exit_code == 0, result.stderr
    text = page.read_text(encoding="utf-8")
    parsed = _Scripts()
    parsed.feed(text)
    # Plotly's config and plotly.js once, then one script per chart (signups per week, conversions;
    # retention is a sentence, no signup being 7 days old): no more
    assert len(parsed.scripts) == 2 + 2
    assert not any(s.strip().startswith("window.pwned") for s in parsed.scripts)
    assert "b" not in parsed.tags, "a <b> of the data became an element"
    assert_no_raw_control(parsed.text)  # (plotly.js itself holds tabs and control characters)
    assert "\\x1b]0;pwned\\x07" in parsed.text
    assert "\\\\x1b]0;pwned\\\\x07" in text  # in the charts' JSON, which doubles the backslash


def test_html_report_shows_hostile_labels_as_text_in_chromium(hostile_dsn: str, tmp_path: Path) -> None:
    from test_report_cli import chromium

    page = tmp_path / "report.html"
    assert attrib("report", "--dsn", hostile_dsn, "--by", "campaign", "--html", str(page)).exit_code == 0
    with chromium(tmp_path) as driver:
        driver.get(page.as_uri())
        driver.implicitly_wait(10)
        assert len(driver.find_elements("css selector", "div.js-plotly-plot")) == 2
        assert driver.execute_script("return window.pwned === undefined")
        ticks = [t.text for t in driver.find_elements("css selector", "#chart-conversions-by-model g.xtick text")]
        assert any("</script><script>window.pwned=1</script><b>x</b>" in t for t in ticks), ticks
        assert not [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
