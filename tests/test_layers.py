"""The apps depend downwards only: reports on emissions, emissions on accounts.

No module of `accounts`, `emissions` or the project's helpers imports the
reports app, not even inside a function; the reports app reaches them, never
the other way round.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module)
    return found


@pytest.mark.parametrize("package", ["accounts", "emissions", "carbonledger"])
def test_lower_layers_never_import_the_reports_app(package):
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            name
            for name in _imports(path)
            if name == "reports" or name.startswith("reports.")
        )
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    }
    assert {path: names for path, names in offenders.items() if names} == {}
