"""The HTML report in headless Chromium, on demo data: the period and as-of at the top, under each
chart a table whose figures equal the views', one fixed colour per channel, Monday weeks with the
partial ones marked, small groups greyed with their n, and sentences instead of empty charts."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import psycopg
import pytest

from attrib import palette
from attrib_tools import demo_data
from run_helpers import attrib
from segment import run_stages
from test_hostile_output import plant
from test_report_cli import chromium, example_dsn  # noqa: F401  (a fixture)


@pytest.fixture
def demo_dsn(conn: psycopg.Connection, dsn: str) -> str:
    """About 300 signups over 45 days, with revenue: big and small first-touch channels."""
    demo_data.generate(conn, events=30_000, days=45, seed=7)
    demo_data.add_revenue(conn, seed=7)
    run_stages(conn)
    conn.execute("""UPDATE attrib.settings SET value = '"EUR"' WHERE name = 'currency'""")
    return dsn


def render(dsn: str, tmp_path: Path, *args: str) -> Path:
    page = tmp_path / "report.html"
    result = attrib("report", "--dsn", dsn, "--html", str(page), *args)
    assert result.exit_code == 0, result.stderr
    return page


def table(driver: object, name: str) -> list[list[str]]:
    rows = driver.find_elements("css selector", f"#table-{name} tbody tr")  # type: ignore[attr-defined]
    return [[td.text for td in row.find_elements("css selector", "td")] for row in rows]


def channel_of(cell: str) -> str:
    return re.sub(r" \(n=\d+, under \d+\)$", "", cell)


def test_the_period_and_as_of_head_the_report(demo_dsn: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    first, as_of = conn.execute("SELECT min(signup_timestamp AT TIME ZONE 'UTC')::date, max(session_end) "
                                "FROM sessions.attribution, sessions.all_sessions").fetchone()
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        period = driver.find_element("css selector", "#period").text
    assert f"signups from {first} to {as_of.date()} (UTC)" in period
    assert f"data as of {as_of:%Y-%m-%d %H:%M} UTC" in period


def test_the_weekly_table_equals_signups_by_week(demo_dsn: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    view = {(w.isoformat(), c): n for w, c, n in conn.execute(
        "SELECT week, first_touch_channel, signups FROM sessions.signups_by_week")}
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        head = [th.text.replace("\n", " ") for th in driver.find_elements("css selector", "#table-signups-by-week th")]
        rows = table(driver, "signups-by-week")
    shown = {(row[0].split()[0], channel): int(value.replace(",", ""))
             for row in rows for channel, value in zip(head[1:-1], row[1:-1]) if value != "0"}
    assert shown == view


def test_the_conversions_table_equals_conversions_by_channel(demo_dsn: str, conn: psycopg.Connection,
                                                             tmp_path: Path) -> None:
    view = {(c, m): f"{v:,.1f}" for m, c, v in conn.execute(
        "SELECT model, channel, sum(conversions) FROM sessions.conversions_by_channel GROUP BY 1, 2")}
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        models = [th.text for th in driver.find_elements("css selector", "#table-conversions-by-model th")][1:]
        rows = table(driver, "conversions-by-model")
    shown = {(row[0], m): v for row in rows if row[0] != "total" for m, v in zip(models, row[1:]) if v != "0.0"}
    assert shown == view


def test_the_retention_table_equals_retention_by_first_touch(demo_dsn: str, conn: psycopg.Connection,
                                                             tmp_path: Path) -> None:
    view = {}
    for c, n, *counts in conn.execute(
            "SELECT first_touch_channel, sum(signups), sum(retained_7d), sum(eligible_7d), sum(retained_30d), "
            "sum(eligible_30d) FROM sessions.retention_by_first_touch GROUP BY 1"):
        view[c] = [f"{n:,}", f"({counts[0]:,} of {counts[1]:,})", f"({counts[2]:,} of {counts[3]:,})"]
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        rows = table(driver, "retention")
    shown = {channel_of(r[0]): [r[1], r[2].split(" %")[-1].strip() if r[2] != "-" else "(0 of 0)",
                                r[3].split(" %")[-1].strip() if r[3] != "-" else "(0 of 0)"] for r in rows}
    assert shown == view


def test_the_ltv_table_equals_ltv_by_first_touch(demo_dsn: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    view = {c: [f"{n:,}", f"{p:,}", f"{r:,.2f}", f"{r / n:,.2f}"] for c, n, p, r in conn.execute(
        "SELECT first_touch_channel, sum(signups), sum(paying), sum(revenue) "
        "FROM sessions.ltv_by_first_touch GROUP BY 1")}
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        head = [th.text for th in driver.find_elements("css selector", "#table-ltv th")]
        rows = table(driver, "ltv")
    assert head[3:] == ["revenue (EUR)", "LTV (EUR)"]
    assert {channel_of(r[0]): r[1:] for r in rows} == view


def test_every_chart_has_a_table_under_it(demo_dsn: str, tmp_path: Path) -> None:
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        sections = driver.find_elements("css selector", "section")
        assert len(sections) >= 4  # the four charts, then one per growth-team section with data
        for section in sections:
            assert len(section.find_elements("css selector", "div.js-plotly-plot")) == 1
            assert len(section.find_elements("css selector", "table.figures")) == 1


def test_no_two_channels_share_a_colour_and_each_keeps_its_own(demo_dsn: str, tmp_path: Path) -> None:
    assert len(set(palette.CHANNEL_COLOURS.values())) == len(palette.CHANNEL_COLOURS) == 20
    assert palette.SMALL_SAMPLE not in palette.CHANNEL_COLOURS.values()
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        traces = driver.execute_script(
            "return document.getElementById('chart-signups-by-week').data.map(t => [t.name, t.marker.color])")
    assert len(traces) >= 8
    assert {name: colour for name, colour in traces} == {name: palette.CHANNEL_COLOURS[name] for name, _ in traces}


def test_weeks_tick_on_mondays_and_partial_weeks_are_marked(demo_dsn: str, tmp_path: Path) -> None:
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path, "--since", "2024-12-04").as_uri())
        axis = driver.execute_script("return document.getElementById('chart-signups-by-week').layout.xaxis")
        rows = table(driver, "signups-by-week")
    assert {date.fromisoformat(t).isoweekday() for t in axis["tickvals"]} == {1}
    # 2024-12-04 is a Wednesday; the demo data ends on Tuesday 2024-12-31
    assert axis["ticktext"][0] == "Dec 2 (partial)" and axis["ticktext"][-1] == "Dec 30 (partial)"
    assert [r[0] for r in rows] == ["2024-12-02 (partial)", "2024-12-09", "2024-12-16", "2024-12-23",
                                    "2024-12-30 (partial)"]


def test_groups_under_min_sample_are_greyed_with_their_n(demo_dsn: str, conn: psycopg.Connection,
                                                         tmp_path: Path) -> None:
    small = {c: n for c, n in conn.execute("SELECT first_touch_channel, sum(signups) FROM sessions.ltv_by_first_touch "
                                           "GROUP BY 1 HAVING sum(signups) < 30")}
    assert small and len(small) < 8  # the demo has both kinds
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        marked = [r.find_element("css selector", "td").text
                  for r in driver.find_elements("css selector", "#table-ltv tr.small-sample")]
        bars = driver.execute_script("return document.getElementById('chart-ltv').data[0]")
        notes = driver.find_element("css selector", "#ltv").text
    assert sorted(marked) == sorted(f"{c} (n={n}, under 30)" for c, n in small.items())
    for name, colour, text in zip(bars["x"], bars["marker"]["color"], bars["text"]):
        assert (colour == palette.SMALL_SAMPLE) == (name in small)
        assert text == (f"n={small[name]}" if name in small else "")
    assert "Fewer than 30 signups (setting min_sample)" in notes


def test_min_sample_decides_what_is_small(demo_dsn: str, conn: psycopg.Connection, tmp_path: Path) -> None:
    conn.execute("UPDATE attrib.settings SET value = '1' WHERE name = 'min_sample'")
    with chromium(tmp_path) as driver:
        driver.get(render(demo_dsn, tmp_path).as_uri())
        assert driver.find_elements("css selector", "tr.small-sample") == []


def test_a_horizon_no_signup_reached_gets_a_sentence_not_a_legend_entry(example_dsn: str,  # noqa: F811
                                                                       tmp_path: Path) -> None:
    with chromium(tmp_path) as driver:
        driver.get(render(example_dsn, tmp_path).as_uri())
        assert "No signup of the period is 90 days old yet" in driver.find_element("css selector", "#retention").text
        legend = driver.execute_script("return document.getElementById('chart-retention').data.map(t => t.name)")
    assert legend == ["7 days", "30 days"]


def test_three_fresh_signups_get_sentences_not_a_blank_chart(conn: psycopg.Connection, dsn: str,
                                                             tmp_path: Path) -> None:
    plant(conn, {"a": "spring", "b": "summer", "c": "autumn"})  # three signups a day apart, none 7 days old
    with chromium(tmp_path) as driver:
        driver.get(render(dsn, tmp_path).as_uri())
        retention = driver.find_element("css selector", "#retention")
        assert retention.find_elements("css selector", "div.js-plotly-plot") == []
        assert "No signup of the period is 7, 30 or 90 days old yet" in retention.text
        assert "No revenue: set the setting revenue_source" in driver.find_element("css selector", "#ltv").text
        assert len(driver.find_elements("css selector", "div.js-plotly-plot")) == 2
