"""Every reference in the repository resolves inside it.

The definitions attrib computes by are docs/definitions.md, cited as
"definitions §n"; no file may cite a specification the repository does not
hold, every "definitions §n" names a section that exists, and every relative
Markdown link of README.md and docs/*.md reaches a file (and heading) that is
there. The frozen release dumps under tests/py/fixtures keep what they held.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FOREIGN = re.compile(r"\bSP" r"EC\b")  # spelled in two parts so this file does not cite it itself
SECTION = re.compile(r"[Dd]efinitions §(\d+)((?:(?:, | and |-)§?\d+)*)")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
SKIPPED_DIRS = {".git", ".venv", "build", ".pgdata", "__pycache__", "node_modules"}


def tracked_files() -> list[Path]:
    try:
        names = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True,
                               text=True).stdout.split("\0")
        files = [ROOT / n for n in names if n]
    except (OSError, subprocess.CalledProcessError):  # an exported tree without git
        files = [p for p in ROOT.rglob("*") if p.is_file() and not SKIPPED_DIRS & set(p.relative_to(ROOT).parts)]
    return [p for p in files
            if p.is_file() and not p.relative_to(ROOT).as_posix().startswith("tests/py/fixtures/")]


def text_of(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return None


def slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower-cased, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    in_code = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            base, n = slug(line.lstrip("#")), 0
            while (base if n == 0 else f"{base}-{n}") in found:
                n += 1
            found.add(base if n == 0 else f"{base}-{n}")
    return found


def definitions_sections() -> set[int]:
    text = (ROOT / "docs" / "definitions.md").read_text(encoding="utf-8")
    return {int(n) for n in re.findall(r"^## (\d+)\. ", text, flags=re.M)}


def markdown_files() -> list[Path]:
    return [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "procedures" / "README.md"]


def test_the_definitions_have_their_eleven_sections() -> None:
    assert definitions_sections() == set(range(1, 12))


def test_no_tracked_file_cites_a_specification_outside_the_repository() -> None:
    citing = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if FOREIGN.search(line):
                citing.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not citing, "cite docs/definitions.md ('definitions §n') instead:\n" + "\n".join(citing)


def test_every_definitions_section_cited_exists() -> None:
    sections = definitions_sections()
    missing = []
    for path in tracked_files():
        text = text_of(path)
        if text is None:
            continue
        for match in SECTION.finditer(text):
            numbers = [int(match.group(1))] + [int(n) for n in re.findall(r"\d+", match.group(2))]
            missing += [f"{path.relative_to(ROOT)}: §{n}" for n in numbers if n not in sections]
    assert not missing, missing


def test_every_relative_markdown_link_resolves() -> None:
    broken = []
    for path in markdown_files():
        text = path.read_text(encoding="utf-8")
        text = re.sub(r"```.*?```", "", text, flags=re.S)  # links in code blocks are code
        for target in LINK.findall(text):
            if re.match(r"^[a-z][a-z0-9+.-]*:", target):  # https:, mailto:, ...
                continue
            file_part, _, anchor = target.partition("#")
            dest = (path.parent / file_part).resolve() if file_part else path
            where = f"{path.relative_to(ROOT)} -> {target}"
            if ROOT not in dest.parents and dest != ROOT:
                broken.append(f"{where}: outside the repository")
            elif not dest.exists():
                broken.append(f"{where}: no such file")
            elif anchor and dest.suffix == ".md" and anchor not in anchors(dest):
                broken.append(f"{where}: no such heading")
    assert not broken, "\n".join(broken)
