"""`flask backup` and `flask restore` round-trip a populated database, on both engines.

Each test works on a scratch database of its own, migrated from scratch: a SQLite
file, or (when ``TEST_DATABASE_URL`` points at PostgreSQL) a database created for the
test on that server and dropped afterwards, so the shared test database is untouched.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from flask_migrate import upgrade
from sqlalchemy import create_engine, func, inspect, select, table, text
from sqlalchemy.engine import make_url

from app import create_app
from survey.extensions import db
from survey.models import Assessment
from survey.services import backup as backup_service
from tests.conftest import (
    add_responses,
    base_config,
    create_assessment,
    create_organisation,
    create_user,
    empty_all_tables,
    uniform_answers,
)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def scratch_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'scratch.sqlite3'}"
        return
    shared = os.environ.get("TEST_DATABASE_URL", "")
    if not shared.startswith("postgresql"):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    name = f"backup_test_{secrets.token_hex(6)}"
    server = create_engine(shared, isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(shared).set(database=name).render_as_string(hide_password=False)
    finally:
        with server.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        server.dispose()


@pytest.fixture
def scratch_app(scratch_url: str) -> Iterator[Flask]:
    """An app on the scratch database, migrated, outside testing mode."""
    application = create_app({**base_config(scratch_url), "TESTING": False})
    with application.app_context():
        upgrade()
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def invoke(app: Flask, *args: str) -> Result:
    with app.app_context():
        result = app.test_cli_runner().invoke(args=list(args))
        db.session.remove()
    return result


def populate(app: Flask) -> tuple[int, str]:
    """A consultant's organisation with one placed wave; its id and report token."""
    with app.app_context():
        owner = create_user("ann@example.com")
        organisation = create_organisation("Acme Ltd", owner)
        assessment = create_assessment(organisation, name="Baseline", threshold=3)
        add_responses(assessment, "marketing", uniform_answers(4), count=3)
        add_responses(assessment, "sales", uniform_answers(2), count=3)
        found = (assessment.id, assessment.report_token)
        db.session.remove()
    return found


def row_counts(app: Flask) -> dict[str, int]:
    with app.app_context():
        names = inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            return {
                name: connection.execute(select(func.count()).select_from(table(name))).scalar_one()
                for name in names
            }


def report_numbers(app: Flask, assessment_id: int, token: str) -> Any:
    response = app.test_client().get(
        f"/api/v1/assessments/{assessment_id}/result",
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.status_code, response.get_json()


def empty(app: Flask) -> None:
    with app.app_context():
        empty_all_tables()


def recreate(app: Flask) -> None:
    """Drop every table and migrate again: the state of a new server."""
    with app.app_context():
        db.drop_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE alembic_version"))
        upgrade()
        db.engine.dispose()


def test_a_backup_restores_every_row_and_the_report(scratch_app: Flask, tmp_path: Path) -> None:
    assessment_id, token = populate(scratch_app)
    rows = row_counts(scratch_app)
    status, report = report_numbers(scratch_app, assessment_id, token)
    assert status == 200
    assert report["status"] == "placed"
    assert rows["response"] == 6

    folder = tmp_path / "backups"
    folder.mkdir()
    result = invoke(scratch_app, "backup", str(folder))
    assert result.exit_code == 0, result.output
    (backup,) = folder.iterdir()
    assert backup.name.startswith("survey-")
    assert str(backup) in result.output
    # Only the owner may read it: it holds every answer and password hash.
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600

    recreate(scratch_app)
    assert row_counts(scratch_app)["response"] == 0
    assert report_numbers(scratch_app, assessment_id, token)[0] == 404

    result = invoke(scratch_app, "restore", str(backup))
    assert result.exit_code == 0, result.output
    assert row_counts(scratch_app) == rows
    assert report_numbers(scratch_app, assessment_id, token) == (200, report)


def test_restore_replaces_a_database_with_data_only_when_forced(
    scratch_app: Flask, tmp_path: Path
) -> None:
    assessment_id, _ = populate(scratch_app)
    backup = tmp_path / "before.backup"
    assert invoke(scratch_app, "backup", str(backup)).exit_code == 0
    with scratch_app.app_context():
        add_responses(db.session.get(Assessment, assessment_id), "sales", uniform_answers(5))
        db.session.remove()
    rows = row_counts(scratch_app)

    refused = invoke(scratch_app, "restore", str(backup))
    assert refused.exit_code == 1
    assert "already holds data" in refused.output
    assert "--force" in refused.output
    assert row_counts(scratch_app) == rows

    forced = invoke(scratch_app, "restore", "--force", str(backup))
    assert forced.exit_code == 0, forced.output
    assert row_counts(scratch_app)["response"] == rows["response"] - 1


def test_restore_refuses_files_that_are_not_backups_of_this_engine(
    scratch_app: Flask, tmp_path: Path
) -> None:
    populate(scratch_app)
    empty(scratch_app)
    is_sqlite = scratch_app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    other_engine = tmp_path / "other-engine.backup"
    if is_sqlite:
        other_engine.write_bytes(b"PGDMP\x01\x0e\x00" + bytes(200))
    else:
        with sqlite3.connect(other_engine) as other:
            other.execute("CREATE TABLE alembic_version (version_num TEXT)")
        other.close()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("not a backup\n")

    result = invoke(scratch_app, "restore", str(other_engine))
    assert result.exit_code == 1
    expected = "is a PostgreSQL backup" if is_sqlite else "is a SQLite backup"
    assert expected in result.output
    assert "nothing was changed" in result.output

    result = invoke(scratch_app, "restore", str(text_file))
    assert result.exit_code == 1
    assert "is not a backup made by `flask backup`" in result.output

    result = invoke(scratch_app, "restore", str(tmp_path / "missing.backup"))
    assert result.exit_code == 1
    assert "cannot read" in result.output
    assert row_counts(scratch_app)["organisation"] == 0


def test_a_sqlite_file_of_another_application_is_refused(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'survey.sqlite3'}"
    app = create_app({**base_config(url), "TESTING": False})
    with app.app_context():
        upgrade()
    stranger = tmp_path / "stranger.sqlite3"
    with sqlite3.connect(stranger) as other:
        other.execute("CREATE TABLE notes (body TEXT)")
    other.close()
    result = invoke(app, "restore", str(stranger))
    assert result.exit_code == 1
    assert "not one of this app" in result.output


def test_a_backup_never_overwrites_the_live_sqlite_database(tmp_path: Path) -> None:
    live = tmp_path / "survey.sqlite3"
    app = create_app({**base_config(f"sqlite:///{live}"), "TESTING": False})
    with app.app_context():
        upgrade()
    populate(app)
    result = invoke(app, "backup", str(live))
    assert result.exit_code == 1
    assert "is the live database itself" in result.output
    assert row_counts(app)["response"] == 6


def test_the_postgresql_password_is_passed_in_the_environment_only(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    calls: list[tuple[list[str], dict[str, str]]] = []

    def run(arguments: list[str], *, env: dict[str, str], **_: Any) -> Any:
        calls.append((arguments, env))
        return subprocess.CompletedProcess(arguments, 0, stdout="", stderr="")

    monkeypatch.setattr(backup_service.shutil, "which", lambda tool: f"/usr/bin/{tool}")
    monkeypatch.setattr(backup_service.subprocess, "run", run)
    engine = create_engine("postgresql+psycopg://survey:s3cret@db.example:5433/survey")
    backup_service.back_up(engine, tmp_path / "survey.pgdump")

    ((arguments, environment),) = calls
    assert arguments[0] == "/usr/bin/pg_dump"
    assert "--format=custom" in arguments
    assert "--dbname=postgresql://survey@db.example:5433/survey" in arguments
    assert not any("s3cret" in argument for argument in arguments)
    assert environment["PGPASSWORD"] == "s3cret"
