"""Modules and functions stay small enough to read in one sitting.

No module in ``scoring/`` or ``survey/`` over 400 lines, no function over 60: past
that, a module has begun to hold two things and a function to do two jobs.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MODULE_LINES = 400
FUNCTION_LINES = 60


def product_modules() -> list[Path]:
    return sorted([*(ROOT / "scoring").rglob("*.py"), *(ROOT / "survey").rglob("*.py")])


def long_functions(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    return [
        f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > FUNCTION_LINES
    ]


def test_the_check_sees_a_long_function(tmp_path: Path) -> None:
    sample = tmp_path / "long.py"
    sample.write_text("def long():\n" + "    x = 1\n" * FUNCTION_LINES)
    assert long_functions(sample) == [f"long ({FUNCTION_LINES + 1} lines)"]


@pytest.mark.parametrize("path", product_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_modules_and_functions_stay_short(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MODULE_LINES, f"{lines} lines"
    assert long_functions(path) == []
