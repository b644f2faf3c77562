"""docs/outputs.md agrees with the catalog; `attrib report` prints, emits JSON and writes an HTML
report that renders in headless Chromium (Debian's, from scripts/install-deps.sh) offline."""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
import pytest
from psycopg import sql

from attrib import outputs_doc
from conftest import create_login
from run_helpers import attrib
from test_reports import load_example, load_revenue, page, signup, ts
from segment import create_source, run_stages

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM, CHROMEDRIVER = "/usr/bin/chromium", "/usr/bin/chromedriver"


def test_docs_outputs_md_matches_the_catalog(conn: psycopg.Connection) -> None:
    text = outputs_doc.render(conn)
    assert (ROOT / "docs" / "outputs.md").read_text(encoding="utf-8") == text, \
        "docs/outputs.md is stale: run `attrib docs --dsn ...` after changing a comment"
    for pitfall in ("AND INCLUDING the signup session", '"attributed" means paid'):
        assert pitfall in text


def test_docs_check_fails_on_a_stale_file(dsn: str, tmp_path: Path) -> None:
    stale = tmp_path / "outputs.md"
    stale.write_text("old\n")
    assert attrib("docs", "--dsn", dsn, "--output", str(stale), "--check").exit_code == 1
    assert attrib("docs", "--dsn", dsn, "--output", str(stale)).exit_code == 0
    assert attrib("docs", "--dsn", dsn, "--output", str(stale), "--check").exit_code == 0


@pytest.fixture
def example_dsn(conn: psycopg.Connection, dsn: str) -> str:
    load_example(conn)
    load_revenue(conn)
    run_stages(conn)
    return dsn


def test_report_text_and_json(example_dsn: str) -> None:
    result = attrib("report", "--dsn", example_dsn)
    assert result.exit_code == 0, result.stderr
    for word in ("first", "decay", "Paid Search", "Retention", "LTV"):
        assert word in result.stdout
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    data = json.loads(attrib("report", "--dsn", example_dsn, "--json", "--model", "linear").stdout)
    assert data["signups"] == 3 and list(data["conversions"]) == ["linear"]
    assert data["conversions"]["linear"]["Paid Search"] == pytest.approx(1.2)
    by_campaign = json.loads(attrib("report", "--dsn", example_dsn, "--json", "--by", "campaign").stdout)
    assert by_campaign["conversions"]["first_touch"] == {"spring": 1.0, "(none)": 2.0}
    since = json.loads(attrib("report", "--dsn", example_dsn, "--json", "--since", "2024-05-06").stdout)
    assert since["signups"] == 2


def test_report_says_its_period_and_as_of_first(example_dsn: str) -> None:
    words = " ".join(attrib("report", "--dsn", example_dsn).stdout.split())
    assert words.startswith("Period: signups from 2024-05-05 to 2024-06-07 (UTC); "
                            "data as of 2024-06-07 10:05 UTC (latest event).")


def test_report_explains_each_model_under_its_short_name(example_dsn: str) -> None:
    out = attrib("report", "--dsn", example_dsn).stdout
    for short, model in (("non-dir", "last_non_direct"), ("position", "position_based"), ("decay", "time_decay")):
        assert re.search(rf"^  {short} +{model}: \w", out, re.M), short


def test_since_filters_every_section_and_says_so(example_dsn: str) -> None:
    since = json.loads(attrib("report", "--dsn", example_dsn, "--json", "--since", "2024-05-06").stdout)
    assert since["period"]["first_day"] == "2024-05-06"
    assert sum(r["signups"] for r in since["retention_by_first_touch_channel"]) == since["signups"] == 2
    assert sum(r["signups"] for r in since["ltv_by_first_touch_channel"]) == 2
    assert sum(w["signups"] for w in since["signups_by_week"]) == 2
    text = attrib("report", "--dsn", example_dsn, "--since", "2024-05-06").stdout
    assert "Since 2024-05-06: every section counts only the signups on or after that day." in text


def test_currency_is_shown_on_money_once_set(example_dsn: str, conn: psycopg.Connection) -> None:
    assert "(EUR)" not in attrib("report", "--dsn", example_dsn).stdout
    conn.execute("""UPDATE attrib.settings SET value = '"EUR"' WHERE name = 'currency'""")
    out = attrib("report", "--dsn", example_dsn).stdout
    assert "revenue (EUR)" in out and "LTV (EUR)" in out
    assert json.loads(attrib("report", "--dsn", example_dsn, "--json").stdout)["currency"] == "EUR"


def test_small_groups_are_starred_and_named(example_dsn: str) -> None:
    out = attrib("report", "--dsn", example_dsn).stdout
    assert "Paid Search *" in out
    assert "Fewer than 30 signups (setting min_sample)" in out


def test_report_help_names_every_retention_horizon() -> None:
    assert "retention at 7, 30 and 90 days" in " ".join(attrib("report", "--help").stdout.split())


@pytest.fixture
def one_platform_many_sources_dsn(conn: psycopg.Connection, dsn: str) -> str:
    """Five signups, each in its first session: google as utm_source and as a referrer host, YouTube
    as m.youtube.com and youtube.com, and a newsletter whose visitor came through Google."""
    create_source(conn)
    landings = [("https://example.com/?utm_source=google&utm_medium=cpc", None),
                ("https://example.com/", "https://www.google.com/search?q=x"),
                ("https://example.com/", "https://m.youtube.com/watch?v=1"),
                ("https://example.com/?utm_source=youtube.com&utm_medium=video", None),
                ("https://example.com/?utm_source=newsletter&utm_medium=email", "https://www.google.com/")]
    for i, (url, referrer) in enumerate(landings):
        page(conn, f"p{i}", f"a{i}", ts(2024, 5, 6, 10, i), url, referrer)
        signup(conn, f"t{i}", f"a{i}", f"u{i}", ts(2024, 5, 6, 10, i, 30))
    run_stages(conn)
    return dsn


def test_report_by_source_names_one_platform_once(one_platform_many_sources_dsn: str) -> None:
    data = json.loads(attrib("report", "--dsn", one_platform_many_sources_dsn, "--json", "--by", "source",
                             "--model", "first_touch").stdout)
    assert data["conversions"]["first_touch"] == {"google": 2.0, "youtube": 2.0, "newsletter": 1.0}
    assert "attrib.source_classes" in data["legend"]


def test_a_reader_login_reports_by_source(one_platform_many_sources_dsn: str) -> None:
    name = f"bi_{uuid.uuid4().hex[:8]}"
    reader_dsn = create_login(one_platform_many_sources_dsn, name, member_of="attrib_reader")
    try:
        result = attrib("report", "--dsn", reader_dsn, "--json", "--by", "source", "--model", "linear")
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["conversions"]["linear"]["youtube"] == 2.0
    finally:
        with psycopg.connect(one_platform_many_sources_dsn, autocommit=True) as c:
            c.execute(sql.SQL("DROP ROLE {}").format(sql.Identifier(name)))


def test_report_by_source_says_how_sources_are_named(one_platform_many_sources_dsn: str, tmp_path: Path) -> None:
    result = attrib("report", "--dsn", one_platform_many_sources_dsn, "--by", "source",
                    "--html", str(tmp_path / "r.html"))
    assert "the name of attrib.source_classes that matches the session's source" in " ".join(result.stdout.split())
    assert "the name of attrib.source_classes that matches the session&#x27;s source" in \
        (tmp_path / "r.html").read_text()


def test_the_stored_source_keeps_spec_5s_meaning(one_platform_many_sources_dsn: str) -> None:
    with psycopg.connect(one_platform_many_sources_dsn) as c:
        assert sorted(r[0] for r in c.execute("SELECT source FROM sessions.all_sessions")) == \
            ["google", "google.com", "m.youtube.com", "newsletter", "youtube.com"]


@contextmanager
def chromium(tmp_path: Path) -> Iterator:
    """Headless Chromium under selenium, logging the browser's console and its network requests."""
    # the project's install script brings them (make test runs it): missing is a broken setup, not a skip
    assert os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER), \
        "Debian's chromium and chromium-driver are missing: bash scripts/install-deps.sh"
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--disable-gpu", "--window-size=1200,2600", "--disable-dev-shm-usage",
                f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(arg)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_html_report_renders_offline_in_headless_chromium(example_dsn: str, tmp_path: Path) -> None:
    from PIL import Image

    page = tmp_path / "report.html"
    result = attrib("report", "--dsn", example_dsn, "--html", str(page))
    assert result.exit_code == 0, result.stderr
    assert page.read_text().count("<script") >= 4  # plotly.js inlined once, then one script per chart

    with chromium(tmp_path) as driver:
        driver.get(page.as_uri())
        driver.implicitly_wait(10)
        charts = driver.find_elements("css selector", "div.js-plotly-plot")
        assert len(charts) == 5  # signups per week, conversions per model, retention, LTV, LTV at fixed horizons
        for chart in charts:
            assert chart.find_elements("css selector", "svg.main-svg")
            assert chart.find_elements("css selector", "g.trace.bars")
        errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
        assert errors == []
        # every resource the page loaded is the page itself: no request to any server
        resources = driver.execute_script(
            "return performance.getEntriesByType('resource').map(e => e.name)")
        assert resources == []
        requests = [json.loads(e["message"])["message"] for e in driver.get_log("performance")]
        urls = {m["params"]["request"]["url"] for m in requests if m["method"] == "Network.requestWillBeSent"}
        # (chrome:// are the browser's own pages, e.g. the new tab it starts on)
        assert page.as_uri() in urls
        assert not [u for u in urls if u.split(":", 1)[0] in ("http", "https", "ws", "wss", "ftp")], urls
        shot = tmp_path / "report.png"
        driver.save_screenshot(str(shot))
    colours = Image.open(shot).convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is None or len(colours) > 10, "the screenshot is blank"
    shutil.copy(shot, tmp_path / "kept.png")


def test_a_taken_port_names_the_port_and_attrib_pgport(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from attrib import cluster
    from attrib.errors import AttribError

    with socket.socket() as other_server:
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]
        (tmp_path / "PG_VERSION").write_text("15\n")
        monkeypatch.setattr(cluster, "ensure_installed", lambda: None)
        monkeypatch.setattr(cluster, "is_running", lambda c: False)
        with pytest.raises(AttribError, match=f"port {port} .*already taken(.|\\n)*ATTRIB_PGPORT"):
            cluster.up(cluster.Cluster(tmp_path, port), log=lambda m: None)
