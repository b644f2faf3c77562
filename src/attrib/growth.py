"""Definitions §11's read-out: LTV at a fixed horizon, spend/CAC/ROAS, the survey gut check and content by LTV.

Reads only the sessions.* views (the reader role suffices) and only aggregates. A section whose
optional source is not set is empty and says which setting fills it. `attrib report` prints these
sections after marketing's; `attrib demo` prints the three stories (`story`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import psycopg
from rich import box
from rich.console import Console
from rich.table import Table

from . import safe_text

HORIZONS = (30, 90, 365)
MIN_SIGNUPS = 20  # a content group's LTV is a story only with this many readers
# What a survey answer agrees with: the first-touch channels someone giving it plausibly came from.
# Answers not listed are not judged (a survey's free text is the user's to map).
AGREES = {
    "google": {"Organic Search", "Paid Search", "Paid Shopping", "Organic Shopping"},
    "bing": {"Organic Search", "Paid Search"},
    "youtube": {"Organic Video", "Paid Video"},
    "facebook": {"Organic Social", "Paid Social"},
    "instagram": {"Organic Social", "Paid Social"},
    "linkedin": {"Organic Social", "Paid Social"},
    "twitter": {"Organic Social", "Paid Social"},
    "tiktok": {"Organic Social", "Paid Social", "Organic Video", "Paid Video"},
    "chatgpt": {"AI Assistants"},
    "newsletter": {"Email"},
    "email": {"Email"},
    "podcast": {"Audio"},
    "a friend": {"Direct", "Referral"},
}


@dataclass
class Growth:
    model: str
    horizon: list[dict] = field(default_factory=list)      # per first-touch channel and horizon
    spend: list[dict] = field(default_factory=list)        # per channel, all time, under `model`
    survey: list[dict] = field(default_factory=list)       # answer, channel, users; largest first
    survey_unmatched: int = 0
    content: list[dict] = field(default_factory=list)      # per content group, best LTV first

    def disagreement(self) -> dict | None:
        """The largest (answer, first-touch channel) row whose channel does not fit the answer (AGREES):
        where what people say and what the data shows part most."""
        return next((r for r in self.survey if r["answer"] in AGREES
                     and r["first_touch_channel"] not in AGREES[r["answer"]]), None)

    def best_content(self) -> dict | None:
        return next((r for r in self.content if r["signups"] >= MIN_SIGNUPS), None)

    def to_dict(self) -> dict:
        return {"model": self.model, "ltv_horizon_by_first_touch_channel": self.horizon,
                "spend_by_channel": self.spend, "survey_vs_first_touch": self.survey,
                "survey_unmatched": self.survey_unmatched, "ltv_by_content": self.content}


def _num(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def load(conn: psycopg.Connection, model: str) -> Growth:
    g = Growth(model=model)
    g.horizon = [
        {"first_touch_channel": c, "horizon_days": h, "eligible": e, "paying": p, "revenue": float(r),
         "ltv": float(r) / e if e else None}
        for c, h, e, p, r in conn.execute("""
            SELECT first_touch_channel, horizon_days, sum(eligible)::int, sum(paying)::int, sum(revenue)
              FROM sessions.ltv_horizon_by_first_touch GROUP BY 1, 2 ORDER BY 1, 2""")]
    # all time per channel: CAC over every week's spend and conversions, ROAS from roas_by_channel
    g.spend = [
        {"channel": c, "spend": float(s), "conversions": float(n), "cac": _num(cac), "revenue": float(r),
         "roas": _num(roas)}
        for c, s, n, cac, r, roas in conn.execute("""
            SELECT r.channel, r.spend, coalesce(c.conversions, 0), r.spend / nullif(c.conversions, 0)::numeric,
                   r.revenue, r.roas
              FROM sessions.roas_by_channel r
              LEFT JOIN (SELECT channel, sum(conversions) AS conversions FROM sessions.cac_by_channel
                          WHERE model = %(model)s GROUP BY 1) c ON c.channel = r.channel
             WHERE r.model = %(model)s
             ORDER BY r.spend DESC, c.conversions DESC NULLS LAST, r.channel COLLATE "C" """, {"model": model})]
    g.survey = [{"answer": a, "first_touch_channel": c, "users": n} for a, c, n in conn.execute(
        'SELECT answer, first_touch_channel, users::int FROM sessions.survey_vs_first_touch '
        'ORDER BY users DESC, answer COLLATE "C", first_touch_channel COLLATE "C"')]
    g.survey_unmatched = conn.execute("SELECT rows::int FROM sessions.survey_unmatched").fetchone()[0]
    g.content = [{"content_group": k, "signups": n, "paying": p, "revenue": float(r), "ltv": float(v)}
                 for k, n, p, r, v in conn.execute(
                     'SELECT content_group, signups::int, paying::int, revenue, ltv FROM sessions.ltv_by_content '
                     'ORDER BY ltv DESC, signups DESC, content_group COLLATE "C"')]
    return g


def _money(value: float | None) -> str:
    return "-" if value is None else f"{value:,.2f}"


def _table(title: str, columns: tuple[str, ...]) -> Table:
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    for i, name in enumerate(columns):
        table.add_column(name, justify="left" if i == 0 else "right", overflow="fold", max_width=30)
    return table


def horizon_table(g: Growth) -> Table:
    table = _table("LTV at a fixed horizon by first-touch channel (eligible signups: old enough)",
                   ("channel",) + tuple(f"{h} days" for h in HORIZONS))
    by_channel: dict[str, dict[int, dict]] = {}
    for r in g.horizon:
        by_channel.setdefault(r["first_touch_channel"] or "(none)", {})[r["horizon_days"]] = r
    for channel, rows in sorted(by_channel.items()):
        table.add_row(safe_text.cell(channel),
                      *(f"{_money(rows[h]['ltv'])} ({rows[h]['eligible']:,})" if h in rows else "-" for h in HORIZONS))
    return table


def spend_table(g: Growth) -> Table:
    table = _table(f"Spend, CAC and ROAS by channel ({g.model}, all time)",
                   ("channel", "spend", "conversions", "CAC", "revenue", "ROAS"))
    for r in g.spend:
        table.add_row(safe_text.cell(r["channel"]), _money(r["spend"]), f"{r['conversions']:,.1f}", _money(r["cac"]),
                      _money(r["revenue"]), "-" if r["roas"] is None else f"{r['roas']:,.2f}")
    return table


def survey_table(g: Growth, rows: int = 10) -> Table:
    table = _table("What users say against their first touch (top rows)", ("answer", "first-touch channel", "users"))
    for r in g.survey[:rows]:
        table.add_row(safe_text.cell(r["answer"]), safe_text.cell(r["first_touch_channel"]), f"{r['users']:,}")
    return table


def content_table(g: Growth, rows: int = 10) -> Table:
    table = _table("Content read before signup, by LTV (top groups)", ("content group", "signups", "paying",
                                                                        "revenue", "LTV"))
    for r in g.content[:rows]:
        table.add_row(safe_text.cell(r["content_group"]), f"{r['signups']:,}", f"{r['paying']:,}",
                      _money(r["revenue"]), _money(r["ltv"]))
    return table


def print_sections(g: Growth, console: Console, *, has_revenue: bool) -> None:
    if has_revenue:  # without revenue every horizon's LTV is 0: the table would only count signups
        console.print(horizon_table(g))
    for rows, show, setting in ((g.spend, spend_table, "spend_source"), (g.survey, survey_table, "survey_source"),
                                (g.content, content_table, "content_source")):
        if rows:
            console.print(show(g))
        else:
            console.print(f"No {setting.split('_')[0]} data: set {setting} (README, Reading the results).")
    if g.survey_unmatched:
        console.print(f"survey rows of no signed-up user: {g.survey_unmatched:,}; see sessions.survey_unmatched")


def story(g: Growth) -> list[str]:
    """The three new stories in a line each (for `attrib demo`); each figure is a view's."""
    lines = []
    paid = [r for r in g.spend if r["spend"] > 0]
    if paid:
        lines.append(f"CAC / ROAS by channel ({g.model}): " + "; ".join(
            f"{r['channel']} CAC {_money(r['cac'])}, ROAS "
            + ("-" if r["roas"] is None else f"{r['roas']:,.2f}") for r in paid) + ".")
    worst = g.disagreement()
    if worst:
        lines.append(f"Biggest survey disagreement: {worst['users']:,} users say \"{worst['answer']}\" "
                     f"but first came from {worst['first_touch_channel']}.")
    best = g.best_content()
    if best:
        lines.append(f"Best content by LTV ({MIN_SIGNUPS}+ readers): {best['content_group']} "
                     f"({_money(best['ltv'])} per signup, {best['signups']:,} signups).")
    return lines


def figures(g: Growth, label: Callable[[object], str], *, has_revenue: bool) -> list[tuple[str, object]]:
    """Plotly figures of the sections that have data (`label` escapes a value for the HTML)."""
    import plotly.graph_objects as go  # lazy: only the HTML report needs Plotly

    out = []
    if g.horizon and has_revenue:
        fig = go.Figure()
        channels = sorted({r["first_touch_channel"] or "(none)" for r in g.horizon})
        for h in HORIZONS:
            rows = {(r["first_touch_channel"] or "(none)"): r["ltv"] for r in g.horizon if r["horizon_days"] == h}
            fig.add_bar(name=f"{h} days", x=[label(c) for c in channels], y=[rows.get(c) for c in channels])
        fig.update_layout(barmode="group", title="LTV at 30, 90, 365 days by first-touch channel",
                          yaxis_title="revenue / eligible signup")
        out.append(("ltv-horizon", fig))
    if g.spend:
        fig = go.Figure()
        fig.add_bar(name="CAC", x=[label(r["channel"]) for r in g.spend], y=[r["cac"] for r in g.spend])
        fig.add_bar(name="ROAS", x=[label(r["channel"]) for r in g.spend], y=[r["roas"] for r in g.spend],
                    yaxis="y2")
        fig.update_layout(barmode="group", title=f"CAC and ROAS by channel ({g.model})", yaxis_title="CAC",
                          yaxis2={"title": "ROAS", "overlaying": "y", "side": "right"})
        out.append(("cac-roas", fig))
    if g.survey:
        fig = go.Figure()
        top = g.survey[:15]
        fig.add_bar(x=[label(f"{r['answer']} / {r['first_touch_channel']}") for r in top], y=[r["users"] for r in top])
        fig.update_layout(title="Survey answer / first-touch channel (top rows)", yaxis_title="users")
        out.append(("survey", fig))
    if g.content:
        fig = go.Figure()
        top = g.content[:15]
        fig.add_bar(x=[label(r["content_group"]) for r in top], y=[r["ltv"] for r in top])
        fig.update_layout(title="LTV of signups by content read before signup", yaxis_title="revenue / signup")
        out.append(("content", fig))
    return out
