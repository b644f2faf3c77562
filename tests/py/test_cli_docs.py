"""docs/cli.md is the current `--help` of every command: nothing added, renamed or reworded without it."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import click

REPOSITORY = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("cli_docs", REPOSITORY / "scripts" / "cli_docs.py")
cli_docs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(cli_docs)  # type: ignore[union-attr]


def sections() -> dict[str, str]:
    """`## attrib ...` heading -> the text under it, as docs/cli.md holds them."""
    text = cli_docs.DOC.read_text(encoding="utf-8")
    parts = re.split(r"^## (attrib[^\n]*)\n", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_docs_cli_md_is_current() -> None:
    assert cli_docs.DOC.read_text(encoding="utf-8") == cli_docs.render(), \
        "docs/cli.md differs from the commands' --help: run make cli-docs"


def test_every_command_and_option_is_documented() -> None:
    documented = sections()
    for name, command, _ctx in cli_docs.commands():
        assert name in documented, f"{name} is not in docs/cli.md: run make cli-docs"
        for param in command.params:
            if isinstance(param, click.Option) and not param.hidden:
                for opt in param.opts + param.secondary_opts:
                    assert re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", documented[name]), \
                        f"{name} {opt} is not in docs/cli.md: run make cli-docs"
    # a command removed from the code leaves no section behind
    assert set(documented) == {name for name, _, _ in cli_docs.commands()}


def test_the_reference_does_not_depend_on_the_terminal(monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "40")
    assert cli_docs.render() == cli_docs.DOC.read_text(encoding="utf-8")
