"""Commands start lean: loading the app imports no chart or migration library.

matplotlib (with numpy) and Alembic take longer to import than the rest of the app;
they are loaded when a chart is drawn or a migration runs (issue 12, `bench/startup.py`).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

from werkzeug.routing import Map, Rule

from tests.conftest import ROOT, TEST_SECRET

HEAVY = ("matplotlib", "numpy", "alembic", "flask_migrate")


def imported_after(code: str, tmp_path: Path) -> list[str]:
    probe = (
        "import sys\n"
        "from app import create_app\n"
        f"app = create_app({{'SQLALCHEMY_DATABASE_URI': 'sqlite:///{tmp_path / 'x.sqlite3'}'}})\n"
        f"{code}\n"
        f"print(sorted(name for name in {HEAVY!r} if name in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=ROOT,
        env={
            "SECRET_KEY": TEST_SECRET,
            "PATH": "",
            "PYTHONPATH": str(ROOT),
            "MPLCONFIGDIR": str(tmp_path),
        },
        capture_output=True,
        text=True,
        check=True,
    )
    return list(ast.literal_eval(done.stdout.strip().splitlines()[-1]))


def test_loading_the_app_imports_no_chart_or_migration_library(tmp_path: Path) -> None:
    assert imported_after("", tmp_path) == []


def test_the_libraries_load_when_they_are_needed(tmp_path: Path) -> None:
    code = (
        "from survey.charts import load_matplotlib; load_matplotlib()\n"
        "app.extensions['migrate'].directory"
    )
    assert imported_after(code, tmp_path) == sorted(HEAVY)


def test_every_rule_builds_the_same_urls_when_its_builder_is_made_on_demand(app: Any) -> None:
    """The app's rules generate their URL builders when first used (``survey.routing``):
    every endpoint still builds what Werkzeug's own eager rules build, with query args."""
    eager = Map(converters=dict(app.url_map.converters))
    for rule in app.url_map.iter_rules():
        eager.add(Rule(rule.rule, endpoint=rule.endpoint, methods=rule.methods))
    built, reference = app.url_map.bind("survey.test"), eager.bind("survey.test")
    for rule in app.url_map.iter_rules():
        values = dict.fromkeys(rule.arguments, 7)
        for extra in ({}, {"page": "2", "q": "a b/é&"}):
            assert built.build(rule.endpoint, {**values, **extra}) == reference.build(
                rule.endpoint, {**values, **extra}
            ), rule.rule
