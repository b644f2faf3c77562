"""The command line's shape: deploy and run load no tooling, and no module imports another in a circle."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from attrib import cli

PACKAGE = Path(cli.__file__).resolve().parent
TOOLING = {"attrib_tools", "attrib_tools.demo_data", "attrib_tools.bench", "attrib_tools.projection",
           "attrib_tools.cli_bench", "attrib_tools.cli_demo", "attrib.marketing", "attrib.cli_report"}


def test_deploy_run_status_and_schedule_import_no_tooling() -> None:
    code = ("import sys; from attrib.cli import main\n"
            "for args in (['deploy', '--help'], ['run', '--help'], ['status', '--help'], ['schedule', '--help']):\n"
            "    main(args, standalone_mode=False)\n"
            "print(sorted(m for m in sys.modules if m.startswith('attrib')))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert "attrib.cli_run" in loaded
    assert not {m for m in TOOLING if f"'{m}'" in loaded}, loaded


def local_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("attrib."):
            found.add(node.module.removeprefix("attrib."))
    return found


def test_no_module_of_the_package_imports_another_in_a_circle() -> None:
    graph = {p.stem: local_imports(p) for p in PACKAGE.glob("*.py")}
    visiting: list[str] = []
    done: set[str] = set()

    def visit(module: str) -> None:
        assert module not in visiting, f"import cycle: {' -> '.join(visiting + [module])}"
        if module in done or module not in graph:
            return
        visiting.append(module)
        for imported in graph[module]:
            visit(imported)
        visiting.pop()
        done.add(module)

    for module in graph:
        visit(module)


def test_every_command_has_help() -> None:
    for name in cli.main.list_commands(None):  # type: ignore[arg-type]
        command = cli.main.get_command(None, name)  # type: ignore[arg-type]
        assert command is not None and (command.help or "").strip(), name
