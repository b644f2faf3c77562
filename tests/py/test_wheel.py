"""The wheel a user installs deploys and runs: no clone needed.

Builds the wheel, installs it into a new virtual environment outside the
repository, and runs that environment's `attrib deploy` and `attrib run` on
the worked example.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from segment import load_csv_dir
from test_example import EXAMPLES

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv with only the built wheel (and its dependencies) in it."""
    work = tmp_path_factory.mktemp("wheel")
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(work / "dist"),
                            str(REPOSITORY)], capture_output=True, text=True)
    assert built.returncode == 0, built.stderr
    wheel = next((work / "dist").glob("attrib-*.whl"))
    subprocess.run([sys.executable, "-m", "venv", str(work / "venv")], check=True)
    pip = subprocess.run([str(work / "venv" / "bin" / "pip"), "install", "-q", str(wheel)],
                         capture_output=True, text=True)
    assert pip.returncode == 0, pip.stderr
    return work / "venv" / "bin"


def test_the_wheel_carries_the_sql_it_deploys(installed: Path) -> None:
    found = subprocess.run([str(installed / "python"), "-c",
                            "from attrib.paths import project_root, is_clone; print(project_root(), is_clone())"],
                           capture_output=True, text=True, cwd="/", check=True).stdout.split()
    assert found[1] == "False"
    assert "site-packages/attrib/_sql" in found[0]
    assert (Path(found[0]) / "procedures" / "stages" / "ingest" / "ingest.sql").is_file()


def test_the_installed_wheel_deploys_and_runs_the_worked_example(installed: Path, empty_dsn: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ATTRIB_HOME", "ATTRIB_PROCEDURES_DIR", "PYTHONPATH")}
    deployed = subprocess.run([str(installed / "attrib"), "deploy", "--dsn", empty_dsn],
                              capture_output=True, text=True, cwd="/", env=env)
    assert deployed.returncode == 0, deployed.stderr
    with psycopg.connect(empty_dsn, autocommit=True) as conn:
        load_csv_dir(conn, EXAMPLES)
    ran = subprocess.run([str(installed / "attrib"), "run", "--dsn", empty_dsn],
                         capture_output=True, text=True, cwd="/", env=env)
    assert ran.returncode == 0, ran.stderr
    with (EXAMPLES / "expected_attribution.csv").open() as f:
        want = sorted((r["alias_id"], r["first_touch_channel"], r["last_touch_channel"]) for r in csv.DictReader(f))
    with psycopg.connect(empty_dsn) as conn:
        got = conn.execute("SELECT alias_id, first_touch_channel, last_touch_channel FROM sessions.attribution "
                           "ORDER BY 1, 2, 3").fetchall()
    assert got == want


def test_docs_check_passes_from_the_installed_wheel(installed: Path, dsn: str) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ATTRIB_HOME", "ATTRIB_PROCEDURES_DIR", "PYTHONPATH")}
    checked = subprocess.run([str(installed / "attrib"), "docs", "--dsn", dsn, "--check"],
                             capture_output=True, text=True, cwd="/", env=env)
    assert checked.returncode == 0, checked.stderr
    assert "site-packages/attrib/_sql/docs/outputs.md matches the database" in checked.stderr


TOOLING_MODULES = {"demo_data", "demo_sources", "bench", "cli_bench", "cli_demo", "hostile", "projection",
                   "summary", "invocation"}


def test_the_wheel_carries_no_demo_or_bench_module(installed: Path) -> None:
    import zipfile

    wheel = next((installed.parent.parent / "dist").glob("attrib-*.whl"))
    modules = [n for n in zipfile.ZipFile(wheel).namelist() if n.endswith(".py")]
    assert not [n for n in modules if not n.startswith("attrib/")], modules
    assert not [n for n in modules if Path(n).stem in TOOLING_MODULES], modules


def test_the_installed_wheel_names_the_extra_for_demo_and_bench(installed: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("ATTRIB_HOME", "ATTRIB_PROCEDURES_DIR", "PYTHONPATH")}
    for args in (["demo"], ["bench", "--events", "20000"], ["demo-data", "--dsn", "postgresql://"]):
        ran = subprocess.run([str(installed / "attrib"), *args], capture_output=True, text=True, cwd="/", env=env)
        assert ran.returncode == 1, (args, ran.stderr)
        assert "attrib[tools]" in ran.stderr and "Traceback" not in ran.stderr, ran.stderr
