"""The 800 M projection (issue 17): the fit, the committed measurements, the two ways to run it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from attrib_tools import projection
from attrib.cli import main

ROOT = Path(__file__).resolve().parents[2]


def test_power_law_fit_recovers_the_exponent() -> None:
    fit = projection.fit_power_law([(n, 3e-6 * n ** 1.2) for n in (1e6, 5e6, 1e7)])
    assert fit.b == pytest.approx(1.2)
    assert fit.at(8e8) == pytest.approx(3e-6 * 8e8 ** 1.2)


def test_committed_measurements_project_every_stage() -> None:
    measured, disk = projection.load(projection.default_inputs(ROOT))
    # the generator's 1 M is 1,000,011 events (whole visits): the sizes, to the thousand
    assert [round(m.events, -3) for m in measured] == [1_000_000, 5_000_000, 10_000_000]
    p = projection.project(measured, disk=disk)
    assert [s["stage"] for s in p["stages"]] == list(projection.STAGES)
    assert p["events_per_day"] == pytest.approx(800e6 / (3 * 365.25))
    for s in p["stages"]:
        # more cores never make a stage slower, and sharding helps at least as much as parallel query
        assert s["full_fitted"]["16"]["parallel_query"] <= s["full_fitted"]["2"]["parallel_query"]
        assert s["full_fitted"]["16"]["sharded"] <= s["full_fitted"]["16"]["parallel_query"]
        # on the measured 2 cores, one PostgreSQL is the extrapolated measurement itself
        assert s["full_fitted"]["2"]["parallel_query"] == pytest.approx(s["full_fitted_seconds"])
    assert p["disk"]["tables_bytes"] > 0


def test_one_size_is_not_enough(tmp_path: Path) -> None:
    doc = json.loads(projection.default_inputs(ROOT)[0].read_text())
    doc["runs"] = doc["runs"][:1]
    one = tmp_path / "one.json"
    one.write_text(json.dumps(doc))
    result = CliRunner().invoke(main, ["bench", "--project", "800M", "--measured", str(one)])
    assert result.exit_code == 1
    assert "two or more history sizes" in result.output


def test_script_and_cli_print_the_same_tables() -> None:
    script = subprocess.run([sys.executable, str(ROOT / "bench" / "project.py")], check=True,
                            capture_output=True, text=True).stdout
    cli = CliRunner().invoke(main, ["bench", "--project", "800M"])
    assert cli.exit_code == 0, cli.output
    assert cli.output == script
    assert "nightly one-day increment" in script and "replaced system" in script
