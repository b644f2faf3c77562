"""The runtime package `attrib` carries no tooling: the demo data and the benchmark are attrib_tools.

`attrib deploy`, `run`, `report` and the rest never load attrib_tools; `attrib demo`,
`demo-data` and `bench` load it when used, and without it say which extra to install.
(The built wheel's contents are checked in test_wheel.py.)
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import attrib
import attrib_tools
from attrib import cli

RUNTIME = Path(attrib.__file__).resolve().parent
TOOLS = Path(attrib_tools.__file__).resolve().parent
TOOLING_COMMANDS = {"demo", "demo-data", "bench"}


def imported(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def test_no_runtime_module_imports_the_tooling() -> None:
    offending = {p.name: sorted(m for m in imported(p) if m.split(".")[0] == "attrib_tools")
                 for p in RUNTIME.rglob("*.py")}
    assert {k: v for k, v in offending.items() if v} == {}


def test_the_tooling_commands_are_the_tooling_packages() -> None:
    assert {name for name, target in cli.LAZY_COMMANDS.items() if target.startswith("attrib_tools.")} \
        == TOOLING_COMMANDS
    # what moved out of the runtime package is not left behind in it
    moved = {p.stem for p in TOOLS.glob("*.py")} - {"__init__"}
    assert moved and not {p.stem for p in RUNTIME.glob("*.py")} & moved


def test_every_runtime_module_and_command_loads_no_tooling() -> None:
    code = f"""
import importlib, pkgutil, sys
import attrib
from attrib.cli import main
for info in pkgutil.walk_packages(attrib.__path__, "attrib."):
    importlib.import_module(info.name)
for name in sorted(set(main.list_commands(None)) - {TOOLING_COMMANDS!r}):
    main([name, "--help"], standalone_mode=False)
print(sorted(m for m in sys.modules if m.split(".")[0] == "attrib_tools"))
"""
    ran = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert ran.returncode == 0, ran.stderr
    assert ran.stdout.strip().splitlines()[-1] == "[]"


# attrib_tools made unimportable, as in an install without the extra
WITHOUT_TOOLS = """
import sys
class NoTools:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] == "attrib_tools":
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
sys.meta_path.insert(0, NoTools())
from attrib.cli import main
main(sys.argv[1:], prog_name="attrib")
"""


def test_without_the_tooling_demo_and_bench_name_the_extra_to_install() -> None:
    for args in (["demo"], ["demo-data", "--events", "10"], ["bench", "--events", "20000", "--days", "3"]):
        ran = subprocess.run([sys.executable, "-c", WITHOUT_TOOLS, *args], capture_output=True, text=True)
        assert ran.returncode == 1, (args, ran.stderr)
        assert "pip install 'attrib[tools]'" in ran.stderr and "make venv" in ran.stderr, ran.stderr
        assert "Traceback" not in ran.stderr
    # the other commands do not notice
    ran = subprocess.run([sys.executable, "-c", WITHOUT_TOOLS, "deploy", "--help"], capture_output=True, text=True)
    assert ran.returncode == 0 and "--sql" in ran.stdout, ran.stderr
