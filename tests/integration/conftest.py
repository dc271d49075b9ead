"""Fixtures the workspace tests share: one consultant, signed in, with one wave."""

from __future__ import annotations

import pytest
from flask import Flask
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import Assessment, User
from tests.conftest import create_assessment, create_organisation


@pytest.fixture
def consultant(app: Flask) -> User:
    # Signed in through Flask-Login's test client, so no password (and no slow hashing).
    user = User(email="ada@example.com", password_hash="unused")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def signed_in(app: Flask, consultant: User) -> FlaskClient:
    return app.test_client(user=consultant)


@pytest.fixture
def wave(consultant: User) -> Assessment:
    """The consultant's wave of Acme Ltd, shown from 3 responses per side."""
    return create_assessment(create_organisation("Acme Ltd", consultant), threshold=3)
