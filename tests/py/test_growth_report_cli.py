"""`attrib report` has a section per definitions §11 question, in the terminal, in --json and in --html,
on the hand-checked example of test_growth_reports.py (all four optional sources set)."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest

from segment import run_stages
from test_growth_reports import load_content, load_spend, load_survey
from test_report_cli import attrib
from test_reports import load_example, load_revenue


@pytest.fixture
def example_dsn(conn: psycopg.Connection, dsn: str) -> str:
    load_example(conn)
    load_revenue(conn)
    load_spend(conn)
    load_survey(conn)
    load_content(conn)
    run_stages(conn)
    return dsn


def test_report_prints_a_section_per_question(example_dsn: str) -> None:
    result = attrib("report", "--dsn", example_dsn)
    assert result.exit_code == 0, result.stderr
    for title in ("LTV at a fixed horizon", "Spend, CAC and ROAS by channel", "What users say",
                  "Content read before signup", "survey rows of no signed-up user: 3"):
        assert title in result.stdout, title


def test_report_json_carries_the_sections_figures(example_dsn: str) -> None:
    data = json.loads(attrib("report", "--dsn", example_dsn, "--json", "--model", "first_touch").stdout)["growth"]
    assert data["model"] == "first_touch"
    paid_search = next(r for r in data["spend_by_channel"] if r["channel"] == "Paid Search")
    assert (paid_search["spend"], paid_search["conversions"], paid_search["cac"], paid_search["revenue"]) == \
        (150.0, 2.0, 75.0, 180.5)
    assert data["survey_vs_first_touch"][0] == {"answer": "google", "first_touch_channel": "Paid Search", "users": 2}
    assert data["survey_unmatched"] == 3
    assert data["ltv_by_content"][0] == {"content_group": "ann-post-1", "signups": 2, "paying": 1,
                                         "revenue": 150.5, "ltv": 75.25}
    thirty = [r for r in data["ltv_horizon_by_first_touch_channel"] if r["horizon_days"] == 30]
    assert {r["first_touch_channel"]: r["eligible"] for r in thirty} == {"Paid Search": 1, "Organic Social": 1}


def test_report_html_has_a_chart_per_question(example_dsn: str, tmp_path: Path) -> None:
    page = tmp_path / "report.html"
    assert attrib("report", "--dsn", example_dsn, "--html", str(page)).exit_code == 0
    text = page.read_text(encoding="utf-8")
    for chart in ("chart-ltv-horizon", "chart-cac-roas", "chart-survey", "chart-content"):
        assert f'id="{chart}"' in text, chart
