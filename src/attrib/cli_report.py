"""`attrib report` (the growth team's tables and an HTML file) and `attrib docs` (docs/outputs.md).

The modules that do the work (marketing, outputs_doc; Plotly) are imported inside the commands,
so `attrib deploy` and `attrib run` never load them.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click
from rich.console import Console

from . import db
from .cli_common import CONTEXT, dsn_option, err
from .errors import AttribError

MODELS = ("first_touch", "last_touch", "last_non_direct", "linear", "position_based", "time_decay")


@click.command("report", context_settings=CONTEXT)
@dsn_option
@click.option("--model", type=click.Choice(MODELS), help="One attribution model. Default: all six side by side.")
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="Only signups on or after this day (UTC), in every section, e.g. 2024-10-01.")
@click.option("--by", type=click.Choice(["channel", "source", "campaign"]), default="channel", show_default=True,
              help="What the conversions are grouped by.")
@click.option("--json", "as_json", is_flag=True, help="One JSON document on stdout instead of tables.")
@click.option("--html", "html_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Also write one self-contained HTML file with the charts (opens offline).")
def report_cmd(dsn: str | None, model: str | None, since: datetime | None, by: str, as_json: bool,
               html_file: Path | None) -> None:
    """Conversions by channel under each attribution model, retention at 7, 30 and 90 days and LTV by first touch.

    Reads schema `sessions` only: a login with the reader role is enough.
    """
    from . import marketing, report_html

    target = db.resolve_dsn(dsn)
    with db.connection(target) as conn:
        report = marketing.load(conn, model=model, since=since.date() if since else None, by=by)
    out = Console(file=sys.stdout, width=None if sys.stdout.isatty() else 80)
    marketing.print_report(report, out, as_json=as_json)
    if html_file is not None:
        report_html.write_html(report, html_file)
        err(f"HTML report: {html_file.resolve()}")


@click.command("docs", context_settings=CONTEXT)
@dsn_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="File to write. Default: docs/outputs.md of the project.")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 when the file differs from the catalog.")
def docs_cmd(dsn: str | None, output: Path | None, check: bool) -> None:
    """Write docs/outputs.md from the comments on every sessions.* relation and column."""
    from . import outputs_doc
    from .paths import project_root

    path = output or project_root() / "docs" / "outputs.md"
    with db.connection(db.resolve_dsn(dsn)) as conn:
        text = outputs_doc.render(conn)
    if check:
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            raise AttribError(f"{path} differs from the comments in the database: run `attrib docs`")
        err(f"{path} matches the database")
        return
    path.write_text(text, encoding="utf-8")
    err(f"wrote {path}")



