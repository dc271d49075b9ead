"""The app starts, answers its health check and refuses unsafe settings."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient

from app import create_app
from survey.config import ConfigError


def test_health_check_answers(client: FlaskClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_start_page_declares_language_and_direction(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="en" dir="ltr">' in page


@pytest.mark.parametrize("secret", [None, "", "too-short"])
def test_refuses_to_start_without_a_long_secret_key(secret: str | None) -> None:
    with pytest.raises(ConfigError, match="SECRET_KEY must be set to at least 32 bytes"):
        create_app({"SECRET_KEY": secret, "TESTING": False, "DEBUG": False})


def test_bad_threshold_setting_is_named() -> None:
    with pytest.raises(ConfigError, match="DEFAULT_THRESHOLD"):
        create_app({"TESTING": True, "DEFAULT_THRESHOLD": 0})
