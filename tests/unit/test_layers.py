"""The web shell's layers: views and commands parse, call a service and render.

Only ``survey/services`` (and the unit of work in it) talk to the database session
and open transactions; a blueprint or a command that did so would carry a use case
in the wrong room.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SURVEY = Path(__file__).resolve().parents[2] / "survey"
ADAPTERS = ("respond", "report", "api", "auth", "workspace", "admin", "commands")
FORBIDDEN_IMPORTS = {("survey.extensions", "db"), ("survey.database", "*")}
FORBIDDEN_CALLS = {"begin_write", "commit", "rollback", "flush"}


def adapter_files() -> list[Path]:
    files = [path for package in ADAPTERS for path in sorted((SURVEY / package).rglob("*.py"))]
    return [*files, SURVEY / "cli.py"]


def layer_violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names = {(node.module, alias.name), (node.module, "*")}
                if names & FORBIDDEN_IMPORTS:
                    found.append(f"{path.name}:{node.lineno}: imports {node.module}.{alias.name}")
        elif isinstance(node, ast.Attribute) and node.attr == "session":
            found.append(f"{path.name}:{node.lineno}: uses .session of the database")
        elif isinstance(node, ast.Call):
            name = getattr(node.func, "attr", getattr(node.func, "id", ""))
            if name in FORBIDDEN_CALLS:
                found.append(f"{path.name}:{node.lineno}: calls {name}()")
    return found


def test_the_check_sees_a_view_that_opens_a_transaction(tmp_path: Path) -> None:
    sample = tmp_path / "routes.py"
    sample.write_text(
        "from survey.extensions import db\n"
        "from survey.database import begin_write\n"
        "def view():\n    begin_write()\n    db.session.add(1)\n    db.session.commit()\n"
    )
    found = layer_violations(sample)
    assert "routes.py:1: imports survey.extensions.db" in found
    assert "routes.py:2: imports survey.database.begin_write" in found
    assert "routes.py:4: calls begin_write()" in found
    assert "routes.py:5: uses .session of the database" in found
    assert "routes.py:6: calls commit()" in found


def test_every_adapter_package_is_looked_at() -> None:
    names = {path.parent.name for path in adapter_files()}
    assert set(ADAPTERS) <= names


@pytest.mark.parametrize("path", adapter_files(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_views_and_commands_leave_the_database_to_services(path: Path) -> None:
    assert layer_violations(path) == []
