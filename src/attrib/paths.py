"""Where the project's non-Python files (migrations, procedures, alembic.ini) live.

From a clone (an editable install) they are the repository's own folders,
two levels above this package. An installed wheel carries copies as package
data under attrib/_sql (setup.py puts them there at build time), read with
importlib.resources. ATTRIB_HOME overrides both, for installs that keep the
SQL elsewhere.
"""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

_REPOSITORY = Path(__file__).resolve().parents[2]


def _is_tree(root: Path) -> bool:
    return (root / "procedures").is_dir() and (root / "migrations").is_dir() and (root / "alembic.ini").is_file()


def project_root() -> Path:
    """The folder holding procedures/, migrations/ and alembic.ini."""
    home = os.environ.get("ATTRIB_HOME")
    if home:
        return Path(home).resolve()
    if _is_tree(_REPOSITORY):
        return _REPOSITORY
    return Path(str(resources.files("attrib") / "_sql"))


def is_clone() -> bool:
    """True when running from the repository (the Makefile, the tests), not from an installed wheel."""
    return _is_tree(_REPOSITORY)


def procedures_dir() -> Path:
    override = os.environ.get("ATTRIB_PROCEDURES_DIR")
    return Path(override).resolve() if override else project_root() / "procedures"


def alembic_ini() -> Path:
    return project_root() / "alembic.ini"
