"""Shared fixtures: an app on a fresh database, its client and CLI runner, and factories.

The schema is built once per session by running the Alembic migrations (so the
migrations themselves are tested), on SQLite by default or on the database
named by ``TEST_DATABASE_URL``. Every test starts from empty tables.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient, FlaskCliRunner
from flask_login import FlaskLoginClient
from flask_migrate import upgrade
from sqlalchemy import text

from app import create_app
from scoring import Side
from survey.extensions import db, limiter
from survey.models import Assessment, Organisation, User
from survey.services import accounts
from survey.services import assessments as assessment_service
from survey.services.banks import bank_of, current_bank
from survey.services.responses import store_response
from survey.services.results import clear_caches

TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Name the random order's seed at the end, where `make test` (quiet) still shows it."""
    seed = getattr(config.option, "randomly_seed", None)
    if seed is not None:
        terminalreporter.write_line(f"random order: repeat it with --randomly-seed={seed}")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


#: The suite's own bank and demo scenario: editing the shipped ones breaks no test here.
FIXTURES = Path(__file__).resolve().parent / "fixtures"
FIXTURE_BANK = FIXTURES / "bank.yaml"
FIXTURE_DEMO = FIXTURES / "demo.yaml"


def base_config(database_url: str) -> dict[str, Any]:
    return {
        "BANK_PATH": str(FIXTURE_BANK),
        "DEMO_PATH": str(FIXTURE_DEMO),
        "TESTING": True,
        "SECRET_KEY": TEST_SECRET,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "BASE_URL": "http://survey.test",
        "RATELIMIT_ENABLED": False,
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": None,
    }


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    app = create_app(base_config(database_url))
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as connection:
                connection.execute(text("DROP SCHEMA public CASCADE"))
                connection.execute(text("CREATE SCHEMA public"))
        upgrade()
        db.engine.dispose()
    return database_url


def empty_all_tables() -> None:
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())


class IsolatedClient(FlaskLoginClient):
    """A test client whose requests do not share ``g`` with the test's app context.

    The ``app`` fixture keeps an app context open so tests can query the database;
    Flask reuses it for requests, so without this, values cached on ``g`` (such as
    Flask-Login's current user) would leak from one client's request to another's.
    ``app.test_client(user=account)`` gives a client signed in as ``account``.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            g.__dict__.clear()
        return super().open(*args, **kwargs)


@pytest.fixture
def make_app(migrated: str) -> Iterator[Any]:
    """Build an app with extra settings; tables are emptied before the test."""
    apps: list[Flask] = []

    def build(**overrides: Any) -> Flask:
        application = create_app({**base_config(migrated), **overrides})
        application.test_client_class = IsolatedClient
        apps.append(application)
        return application

    first = build()
    with first.app_context():
        empty_all_tables()
    clear_caches()
    yield build
    for application in apps:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()
    clear_caches()


@pytest.fixture
def app(make_app: Any) -> Iterator[Flask]:
    application: Flask = make_app()
    with application.app_context():
        if application.config["RATELIMIT_ENABLED"]:
            limiter.reset()
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: tests check who may sign in, not the hash strength."""
    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", quick)
    monkeypatch.setattr(accounts, "_dummy_hash", quick.hash("only for timing"))


# --- factories ---------------------------------------------------------------


@pytest.fixture
def bank(app: Flask) -> Any:
    return current_bank()


def create_organisation(name: str = "Acme Ltd", owner: User | None = None) -> Organisation:
    organisation = assessment_service.create_organisation(name, owner)
    db.session.commit()
    return organisation


def create_assessment(
    organisation: Organisation | None = None,
    *,
    name: str = "Baseline",
    threshold: int = 5,
    context: Mapping[str, Any] | None = None,
) -> Assessment:
    organisation = organisation or create_organisation()
    assessment = assessment_service.create_assessment(
        organisation, name=name, threshold=threshold, context=context
    )
    db.session.commit()
    return assessment


def uniform_answers(
    value: int | None, *, reverse_value: int | None = None
) -> dict[str, int | None]:
    """Every item answered ``value``; reverse items ``reverse_value`` (default: the mirror)."""
    answers: dict[str, int | None] = {}
    for item in current_bank().items:
        if item.reverse:
            mirrored = None if value is None else 6 - value
            answers[item.id] = reverse_value if reverse_value is not None else mirrored
        else:
            answers[item.id] = value
    return answers


def add_responses(
    assessment: Assessment, side: Side | str, answers: Mapping[str, int | None], count: int = 1
) -> list[bool]:
    """Store ``count`` identical responses directly (not through the form)."""
    side = Side(side)
    bank = bank_of(assessment)
    counted = [store_response(assessment, side, answers, bank) for _ in range(count)]
    db.session.commit()
    return counted


def create_user(
    email: str = "consultant@example.com",
    password: str = "correct horse battery staple",
    *,
    admin: bool = False,
) -> User:
    from survey.services.accounts import create_account

    user = create_account(email, password, admin=admin)
    db.session.commit()
    return user


@pytest.fixture
def factories() -> Any:
    """The factory functions, for tests that prefer a fixture to an import."""

    class Factories:
        organisation = staticmethod(create_organisation)
        assessment = staticmethod(create_assessment)
        responses = staticmethod(add_responses)
        user = staticmethod(create_user)
        uniform_answers = staticmethod(uniform_answers)

    return Factories()


ROOT = Path(__file__).resolve().parent.parent
