"""`flask db downgrade` drops tables, so outside debug and testing it needs to be told so.

Each test migrates a SQLite file of its own; the guarded path runs on a database at
the first revision, whose downgrade drops every table.
"""

from __future__ import annotations

from pathlib import Path

from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import inspect

from app import create_app
from survey.extensions import db
from tests.conftest import base_config

FIRST_REVISION = "0001"


def migrated_app(tmp_path: Path, *, testing: bool, revision: str = "head") -> Flask:
    app = create_app(
        {**base_config(f"sqlite:///{tmp_path / 'survey.sqlite3'}"), "TESTING": testing}
    )
    with app.app_context():
        upgrade(revision=revision)
    return app


def downgrade(app: Flask, *args: str) -> Result:
    with app.app_context():
        return app.test_cli_runner().invoke(args=["db", "downgrade", *args])


def tables(app: Flask) -> set[str]:
    with app.app_context():
        names = set(inspect(db.engine).get_table_names())
        db.engine.dispose()
    return names


def test_a_downgrade_is_refused_without_the_confirmation_option(tmp_path: Path) -> None:
    app = migrated_app(tmp_path, testing=False)
    before = tables(app)
    result = downgrade(app, "base")
    assert result.exit_code == 1
    assert "drops tables" in result.output
    assert "--i-know-this-drops-data" in result.output
    assert "nothing was changed" in result.output
    assert "organisation" in before
    assert tables(app) == before


def test_the_confirmation_option_lets_the_downgrade_run(tmp_path: Path) -> None:
    app = migrated_app(tmp_path, testing=False, revision=FIRST_REVISION)
    result = downgrade(app, "base", "--i-know-this-drops-data")
    assert result.exit_code == 0, result.output
    assert tables(app) <= {"alembic_version"}


def test_in_testing_mode_a_downgrade_needs_no_option(tmp_path: Path) -> None:
    app = migrated_app(tmp_path, testing=True, revision=FIRST_REVISION)
    result = downgrade(app, "base")
    assert result.exit_code == 0, result.output
    assert tables(app) <= {"alembic_version"}
