"""The command line: help everywhere, exit codes and errors that never show a password."""

from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from attrib.cli import main


def all_commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = []
    for name, command in group.commands.items():
        path = prefix + (name,)
        found.append(path)
        if isinstance(command, click.Group):
            found.extend(all_commands(command, path))
    return found


@pytest.mark.parametrize("path", all_commands(main), ids=lambda p: " ".join(p))
def test_every_command_has_help(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.output
    assert len(result.output.splitlines()) > 3


def test_unknown_command_is_usage_error() -> None:
    assert CliRunner().invoke(main, ["no-such-command"]).exit_code == 2


def test_bad_dsn_fails_with_hint_and_no_password() -> None:
    result = CliRunner().invoke(
        main, ["deploy", "--dsn", "postgresql://alice:s3cr3t-pw@127.0.0.1:1/nowhere"])
    assert result.exit_code == 1
    assert "s3cr3t-pw" not in result.output
    assert "cannot connect to" in result.output
    assert "HINT:" in result.output
