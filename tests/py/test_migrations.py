"""Every revision has one frozen shape: a stub that runs its own SQL files and imports no application code.

See migrations/README.md. Replaying a revision must run the text it ran when
it was written, so a stub reads nothing of attrib's (not the shipped source
list, not a helper whose output may change), and a released SQL file keeps
its checksum in migrations/frozen.sha256.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

import pytest

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"
STUBS = sorted((MIGRATIONS / "versions").glob("[0-9][0-9][0-9][0-9]_*.py"))


def calls(function: ast.FunctionDef) -> list[str]:
    """The body of a stub function as `op.run_sql_file(NAME)` names, or ['pass']."""
    found = []
    for statement in function.body:
        if isinstance(statement, ast.Pass):
            found.append("pass")
        elif (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call)
              and ast.unparse(statement.value.func) == "op.run_sql_file"
              and len(statement.value.args) == 1 and isinstance(statement.value.args[0], ast.Constant)):
            found.append(statement.value.args[0].value)
        else:
            found.append(ast.unparse(statement))
    return found


def test_there_are_revisions() -> None:
    assert len(STUBS) >= 21


@pytest.mark.parametrize("stub", STUBS, ids=lambda p: p.stem)
def test_a_stub_imports_only_alembic_op_and_runs_its_own_files(stub: Path) -> None:
    tree = ast.parse(stub.read_text())
    imports = [ast.unparse(n) for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))]
    assert imports == ["from alembic import op"], f"{stub.name} imports {imports}: a revision runs SQL files only"
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    assert set(functions) == {"upgrade", "downgrade"}, stub.name
    assert calls(functions["upgrade"]) == [f"{stub.stem}.sql"], stub.name
    assert calls(functions["downgrade"]) in ([f"{stub.stem}.down.sql"], ["pass"]), stub.name
    for name in (f"{stub.stem}.sql", *([f"{stub.stem}.down.sql"] if calls(functions["downgrade"]) != ["pass"] else [])):
        assert (MIGRATIONS / "sql" / name).is_file(), name
    assert ast.get_docstring(tree), f"{stub.name}: say what the revision is for"


def test_every_sql_file_belongs_to_a_revision() -> None:
    stems = {p.stem for p in STUBS}
    stray = [p.name for p in (MIGRATIONS / "sql").glob("*.sql")
             if p.name != "deploy_preflight.sql" and p.name.removesuffix(".sql").removesuffix(".down") not in stems]
    assert stray == []


def test_released_sql_files_never_change() -> None:
    listed = dict(reversed(line.split(maxsplit=1)) for line in (MIGRATIONS / "frozen.sha256").read_text().splitlines())
    changed = [name for name, digest in listed.items()
               if hashlib.sha256((MIGRATIONS / "sql" / name).read_bytes()).hexdigest() != digest]
    assert changed == [], f"{changed} changed after release: make the change in a new revision instead"
    # every revision before the newest is released: its files are listed
    older = {p.name for stub in STUBS[:-1] for p in (MIGRATIONS / "sql").glob(f"{stub.stem}*.sql")}
    assert older <= set(listed), sorted(older - set(listed))
