"""Build step for the wheel: copies the SQL the package deploys into it.

procedures/, migrations/ and alembic.ini live at the top of the repository
(where people edit them); an installed wheel needs them as package data, so
the build copies them to attrib/_sql, where attrib.paths finds them with
importlib.resources. Everything else is in pyproject.toml.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ["procedures", "migrations", "alembic.ini", "scripts/install-deps.sh", "docs/outputs.md",
           "docs/definitions.md"]  # outputs.md links to it, comments cite it


class BuildWithSql(build_py):
    def run(self) -> None:
        # a module moved out of the package since the last in-tree build (to attrib_tools, say)
        # must not ship from a stale build/lib
        shutil.rmtree(Path(self.build_lib) / "attrib", ignore_errors=True)
        super().run()
        target = Path(self.build_lib) / "attrib" / "_sql"
        shutil.rmtree(target, ignore_errors=True)  # a file moved or removed since the last build must not linger
        for name in SHIPPED:
            source, dest = ROOT / name, target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            if source.is_dir():
                shutil.copytree(source, dest, dirs_exist_ok=True,
                                ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
            else:
                shutil.copy2(source, dest)


setup(cmdclass={"build_py": BuildWithSql})
