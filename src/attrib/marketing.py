"""The growth team's read-out: conversions by channel under each model, retention and LTV by
first touch, for one period, and the growth team's sections (growth.py), as text or JSON
(report_html.py draws the same as charts).

Reads only schema `sessions` (the reader role suffices) and only aggregates. Imported lazily by
`attrib report` and `attrib demo`, so `attrib run` never loads it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import psycopg
from psycopg import sql
from rich import box
from rich.console import Console
from rich.table import Table

from . import growth, safe_text

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay")
SHORT = {"first_touch": "first", "last_touch": "last", "last_non_direct": "non-dir", "linear": "linear",
         "position_based": "position", "time_decay": "decay"}
# One line per model, for readers who never read the definitions (docs/outputs.md, attribution_credit).
EXPLAIN = {
    "first_touch": "all credit to the person's first visit",
    "last_touch": "all credit to the visit they signed up in",
    "last_non_direct": "all credit to the last visit before signup that did not come Direct",
    "linear": "equal shares for every visit up to signup",
    "position_based": "40 % first visit, 40 % signup visit, 20 % shared by the visits between",
    "time_decay": "more credit the nearer a visit is to signup (halves every time_decay_half_life, 7 days)",
}
BY = ("channel", "source", "campaign")
HORIZONS = (7, 30, 90)
# Every section filters signups the same way: all of them, or those on or after a UTC day.
SINCE = "(%(since)s::date IS NULL OR {day} >= %(since)s::date)"
# --by source groups one platform once (google.com and google, m.youtube.com and youtube).
SOURCE_LEGEND = ("source: the name of attrib.source_classes that matches the session's source "
                 "(google.com, www.google.co.uk -> google; m.youtube.com -> youtube), else the source as "
                 "stored (sessions.all_sessions.source); the list as it is now")
GROWTH_MODEL = "linear"


@dataclass
class Report:
    by: str
    since: date | None
    models: tuple[str, ...]
    min_sample: int = 30
    currency: str | None = None
    as_of: datetime | None = None     # the latest event of all (as the retention views count days)
    first_day: date | None = None     # the period: --since, else the first signup's day ...
    signups: int = 0
    conversions: dict[str, dict[str, float]] = field(default_factory=dict)   # model -> key -> conversions
    weekly: list[tuple[date, str, int]] = field(default_factory=list)        # week, first-touch channel, signups
    retention: list[dict] = field(default_factory=list)                      # per first-touch channel
    ltv: list[dict] = field(default_factory=list)                            # per first-touch channel
    has_revenue: bool = False
    unmatched: tuple[int, float] = (0, 0.0)
    growth: growth.Growth | None = None                                      # definitions §11 sections

    @property
    def last_day(self) -> date | None:
        """... to the day of the latest event."""
        return self.as_of.date() if self.as_of else None

    @property
    def legend(self) -> str | None:
        return SOURCE_LEGEND if self.by == "source" else None

    def keys(self) -> list[str]:
        """Rows of the conversions table: by conversions of the first model, largest first."""
        first = self.conversions.get(self.models[0], {})
        every = {k for per in self.conversions.values() for k in per}
        return sorted(every, key=lambda k: (-first.get(k, 0.0), k))

    def small(self, group: dict) -> bool:
        """A group too small for its rates to be findings (setting min_sample)."""
        return group["signups"] < self.min_sample

    def money(self, amount: float) -> str:
        return f"{amount:,.2f}" + (f" {self.currency}" if self.currency else "")

    def period(self) -> str:
        if self.first_day is None or self.as_of is None:
            return "no signups yet"
        return f"signups from {self.first_day} to {self.last_day} (UTC)"

    def header(self) -> list[str]:
        """What every report says first: the period, how fresh the data is, what --since did."""
        lines = [f"Period: {self.period()}; data as of {self.as_of:%Y-%m-%d %H:%M} UTC (latest event)."
                 if self.as_of else "Period: no data yet (no run has published any session)."]
        if self.since:
            lines.append(f"Since {self.since}: every section counts only the signups on or after that day.")
        return lines

    def partial_weeks(self) -> set[date]:
        """Weeks the period cuts: one starting after its Monday, one ending before its Sunday."""
        weeks = sorted({w for w, _, _ in self.weekly})
        cut = set()
        if weeks and self.first_day and self.first_day > weeks[0]:
            cut.add(weeks[0])
        if weeks and self.last_day and self.last_day < weeks[-1] + timedelta(days=6):
            cut.add(weeks[-1])
        return cut

    def to_dict(self) -> dict:
        return {"by": self.by, "legend": self.legend, "since": self.since.isoformat() if self.since else None,
                "period": {"first_day": self.first_day.isoformat() if self.first_day else None,
                           "last_day": self.last_day.isoformat() if self.last_day else None},
                "as_of": self.as_of.isoformat() if self.as_of else None,
                "min_sample": self.min_sample, "currency": self.currency, "signups": self.signups,
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
    args = {"since": since, "models": list(report.models)}
    report.min_sample, report.currency = conn.execute(
        "SELECT min_sample, currency FROM sessions.report_settings").fetchone()
    report.as_of = conn.execute("SELECT max(session_end) FROM sessions.all_sessions").fetchone()[0]
    report.signups, first_signup = conn.execute(
        "SELECT count(*), min(signup_timestamp AT TIME ZONE 'UTC')::date FROM sessions.attribution WHERE "
        + SINCE.format(day="(signup_timestamp AT TIME ZONE 'UTC')::date"), args).fetchone()
    report.first_day = since or first_signup
    # --by source: sums per stored source first, then each source under the name of the list
    # that matches it (attrib.source_match, of the source only: a newsletter visit that came
    # through Google stays the newsletter's), so the match runs once per distinct source
    name = sql.SQL("(SELECT m.name FROM attrib.source_match(g.key) m)" if by == "source" else "NULL")
    rows = conn.execute(sql.SQL("""
        SELECT g.model, coalesce({name}, g.key, '(none)'), sum(g.credit)::double precision
          FROM (SELECT c.model, s.{col} AS key, sum(c.credit::numeric) AS credit
                  FROM sessions.attribution_credit c
                  JOIN sessions.attribution a ON a.alias_id = c.alias_id
                  JOIN sessions.all_sessions s ON s.alias_id = c.alias_id AND s.session_id = c.session_id
                 WHERE c.model = ANY(%(models)s) AND """
        + SINCE.format(day="(a.signup_timestamp AT TIME ZONE 'UTC')::date") + """
                 GROUP BY 1, 2) g
         GROUP BY 1, 2""").format(col=sql.Identifier(by), name=name), args).fetchall()
    report.conversions = {m: {} for m in report.models}
    for m, key, value in rows:
        report.conversions[m][key] = value
    where = SINCE.format(day="signup_day")
    # the Monday of each signup day, computed on dates: date_trunc would cut in the session's TimeZone
    report.weekly = conn.execute(
        "SELECT signup_day - (extract(isodow FROM signup_day)::int - 1), first_touch_channel, sum(signups)::int "
        f"FROM sessions.retention_by_signup_day WHERE {where} GROUP BY 1, 2 ORDER BY 1, 2", args).fetchall()
    report.retention = [
        {"first_touch_channel": c, "signups": n, "eligible_7d": e7, "retained_7d": r7, "eligible_30d": e30,
         "retained_30d": r30, "eligible_90d": e90, "retained_90d": r90}
        for c, n, e7, r7, e30, r30, e90, r90 in conn.execute(f"""
            SELECT first_touch_channel, sum(signups)::int, sum(eligible_7d)::int, sum(retained_7d)::int,
                   sum(eligible_30d)::int, sum(retained_30d)::int, sum(eligible_90d)::int, sum(retained_90d)::int
              FROM sessions.retention_by_signup_day WHERE {where} GROUP BY 1 ORDER BY 2 DESC, 1""", args)]
    report.unmatched = tuple(conn.execute("SELECT rows::int, amount::float8 FROM sessions.revenue_unmatched").fetchone())
    report.has_revenue = bool(conn.execute("SELECT EXISTS (SELECT FROM sessions.user_revenue)").fetchone()[0]) \
        or report.unmatched[0] > 0
    report.ltv = [
        {"first_touch_channel": c, "signups": n, "paying": p, "revenue": float(r), "ltv": float(r) / n if n else 0.0}
        for c, n, p, r in conn.execute(f"""
            SELECT first_touch_channel, sum(signups)::int, sum(paying)::int, sum(revenue)
              FROM sessions.ltv_by_signup_day WHERE {where} GROUP BY 1 ORDER BY 4 DESC, 1""", args)]
    # spend, CAC and ROAS under one model: the one asked for, else linear (every session shares)
    report.growth = growth.load(conn, model or GROWTH_MODEL)
    return report


def rate(num: int, den: int) -> str:
    return f"{100.0 * num / den:.1f} %" if den else "-"


def horizons_with_data(report: Report) -> list[int]:
    """The retention horizons some signup of the period is old enough for."""
    return [n for n in HORIZONS if any(r[f"eligible_{n}d"] for r in report.retention)]


def small_groups(report: Report, groups: list[dict]) -> list[dict]:
    return [g for g in groups if report.small(g)]


def small_note(report: Report, groups: list[dict]) -> str | None:
    """The sentence that says which groups are too small to read, or None."""
    small = small_groups(report, groups)
    if not small:
        return None
    names = ", ".join(f"{g['first_touch_channel'] or '(none)'} ({g['signups']:,})" for g in small)
    return (f"Fewer than {report.min_sample} signups (setting min_sample), too few to read as a finding: "
            f"{names}.")


def missing_horizons_note(report: Report) -> str | None:
    missing = [n for n in HORIZONS if n not in horizons_with_data(report)]
    if not missing or not report.retention:
        return None
    days = (report.last_day - report.first_day).days if report.first_day and report.last_day else 0
    ages = ", ".join(str(n) for n in missing[:-1]) + (" or " if len(missing) > 1 else "") + str(missing[-1])
    return f"No signup of the period is {ages} days old yet (it spans {days} days): no retention at {ages} days."


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


def models_legend(report: Report) -> list[str]:
    return [f"  {SHORT[m]:<9} {m}: {EXPLAIN[m]}" for m in report.models]


def _mark(report: Report, group: dict) -> str:
    return safe_text.cell(group["first_touch_channel"] or "(none)") + (" *" if report.small(group) else "")


def retention_table(report: Report) -> Table:
    table = Table(title="Retention by first-touch channel: back N days after signup (retained / eligible)",
                  box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("channel", justify="left")
    table.add_column("signups", justify="right")
    for n in HORIZONS:
        table.add_column(f"{n} days", justify="right")
    for r in report.retention:
        table.add_row(_mark(report, r), f"{r['signups']:,}",
                      *(f"{rate(r[f'retained_{n}d'], r[f'eligible_{n}d'])} ({r[f'retained_{n}d']:,}/"
                        f"{r[f'eligible_{n}d']:,})" if r[f"eligible_{n}d"] else "-" for n in HORIZONS))
    return table


def ltv_table(report: Report) -> Table:
    currency = f" ({report.currency})" if report.currency else ""
    table = Table(title="Revenue and LTV (revenue per signup) by first-touch channel", box=box.SIMPLE_HEAD,
                  title_justify="left", pad_edge=False)
    for name, justify in (("channel", "left"), ("signups", "right"), ("paying", "right"),
                          (f"revenue{currency}", "right"), (f"LTV{currency}", "right")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for r in report.ltv:
        table.add_row(_mark(report, r), f"{r['signups']:,}", f"{r['paying']:,}", f"{r['revenue']:,.2f}",
                      f"{r['ltv']:,.2f}")
    return table


def print_report(report: Report, console: Console, *, as_json: bool = False) -> None:
    if as_json:  # JSON's escapes, in ASCII: rich's print_json would print C1 characters raw
        console.file.write(safe_text.json_text(report.to_dict(), indent=2) + "\n")
        return
    for line in report.header():
        console.print(line, highlight=False)
    if not report.signups:
        console.print("No signups in this period: nothing to attribute yet.")
        return
    console.print(conversions_table(report))
    if report.legend:
        console.print(report.legend, markup=False, highlight=False)
    console.print("Models (columns above):", highlight=False)
    for line in models_legend(report):
        console.print(line, highlight=False)
    console.print()
    if report.retention:
        console.print(retention_table(report))
        missing, small = missing_horizons_note(report), small_note(report, report.retention)
        if missing:
            console.print(missing, highlight=False)
        if small:
            console.print(safe_text.cell("* " + small), highlight=False)
        console.print()
    if report.has_revenue:
        console.print(ltv_table(report))
        note = small_note(report, report.ltv)
        if note:
            console.print(safe_text.cell("* " + note), highlight=False)
        if not report.currency:
            console.print("Amounts are in revenue_source's currency (set the setting currency to show it).",
                          highlight=False)
        if report.unmatched[0]:
            console.print(f"Revenue rows of no signed-up user (all time, whatever --since): "
                          f"{report.unmatched[0]:,} ({report.money(report.unmatched[1])}); "
                          "see sessions.revenue_unmatched", highlight=False)
    else:
        console.print("No revenue: set the setting revenue_source to see LTV (README, Reading the results).",
                      highlight=False)
    if report.growth:
        growth.print_sections(report.growth, console, has_revenue=report.has_revenue)


def story(report: Report) -> list[str]:
    """The marketing summary in a few lines (the HTML report's top, and `attrib demo`)."""
    first = report.conversions.get("first_touch", {})
    last = report.conversions.get("last_touch", {})
    lines = [f"{report.signups:,} people signed up in the period."]
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
                     f"({len(report.models)} models, side by side in the conversions table).")
    eligible = sum(r["eligible_30d"] for r in report.retention)
    if eligible:
        retained = sum(r["retained_30d"] for r in report.retention)
        best = max((r for r in report.retention if r["eligible_30d"] >= report.min_sample),
                   key=lambda r: r["retained_30d"] / r["eligible_30d"], default=None)
        line = f"30-day retention: {rate(retained, eligible)} of signups came back a month later"
        if best:
            line += (f"; stickiest first touch ({report.min_sample}+ signups old enough): "
                     f"{best['first_touch_channel']} ({rate(best['retained_30d'], best['eligible_30d'])})")
        lines.append(line + ".")
    if report.has_revenue and report.ltv:
        top = max((r for r in report.ltv if not report.small(r)), key=lambda r: r["ltv"], default=None)
        if top:
            lines.append(f"Highest LTV by first touch ({report.min_sample}+ signups): {top['first_touch_channel']} "
                         f"({report.money(top['ltv'])} per signup).")
    small = small_groups(report, report.ltv if report.has_revenue else report.retention)
    if small:
        lines.append(f"{len(small)} first-touch channels have fewer than {report.min_sample} signups "
                     "(setting min_sample): greyed in the charts, left out of these lines.")
    if report.growth:
        lines += growth.story(report.growth)
    return lines
