"""Where the project's non-Python files (migrations, procedures) live.

The package is installed editable from the repository, so the repository
root is two levels above this package; ATTRIB_HOME overrides it for
installs that keep the SQL elsewhere.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    home = os.environ.get("ATTRIB_HOME")
    if home:
        return Path(home).resolve()
    return Path(__file__).resolve().parents[2]


def procedures_dir() -> Path:
    override = os.environ.get("ATTRIB_PROCEDURES_DIR")
    return Path(override).resolve() if override else project_root() / "procedures"


def alembic_ini() -> Path:
    return project_root() / "alembic.ini"
