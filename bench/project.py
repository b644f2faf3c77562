#!/usr/bin/env python3
"""Project attrib's measured benchmark to 800 M events (issue 17).

    python3 bench/project.py                        # from bench/measured-*.json (committed)
    python3 bench/project.py bench/results/*.json   # from your own `attrib bench --scales ...` runs
    python3 bench/project.py --events 800M --years 3 --cores 2,16 [--json]

The same as `attrib bench --project 800M [--measured FILE ...]`. The model
and every assumption are in tools/attrib_tools/projection.py; no database needed.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
try:
    from attrib_tools import projection
except ImportError:  # not installed: use the source tree
    sys.path.insert(0, str(ROOT / "tools"))
    from attrib_tools import projection


def count(text: str) -> int:
    text = text.strip().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000, "b": 1_000_000_000}.get(text[-1:].lower(), 1)
    return int(float(text[:-1] if scale > 1 else text) * scale)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path, help="attrib bench JSON results (default: bench/measured-*.json)")
    parser.add_argument("--events", type=count, default=projection.DEFAULT_EVENTS, help="events to project (800M)")
    parser.add_argument("--years", type=float, default=projection.DEFAULT_YEARS, help="years they span (3)")
    parser.add_argument("--cores", default="2,16", help="core counts, comma-separated (2,16)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown tables")
    args = parser.parse_args(argv)
    files = args.files or projection.default_inputs(ROOT)
    measured, disk = projection.load(files)
    result = projection.project(measured, events=args.events, years=args.years,
                                cores=[int(c) for c in args.cores.split(",")], disk=disk)
    print(json.dumps(result, indent=2) if args.json else projection.markdown(result), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
