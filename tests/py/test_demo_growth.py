"""The demo's three definitions §11 stories (attrib demo prints them) carry the views' own figures.

A small demo data set (20 K events, 60 days) with revenue, spend, survey answers and the content
map of attrib_tools.demo_sources; each printed figure is compared with a query of the view it comes from.
"""

from __future__ import annotations

from typing import Iterator

import psycopg
import pytest

from attrib import growth, marketing, runner
from attrib_tools import demo_data, demo_sources


@pytest.fixture(scope="module")
def demo(template_db: str) -> Iterator[tuple[psycopg.Connection, list[str], marketing.Report]]:
    from conftest import create_database, drop_database, server_dsn

    name = create_database(template_db)
    dsn = server_dsn(name)
    try:
        with psycopg.connect(dsn, autocommit=True) as conn:
            demo_data.generate(conn, events=20_000, days=60, seed=7)
            demo_data.add_revenue(conn, seed=7)
            demo_sources.add_all(conn, seed=7)
            assert runner.run(dsn, full=True).status == "ok"
            report = marketing.load(conn)
            yield conn, marketing.story(report), report
    finally:
        drop_database(name)


def test_the_demo_prints_three_new_stories(demo) -> None:
    _, lines, _ = demo
    assert any(line.startswith("CAC / ROAS by channel (linear): ") for line in lines)
    assert any(line.startswith("Biggest survey disagreement: ") for line in lines)
    assert any(line.startswith("Best content by LTV ") for line in lines)


def test_the_printed_cac_and_roas_are_the_views(demo) -> None:
    conn, lines, _ = demo
    line = next(line for line in lines if line.startswith("CAC / ROAS"))
    rows = conn.execute("""
        SELECT r.channel, sum(c.spend) / nullif(sum(c.conversions), 0)::numeric, r.roas
          FROM sessions.roas_by_channel r
          JOIN sessions.cac_by_channel c ON c.model = r.model AND c.channel = r.channel
         WHERE r.model = 'linear' AND r.spend > 0
         GROUP BY r.channel, r.roas""").fetchall()
    assert {"Paid Search", "Display"} <= {channel for channel, _, _ in rows}
    for channel, cac, roas in rows:
        cac_text = "-" if cac is None else f"{float(cac):,.2f}"
        assert f"{channel} CAC {cac_text}, ROAS {float(roas):,.2f}" in line, channel


def test_the_printed_disagreement_is_the_largest_row_that_does_not_fit(demo) -> None:
    conn, lines, _ = demo
    rows = conn.execute('SELECT answer, first_touch_channel, users FROM sessions.survey_vs_first_touch '
                        'ORDER BY users DESC, answer COLLATE "C", first_touch_channel COLLATE "C"').fetchall()
    answer, channel, users = next(r for r in rows if r[0] in growth.AGREES and r[1] not in growth.AGREES[r[0]])
    assert f'Biggest survey disagreement: {users:,} users say "{answer}" but first came from {channel}.' in lines


def test_the_printed_best_content_is_the_views(demo) -> None:
    conn, lines, _ = demo
    group, ltv, signups = conn.execute(
        'SELECT content_group, ltv, signups FROM sessions.ltv_by_content WHERE signups >= 20 '
        'ORDER BY ltv DESC, signups DESC, content_group COLLATE "C" LIMIT 1').fetchone()
    assert f"Best content by LTV (20+ readers): {group} ({float(ltv):,.2f} per signup, {signups:,} signups)." in lines


def test_the_demo_survey_disagrees_with_first_touch_and_has_unmatched_rows(demo) -> None:
    conn, _, report = demo
    assert report.growth is not None and report.growth.survey_unmatched >= 1
    assert conn.execute("SELECT count(*) FROM sessions.survey_vs_first_touch WHERE answer = 'youtube' "
                        "AND first_touch_channel NOT IN ('Organic Video', 'Paid Video')").fetchone()[0] > 0
