"""The growth report as one self-contained HTML file: each chart (Plotly, its JavaScript inlined
once) with a table of the figures it draws under it, the period and as-of at the top.

A chart is drawn only when it has something to show; small or empty data gets a sentence instead.
Every value from the data is escaped before Plotly or the page sees it (safe_text.html_text):
Plotly.js reads `<a href>`, `<b>` and `<br>` in a label as markup, and with `<` escaped no value
can end the <script> that holds a chart's JSON (Plotly, from 5.15 on, also writes `<`, `>` and
`/` in that JSON as \\u003c, \\u003e and \\u002f).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from . import growth, palette, safe_text
from .marketing import (EXPLAIN, HORIZONS, SHORT, Report, horizons_with_data, missing_horizons_note, rate,
                        small_note, story)

STYLE = """body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;color:#222}
section{margin:2.5em 0}.period{font-size:1.05em;background:#f4f6f8;padding:.6em .9em;border-radius:4px}
table.figures{border-collapse:collapse;font-size:.85em;margin:.5em 0}
table.figures th,table.figures td{padding:.2em .6em;border-bottom:1px solid #e3e3e3;text-align:right}
table.figures th:first-child,table.figures td:first-child{text-align:left}
.scroll{overflow-x:auto}tr.small-sample td{color:#999}tr.partial-week td{color:#999;font-style:italic}
.swatch{display:inline-block;width:.8em;height:.8em;margin-right:.4em;vertical-align:-.05em}
p.note{color:#555;font-size:.9em}p.empty{font-style:italic;color:#555}"""


def _h(value: object) -> str:
    return safe_text.html_text(value)


def _label(value: object) -> str:
    return safe_text.html_text(value, quote=False)


def _table(name: str, head: list[str], rows: list[tuple[str, list[str]]]) -> str:
    """A table of escaped cells; rows are (css class, cells)."""
    header = "".join(f"<th>{h}</th>" for h in head)
    body = "".join(f'<tr class="{cls}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cls, cells in rows)
    return (f'<div class="scroll"><table class="figures" id="table-{name}"><thead><tr>{header}</tr></thead>'
            f"<tbody>{body}</tbody></table></div>")


def _figure_table(name: str, fig: object) -> str:
    """The figures a chart draws, one row per bar position, one column per trace. Its x values come
    escaped already (growth.figures labels them); trace names are attrib's own words."""
    traces = list(fig.data)  # type: ignore[attr-defined]
    xs: list[str] = []
    for trace in traces:
        xs += [x for x in trace.x if x not in xs]
    values = [{x: y for x, y in zip(trace.x, trace.y)} for trace in traces]
    head = [""] + [_h(trace.name or "value") for trace in traces]
    rows = [("", [x] + ["" if v.get(x) is None else f"{v[x]:,.2f}" for v in values]) for x in xs]
    return _table(name, head, rows)


def _swatch(channel: str | None) -> str:
    return f'<span class="swatch" style="background:{palette.channel_colour(channel)}"></span>'


def _monday(day: date) -> str:
    return f"{day:%b} {day.day}"


def _weekly(report: Report) -> tuple[object | None, str]:
    import plotly.graph_objects as go

    if not report.weekly:
        return None, '<p class="empty">No signups in this period: no weeks to show.</p>'
    weeks = sorted({w for w, _, _ in report.weekly})
    partial = report.partial_weeks()
    totals: dict[str, int] = {}
    for _, c, n in report.weekly:
        totals[c or "(none)"] = totals.get(c or "(none)", 0) + n
    channels = sorted(totals, key=lambda c: (-totals[c], c))
    cell = {(w, c or "(none)"): n for w, c, n in report.weekly}
    fig = go.Figure()
    for channel in channels:
        fig.add_bar(name=_label(channel), x=[w.isoformat() for w in weeks], y=[cell.get((w, channel), 0) for w in weeks],
                    marker={"color": palette.channel_colour(channel),
                            "opacity": [0.4 if w in partial else 1.0 for w in weeks]})
    step = max(1, -(-len(weeks) // 16))  # at most about 16 labels
    fig.update_layout(barmode="stack", title="Signups per week by first-touch channel (weeks start Monday, UTC)",
                      yaxis_title="signups", legend_traceorder="normal",
                      xaxis={"type": "category", "title": "week starting", "tickmode": "array",
                             "tickvals": [w.isoformat() for w in weeks][::step],
                             "ticktext": [_monday(w) + (" (partial)" if w in partial else "") for w in weeks][::step]})
    rows = [("partial-week" if w in partial else "",
             [w.isoformat() + (" (partial)" if w in partial else "")]
             + [f"{cell.get((w, c), 0):,}" for c in channels] + [f"{sum(cell.get((w, c), 0) for c in channels):,}"])
            for w in weeks]
    table = _table("signups-by-week", ["week (Monday)"] + [_swatch(c) + _h(c) for c in channels] + ["total"], rows)
    note = ""
    if partial:
        note = ('<p class="note">Pale bars, "(partial)": the period covers only part of that week '
                f"(it runs from {report.first_day} to {report.last_day}), so the drop is not a collapse.</p>")
    return fig, note + table


def _conversions(report: Report) -> tuple[object | None, str]:
    import plotly.graph_objects as go

    keys = report.keys()
    if not keys:
        return None, '<p class="empty">No signups in this period: nothing to attribute yet.</p>'
    fig = go.Figure()
    for m in report.models:
        fig.add_bar(name=m, x=[_label(k) for k in keys], y=[report.conversions[m].get(k, 0.0) for k in keys],
                    marker={"color": palette.MODEL_COLOURS[m]})
    fig.update_layout(barmode="group", title=f"Conversions by {report.by} under each attribution model",
                      yaxis_title="conversions (signups credited)")
    rows = [("", [(_swatch(k) if report.by == "channel" else "") + _h(k)]
             + [f"{report.conversions[m].get(k, 0.0):,.1f}" for m in report.models]) for k in keys]
    rows.append(("total", ["total"] + [f"{sum(report.conversions[m].values()):,.1f}" for m in report.models]))
    models = "".join(f"<li><strong>{m}</strong> ({SHORT[m]}): {EXPLAIN[m]}</li>" for m in report.models)
    return fig, (_table("conversions-by-model", [_h(report.by)] + list(report.models), rows)
                 + f'<p class="note">The models, each a different answer to "which visit gets the signup":</p>'
                 f'<ul class="models">{models}</ul>')


def _bar_marks(report: Report, groups: list[dict], colour: list[str]) -> dict:
    """Bars of groups under min_sample grey with their n written on them."""
    return {"marker": {"color": [palette.SMALL_SAMPLE if report.small(g) else c for g, c in zip(groups, colour)]},
            "text": [f"n={g['signups']}" if report.small(g) else "" for g in groups], "textposition": "outside"}


def _retention(report: Report) -> tuple[object | None, str]:
    import plotly.graph_objects as go

    if not report.retention:
        return None, '<p class="empty">No signups in this period: no retention to show.</p>'
    horizons = horizons_with_data(report)
    notes = [n for n in (missing_horizons_note(report), small_note(report, report.retention)) if n]
    fig = None
    if horizons:
        fig = go.Figure()
        names = [_label(r["first_touch_channel"] or "(none)") for r in report.retention]
        for n in horizons:
            fig.add_bar(name=f"{n} days", x=names,
                        y=[(100.0 * r[f"retained_{n}d"] / r[f"eligible_{n}d"]) if r[f"eligible_{n}d"] else None
                           for r in report.retention],
                        **_bar_marks(report, report.retention, [palette.HORIZON_COLOURS[n]] * len(names)))
        fig.update_layout(barmode="group", title="Retention by first-touch channel: % of eligible signups "
                          "back N days after signing up", yaxis_title="% retained")
    rows = [("small-sample" if report.small(r) else "",
             [_swatch(r["first_touch_channel"]) + _h(r["first_touch_channel"] or "(none)")
              + (f" (n={r['signups']}, under {report.min_sample})" if report.small(r) else ""), f"{r['signups']:,}"]
             + [f"{rate(r[f'retained_{n}d'], r[f'eligible_{n}d'])} ({r[f'retained_{n}d']:,} of {r[f'eligible_{n}d']:,})"
                if r[f"eligible_{n}d"] else "-" for n in HORIZONS])
            for r in report.retention]
    table = _table("retention", ["first-touch channel", "signups"] + [f"{n} days" for n in HORIZONS], rows)
    return fig, "".join(f'<p class="note">{_h(n)}</p>' for n in notes) + table


def _ltv(report: Report) -> tuple[object | None, str]:
    import plotly.graph_objects as go

    if not report.has_revenue:
        return None, ('<p class="empty">No revenue: set the setting revenue_source to see lifetime value '
                      "(README, Reading the results).</p>")
    if not report.ltv:
        return None, '<p class="empty">No signups in this period: no lifetime value to show.</p>'
    currency = f" ({_h(report.currency)})" if report.currency else ""
    fig = go.Figure()
    fig.add_bar(name="LTV", x=[_label(r["first_touch_channel"] or "(none)") for r in report.ltv],
                y=[r["ltv"] for r in report.ltv],
                **_bar_marks(report, report.ltv, [palette.channel_colour(r["first_touch_channel"]) for r in report.ltv]))
    fig.update_layout(title="Lifetime value per signup by first-touch channel", showlegend=False,
                      yaxis_title=f"revenue per signup{currency}")
    rows = [("small-sample" if report.small(r) else "",
             [_swatch(r["first_touch_channel"]) + _h(r["first_touch_channel"] or "(none)")
              + (f" (n={r['signups']}, under {report.min_sample})" if report.small(r) else ""),
              f"{r['signups']:,}", f"{r['paying']:,}", f"{r['revenue']:,.2f}", f"{r['ltv']:,.2f}"])
            for r in report.ltv]
    table = _table("ltv", ["first-touch channel", "signups", "paying", f"revenue{currency}", f"LTV{currency}"], rows)
    notes = [n for n in (small_note(report, report.ltv),) if n]
    if not report.currency:
        notes.append("Amounts are in revenue_source's currency; set the setting currency (e.g. EUR) to show it.")
    if report.unmatched[0]:
        notes.append(f"Revenue rows of no signed-up user (all time): {report.unmatched[0]:,} "
                     f"({report.money(report.unmatched[1])}); see sessions.revenue_unmatched.")
    return fig, "".join(f'<p class="note">{_h(n)}</p>' for n in notes) + table


def write_html(report: Report, path: Path, *, title: str = "attrib report") -> Path:
    """One self-contained HTML file: Plotly's JavaScript inlined once, no request to any server."""
    config = {"displaylogo": False, "responsive": True}
    body = []
    first_chart = True
    for name, build in (("signups-by-week", _weekly), ("conversions-by-model", _conversions),
                        ("retention", _retention), ("ltv", _ltv)):
        fig, below = build(report)
        chart = ""
        if fig is not None:
            fig.update_layout(template="plotly_white", height=460, legend_title_text="")  # type: ignore[attr-defined]
            chart = fig.to_html(full_html=False, include_plotlyjs=first_chart, config=config,  # type: ignore[attr-defined]
                                div_id=f"chart-{name}")
            first_chart = False
        body.append(f'<section id="{name}">{chart}{below}</section>')
    if report.growth:  # spend, CAC/ROAS, the survey check, content (growth.py)
        for name, fig in growth.figures(report.growth, _label, has_revenue=report.has_revenue):
            fig.update_layout(template="plotly_white", height=460, legend_title_text="")  # type: ignore[attr-defined]
            chart = fig.to_html(full_html=False, include_plotlyjs=first_chart, config=config,  # type: ignore[attr-defined]
                                div_id=f"chart-{name}")
            first_chart = False
            body.append(f'<section id="{name}">{chart}{_figure_table(name, fig)}</section>')
    summary = "".join(f"<li>{_h(line)}</li>" for line in story(report))
    header = "<br>".join(_h(line) for line in report.header())
    legend = f'<p class="legend"><small>{_h(report.legend)}</small></p>' if report.legend else ""
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{_h(title)}</title>
<style>{STYLE}</style></head>
<body><h1>{_h(title)}</h1><p class="period" id="period">{header}</p><ul>{summary}</ul>
{''.join(body)}
{legend}
<p><small>Made by attrib from schema sessions (retention_by_signup_day, ltv_by_signup_day, attribution_credit,
report_settings, ltv_horizon_by_first_touch, roas_by_channel, cac_by_channel, survey_vs_first_touch,
ltv_by_content). What each view and column means: <code>attrib docs --output outputs.md</code> writes it
from the comments in your database.</small></p>
</body></html>
"""
    path.write_text(page, encoding="utf-8")
    return path
