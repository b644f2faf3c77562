"""The first ten minutes: the demo names a command that works from where the user stands, and
`attrib db status` names every database of the local cluster (the demo's data is in attrib_demo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from attrib import cluster
from attrib_tools import invocation
from conftest import server_dsn


def test_a_venv_script_not_on_path_is_named_by_its_path_from_here(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    script = tmp_path / ".venv" / "bin" / "attrib"
    assert invocation.command(str(script), cwd=tmp_path) == os.path.join(".venv", "bin", "attrib")


def test_a_script_elsewhere_is_named_by_its_absolute_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    script = tmp_path / "venv" / "bin" / "attrib"
    assert invocation.command(str(script), cwd=tmp_path / "elsewhere") == str(script)


def test_the_attrib_on_path_is_named_attrib(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    script = tmp_path / "bin" / "attrib"
    script.parent.mkdir()
    script.write_text("#!/bin/sh\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", str(script.parent))
    assert invocation.command(str(script), cwd=Path("/")) == "attrib"


def test_the_cluster_lists_its_databases_not_only_attrib(dsn: str) -> None:
    name = dsn.rsplit("/", 1)[1]
    port = int(server_dsn("x").split(":")[-1].split("/")[0])
    listed = cluster.databases(cluster.Cluster(Path("/nonexistent"), port))
    assert name in listed
    assert "postgres" not in listed and "template1" not in listed
