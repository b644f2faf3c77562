"""How the user can call attrib again from where they are: `attrib` when that name on PATH is this
very program, else the path of the running script (after `make demo`, `.venv/bin/attrib`: the
venv is not activated, so a bare `attrib` would not be found)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path


def command(argv0: str | None = None, cwd: Path | None = None) -> str:
    script = Path(argv0 if argv0 is not None else sys.argv[0])
    on_path = shutil.which("attrib")
    # (a script's own path is not resolved: a venv's python is often a link to the system's)
    if on_path and Path(on_path).absolute() == script.absolute():
        return "attrib"
    if script.name != "attrib":  # under a test runner, or an entry point of another name
        return "attrib"
    here = (cwd or Path.cwd()).absolute()
    try:
        relative = script.absolute().relative_to(here)
        return str(relative) if os.sep in str(relative) else f".{os.sep}{relative}"
    except ValueError:
        return str(script.absolute())
