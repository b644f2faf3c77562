"""The growth team's read-out: conversions by channel under each model, retention and LTV by
first touch, and SPEC 11's sections (growth.py), as text, JSON or one self-contained HTML file
(Plotly, its JavaScript inlined).

Reads only schema `sessions` (the reader role suffices) and only aggregates. Imported lazily by
`attrib report` and `attrib demo`, so `attrib run` never loads Plotly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import psycopg
from psycopg import sql
from rich import box
from rich.console import Console
from rich.table import Table

from . import growth, safe_text

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay")
SHORT = {"first_touch": "first", "last_touch": "last", "last_non_direct": "non-dir", "linear": "linear",
         "position_based": "position", "time_decay": "decay"}
BY = ("channel", "source", "campaign")
GROWTH_MODEL = "linear"


@dataclass
class Report:
    by: str
    since: date | None
    models: tuple[str, ...]
    signups: int = 0
    conversions: dict[str, dict[str, float]] = field(default_factory=dict)   # model -> key -> conversions
    weekly: list[tuple[date, str, int]] = field(default_factory=list)        # week, first-touch channel, signups
    retention: list[dict] = field(default_factory=list)                      # per first-touch channel
    ltv: list[dict] = field(default_factory=list)                            # per first-touch channel
    has_revenue: bool = False
    unmatched: tuple[int, float] = (0, 0.0)
    growth: growth.Growth | None = None                                      # SPEC 11 sections

    def keys(self) -> list[str]:
        """Rows of the conversions table: by conversions of the first model, largest first."""
        first = self.conversions.get(self.models[0], {})
        every = {k for per in self.conversions.values() for k in per}
        return sorted(every, key=lambda k: (-first.get(k, 0.0), k))

    def to_dict(self) -> dict:
        return {"by": self.by, "since": self.since.isoformat() if self.since else None, "signups": self.signups,
                "conversions": self.conversions, "models": list(self.models),
                "signups_by_week": [{"week": w.isoformat(), "first_touch_channel": c, "signups": n}
                                    for w, c, n in self.weekly],
                "retention_by_first_touch_channel": self.retention,
                "ltv_by_first_touch_channel": self.ltv if self.has_revenue else None,
                "revenue_unmatched": {"rows": self.unmatched[0], "amount": self.unmatched[1]},
                "growth": self.growth.to_dict() if self.growth else None}


def load(conn: psycopg.Connection, *, model: str | None = None, since: date | None = None,
         by: str = "channel") -> Report:
    report = Report(by=by, since=since, models=(model,) if model else MODELS)
    column = sql.Identifier(by)
    report.signups = conn.execute(
        "SELECT count(*) FROM sessions.attribution WHERE %(since)s::date IS NULL "
        "OR signup_timestamp >= (%(since)s::date)::timestamp AT TIME ZONE 'UTC'", {"since": since}).fetchone()[0]
    rows = conn.execute(sql.SQL("""
        SELECT c.model, coalesce(s.{col}, '(none)'), sum(c.credit::numeric)::double precision
          FROM sessions.attribution_credit c
          JOIN sessions.attribution a ON a.alias_id = c.alias_id
          JOIN sessions.all_sessions s ON s.alias_id = c.alias_id AND s.session_id = c.session_id
         WHERE c.model = ANY(%(models)s)
           AND (%(since)s::date IS NULL OR a.signup_timestamp >= (%(since)s::date)::timestamp AT TIME ZONE 'UTC')
         GROUP BY 1, 2""").format(col=column), {"models": list(report.models), "since": since}).fetchall()
    report.conversions = {m: {} for m in report.models}
    for m, key, value in rows:
        report.conversions[m][key] = value
    report.weekly = conn.execute(
        "SELECT week, first_touch_channel, signups::int FROM sessions.signups_by_week "
        "WHERE %(since)s::date IS NULL OR week >= %(since)s::date - 6 ORDER BY 1, 2", {"since": since}).fetchall()
    report.retention = [
        {"first_touch_channel": c, "signups": n, "eligible_7d": e7, "retained_7d": r7, "eligible_30d": e30,
         "retained_30d": r30, "eligible_90d": e90, "retained_90d": r90}
        for c, n, e7, r7, e30, r30, e90, r90 in conn.execute("""
            SELECT first_touch_channel, sum(signups)::int, sum(eligible_7d)::int, sum(retained_7d)::int,
                   sum(eligible_30d)::int, sum(retained_30d)::int, sum(eligible_90d)::int, sum(retained_90d)::int
              FROM sessions.retention_by_first_touch GROUP BY 1 ORDER BY 2 DESC, 1""")]
    report.unmatched = tuple(conn.execute("SELECT rows::int, amount::float8 FROM sessions.revenue_unmatched").fetchone())
    report.has_revenue = bool(conn.execute("SELECT EXISTS (SELECT FROM sessions.user_revenue)").fetchone()[0]) \
        or report.unmatched[0] > 0
    report.ltv = [
        {"first_touch_channel": c, "signups": n, "paying": p, "revenue": float(r), "ltv": float(r) / n if n else 0.0}
        for c, n, p, r in conn.execute("""
            SELECT first_touch_channel, sum(signups)::int, sum(paying)::int, sum(revenue)
              FROM sessions.ltv_by_first_touch GROUP BY 1 ORDER BY 4 DESC, 1""")]
    # spend, CAC and ROAS under one model: the one asked for, else linear (every session shares)
    report.growth = growth.load(conn, model or GROWTH_MODEL)
    return report


def _rate(num: int, den: int) -> str:
    return f"{100.0 * num / den:.1f} %" if den else "-"


def conversions_table(report: Report) -> Table:
    title = f"Conversions by {report.by}" + (f" (signups since {report.since})" if report.since else "")
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column(report.by, overflow="fold", max_width=26)
    for m in report.models:
        table.add_column(SHORT[m] if len(report.models) > 1 else m, justify="right")
    for key in report.keys():
        table.add_row(safe_text.cell(key), *(f"{report.conversions[m].get(key, 0.0):,.1f}" for m in report.models))
    table.add_section()
    table.add_row("total", *(f"{sum(report.conversions[m].values()):,.1f}" for m in report.models))
    return table


def retention_table(report: Report) -> Table:
    table = Table(title="Retention by first-touch channel (came back N days after signup)", box=box.SIMPLE_HEAD,
                  title_justify="left", pad_edge=False)
    for name, justify in (("channel", "left"), ("signups", "right"), ("7 days", "right"), ("30 days", "right"),
                          ("90 days", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in report.retention:
        table.add_row(safe_text.cell(r["first_touch_channel"] or "(none)"), f"{r['signups']:,}",
                      _rate(r["retained_7d"], r["eligible_7d"]), _rate(r["retained_30d"], r["eligible_30d"]),
                      _rate(r["retained_90d"], r["eligible_90d"]))
    return table


def ltv_table(report: Report) -> Table:
    table = Table(title="Revenue and LTV by first-touch channel", box=box.SIMPLE_HEAD, title_justify="left",
                  pad_edge=False)
    for name, justify in (("channel", "left"), ("signups", "right"), ("paying", "right"), ("revenue", "right"),
                          ("LTV", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in report.ltv:
        table.add_row(safe_text.cell(r["first_touch_channel"] or "(none)"), f"{r['signups']:,}", f"{r['paying']:,}",
                      f"{r['revenue']:,.2f}", f"{r['ltv']:,.2f}")
    return table


def print_report(report: Report, console: Console, *, as_json: bool = False) -> None:
    if as_json:  # JSON's escapes, in ASCII: rich's print_json would print C1 characters raw
        console.file.write(safe_text.json_text(report.to_dict(), indent=2) + "\n")
        return
    console.print(conversions_table(report))
    if report.retention:
        console.print(retention_table(report))
    if report.has_revenue:
        console.print(ltv_table(report))
        if report.unmatched[0]:
            console.print(f"revenue rows of no signed-up user: {report.unmatched[0]:,} "
                          f"({report.unmatched[1]:,.2f}); see sessions.revenue_unmatched")
    else:
        console.print("No revenue: set revenue_source to see LTV (README, Reading the results).")
    if report.growth:
        growth.print_sections(report.growth, console, has_revenue=report.has_revenue)


def story(report: Report) -> list[str]:
    """The marketing summary in a few lines (for `attrib demo`)."""
    first = report.conversions.get("first_touch", {})
    last = report.conversions.get("last_touch", {})
    lines = [f"{report.signups:,} signups."]
    if first and last:
        top_first = sorted(first, key=lambda k: -first[k])[:3]
        top_last = sorted(last, key=lambda k: -last[k])[:3]
        lines.append("Top channels, first touch: " + ", ".join(f"{k} {first[k]:,.0f}" for k in top_first)
                     + "; last touch: " + ", ".join(f"{k} {last[k]:,.0f}" for k in top_last) + ".")
        spread = {k: (min(report.conversions[m].get(k, 0.0) for m in report.models),
                      max(report.conversions[m].get(k, 0.0) for m in report.models)) for k in report.keys()}
        k = max(spread, key=lambda c: spread[c][1] - spread[c][0])
        lo, hi = spread[k]
        lines.append(f"The models disagree most on {k}: from {lo:,.0f} to {hi:,.0f} conversions "
                     f"({len(report.models)} models; `attrib report` shows them side by side).")
    eligible = sum(r["eligible_30d"] for r in report.retention)
    if eligible:
        retained = sum(r["retained_30d"] for r in report.retention)
        best = max((r for r in report.retention if r["eligible_30d"] >= 20),
                   key=lambda r: r["retained_30d"] / r["eligible_30d"], default=None)
        line = f"30-day retention: {_rate(retained, eligible)} of signups came back a month later"
        if best:
            line += (f"; stickiest first touch: {best['first_touch_channel']} "
                     f"({_rate(best['retained_30d'], best['eligible_30d'])})")
        lines.append(line + ".")
    if report.has_revenue and report.ltv:
        top = max((r for r in report.ltv if r["signups"] >= 20), key=lambda r: r["ltv"], default=None)
        if top:
            lines.append(f"Highest LTV by first touch (20+ signups): {top['first_touch_channel']} "
                         f"({top['ltv']:,.2f} per signup).")
    if report.growth:
        lines += growth.story(report.growth)
    return lines


def write_html(report: Report, path: Path, *, title: str = "attrib report") -> Path:
    """One self-contained HTML file: Plotly's JavaScript inlined once, no request to any server.

    Every value from the data is escaped before Plotly sees it (safe_text.html_text): Plotly.js
    reads `<a href>`, `<b>` and `<br>` in a label as markup, and with `<` escaped no value can end
    the <script> that holds a chart's JSON (Plotly, from 5.15 on, also writes `<`, `>` and `/`
    in that JSON as \\u003c, \\u003e and \\u002f).
    """
    import plotly.graph_objects as go  # lazy: only the report needs Plotly

    def label(value: object) -> str:
        return safe_text.html_text(value, quote=False)

    config = {"displaylogo": False, "responsive": True}
    figures = []

    weekly = go.Figure()
    channels = sorted({c or "(none)" for _, c, _ in report.weekly})
    for channel in channels:
        points = [(w, n) for w, c, n in report.weekly if (c or "(none)") == channel]
        weekly.add_bar(name=label(channel), x=[w.isoformat() for w, _ in points], y=[n for _, n in points])
    weekly.update_layout(barmode="stack", title="Signups per week (UTC Mondays) by first-touch channel",
                         xaxis_title="week", yaxis_title="signups")
    figures.append(("signups-by-week", weekly))

    conv = go.Figure()
    keys = report.keys()
    for m in report.models:
        conv.add_bar(name=m, x=[label(k) for k in keys], y=[report.conversions[m].get(k, 0.0) for k in keys])
    conv.update_layout(barmode="group", title=f"Conversions by {report.by} under each attribution model",
                       yaxis_title="conversions")
    figures.append(("conversions-by-model", conv))

    if report.retention:
        ret = go.Figure()
        names = [label(r["first_touch_channel"] or "(none)") for r in report.retention]
        for n in (7, 30, 90):
            ret.add_bar(name=f"{n} days", x=names,
                        y=[(100.0 * r[f"retained_{n}d"] / r[f"eligible_{n}d"]) if r[f"eligible_{n}d"] else None
                           for r in report.retention])
        ret.update_layout(barmode="group", title="Retention by first-touch channel: % of eligible signups "
                          "back N days after signing up", yaxis_title="% retained")
        figures.append(("retention", ret))
    if report.has_revenue:
        ltv = go.Figure()
        ltv.add_bar(name="LTV", x=[label(r["first_touch_channel"] or "(none)") for r in report.ltv],
                    y=[r["ltv"] for r in report.ltv])
        ltv.update_layout(title="Lifetime value per signup by first-touch channel", yaxis_title="revenue / signup")
        figures.append(("ltv", ltv))
    if report.growth:
        figures += growth.figures(report.growth, label, has_revenue=report.has_revenue)

    body = []
    for i, (name, fig) in enumerate(figures):
        fig.update_layout(template="plotly_white", height=460, legend_title_text="")
        body.append(f'<section id="{name}">' + fig.to_html(full_html=False, include_plotlyjs=(i == 0),
                                                          config=config, div_id=f"chart-{name}") + "</section>")
    summary = "".join(f"<li>{safe_text.html_text(line)}</li>" for line in story(report))
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{safe_text.html_text(title)}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}}
section{{margin:2em 0}}</style></head>
<body><h1>{safe_text.html_text(title)}</h1><ul>{summary}</ul>
{''.join(body)}
<p><small>Made by attrib from schema sessions (conversions_by_channel, retention_by_first_touch,
ltv_by_first_touch, ltv_horizon_by_first_touch, roas_by_channel, cac_by_channel, survey_vs_first_touch,
ltv_by_content); what each column means: docs/outputs.md.</small></p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
