"""The scoring core uses the standard library only, so it can be reused anywhere."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SCORING = Path(__file__).resolve().parents[2] / "scoring"
FORBIDDEN = ("flask", "sqlalchemy", "yaml", "matplotlib", "survey")


def scoring_files() -> list[Path]:
    return sorted(SCORING.rglob("*.py"))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, top-level module) of every absolute import in ``path``."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name.split(".")[0]) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module.split(".")[0]))
    return found


def test_the_scoring_package_is_found() -> None:
    names = {path.name for path in scoring_files()}
    assert {"__init__.py", "model.py", "rules.py", "advisor.py"} <= names


def test_import_parser_sees_imports() -> None:
    # guard against a check that passes because it never looks at anything
    modules = {module for _, module in imported_modules(SCORING / "sides.py")}
    assert {"scoring", "fractions", "math"} <= modules


def test_helper_flags_non_stdlib_imports(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom flask import Flask\nfrom . import sibling\n")
    modules = [m for _, m in imported_modules(sample)]
    assert modules == ["os", "flask"]
    assert "flask" not in sys.stdlib_module_names


@pytest.mark.parametrize("path", scoring_files(), ids=lambda p: p.name)
def test_scoring_imports_only_the_standard_library(path: Path) -> None:
    offending = [
        f"{path.name}:{line}: {module}"
        for line, module in imported_modules(path)
        if module != "scoring" and module not in sys.stdlib_module_names
    ]
    assert offending == []


@pytest.mark.parametrize("path", scoring_files(), ids=lambda p: p.name)
def test_scoring_imports_no_framework(path: Path) -> None:
    modules = {module for _, module in imported_modules(path)}
    assert modules.isdisjoint(FORBIDDEN), modules & set(FORBIDDEN)


def test_importing_scoring_loads_no_framework() -> None:
    code = (
        "import sys, scoring, scoring.rules, scoring.advisor, scoring.model; "
        f"print(sorted(m for m in {FORBIDDEN!r} if m in sys.modules))"
    )
    completed = subprocess.run(
        [sys.executable, "-c", code],
        cwd=SCORING.parent,
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PATH": ""},
    )
    assert completed.stdout.strip() == "[]"
