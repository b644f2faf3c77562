"""How a run looks on the terminal: a live line per stage on stderr, a timing table, or JSON."""

from __future__ import annotations

import click
from rich import box
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from . import safe_text
from .runner import RunResult, StageResult

_MARK = {"ok": "[green]✓[/]", "failed": "[red]✗[/]", "busy": "[yellow]![/]"}
# What each stage's `written` counts (procedures/stages/*/*.sql): a bare number says nothing to a user.
WRITTEN = {
    "reset": "aliases marked for rebuild",
    "ingest": "events kept",
    "alias": "people (aliases) to recompute",
    "sessionize": "sessions",
    "signup": "first and signup sessions + per-person counts",
    "attribute": "published rows deleted or inserted + revenue rows changed",
    "maintain": "partitions analysed",
}


def _count(value: int | None) -> str:
    return "" if value is None else f"{value:,}"


def _seconds(value: float | None) -> str:
    return "" if value is None else f"{value:.2f}"


class ConsoleReporter:
    """Live progress on stderr: a spinner with the elapsed time while a stage runs (on a terminal),
    then one line per finished stage, and a line per retry."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def stage_started(self, stage: str, attempt: int) -> None:
        self._stop()
        if not self.console.is_terminal:
            return
        self._progress = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                                  console=self.console, transient=True)
        self._progress.start()
        suffix = f" (attempt {attempt})" if attempt > 1 else ""
        self._task = self._progress.add_task(f"{safe_text.markup(stage)}{suffix}")

    def stage_retrying(self, stage: str, attempt: int, error: str, wait_seconds: float) -> None:
        self._stop()
        self.console.print(f"[yellow]↻[/] {safe_text.markup(stage)}: attempt {attempt} failed: "
                           f"{safe_text.markup(error)}; "
                           f"retrying in {wait_seconds:.1f} s", highlight=False, soft_wrap=True)

    def stage_finished(self, result: StageResult) -> None:
        self._stop()
        mark = _MARK.get(result.status, "?")
        if result.status == "ok":
            what = f" ({WRITTEN[result.stage]})" if result.stage in WRITTEN else ""
            counts = (f"read {_count(result.rows_read) or '-'}, written {_count(result.rows_written) or '-'}{what}, "
                      f"rejected {_count(result.rows_rejected) or '-'}, "
                      f"duplicates {_count(result.rows_duplicated) or '-'}")
            tries = f", {result.attempts} attempts" if result.attempts > 1 else ""
            self.console.print(f"{mark} {safe_text.markup(result.stage):<11} {result.wall_seconds:8.2f} s  "
                               f"{counts}{tries}",
                               highlight=False, soft_wrap=True)
        else:
            self.console.print(f"{mark} {safe_text.markup(result.stage):<11} {result.wall_seconds:8.2f} s  "
                               f"{safe_text.markup(result.sqlstate or '')}: {safe_text.markup(result.message or '')}",
                               highlight=False, soft_wrap=True)

    def _stop(self) -> None:
        if self._progress is not None:
            self._progress.stop()
            self._progress = None
            self._task = None


def timing_table(result: RunResult) -> Table:
    title = f"attrib run {result.run_id if result.run_id is not None else '-'}"
    if result.database:
        title += f" on {result.database}"
    title += f": {result.status}"
    # narrow headers: the table fits 80 columns (README's "duplicates" is the dups column)
    table = Table(title=safe_text.cell(title), box=box.SIMPLE_HEAD, title_justify="left", pad_edge=False)
    table.add_column("stage")
    table.add_column("status")
    table.add_column("seconds", justify="right")
    table.add_column("tries", justify="right")
    table.add_column("read", justify="right")
    table.add_column("written", justify="right")
    table.add_column("rejected", justify="right")
    table.add_column("dups", justify="right")
    for s in result.stages:
        table.add_row(safe_text.cell(s.stage), safe_text.cell(s.status), _seconds(s.seconds if s.seconds is not None else s.wall_seconds),
                      str(s.attempts or ""), _count(s.rows_read), _count(s.rows_written),
                      _count(s.rows_rejected), _count(s.rows_duplicated))
    table.add_section()
    table.add_row("total", result.status, _seconds(result.seconds), "", "", "", "", "")
    return table


def written_legend(result: RunResult) -> str:
    """Under the table (it has no room for a column): what `written` counts, per stage that ran."""
    parts = [f"{s.stage}: {WRITTEN[s.stage]}" for s in result.stages if s.stage in WRITTEN]
    return "written = " + "; ".join(parts) + "." if parts else ""


def nothing_published(result: RunResult) -> bool:
    """Whether the run's attribute stage ran and changed no published row (its `written` is 0).

    Ingest writing nothing is not enough: a run can publish a failed run's
    work, or recompute everyone after a settings change, with no new event.
    """
    attribute = next((s for s in result.stages if s.stage == "attribute" and s.status == "ok"), None)
    return attribute is not None and attribute.rows_written == 0


def unchanged_message(result: RunResult) -> str:
    """What to say when nothing published changed: no new data, or people recomputed to the same rows
    (after a settings or rules change, which recomputes everyone)."""
    alias = next((s for s in result.stages if s.stage == "alias" and s.status == "ok"), None)
    if alias is not None and alias.rows_written:
        return (f"Recomputed {alias.rows_written:,} people (aliases): the outputs came out as they were, "
                "so none of their rows changed.")
    return "No new data since the last run: the outputs are unchanged."


def print_result(result: RunResult, console: Console, *, as_json: bool) -> None:
    """The result on stdout: one JSON document, or the timing table."""
    if as_json:
        click.echo(safe_text.json_text(result.to_dict()))
    elif result.run_id is not None:  # no table when the run never started (busy, not deployed)
        console.print(timing_table(result))
        console.print(written_legend(result), highlight=False)
        if result.status == "ok" and nothing_published(result):
            console.print(unchanged_message(result), highlight=False)
