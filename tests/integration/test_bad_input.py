"""Odd input a visitor or an operator can send gets a clear answer, not a 500."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from app import create_app
from survey.config import ConfigError, is_local_http
from survey.extensions import db
from survey.models import Assessment, Organisation
from tests.conftest import create_organisation, create_user


def test_an_id_too_large_for_the_database_is_not_found(client: FlaskClient) -> None:
    huge = "99999999999999999999"
    response = client.get(
        f"/api/v1/assessments/{huge}/result", headers={"Authorization": "Bearer x"}
    )
    assert response.status_code in (401, 404)
    assert client.get(f"/workspace/assessments/{huge}").status_code in (302, 404)


def test_a_context_file_with_a_control_character_is_named(
    runner: FlaskCliRunner, tmp_path: Any
) -> None:
    path = tmp_path / "ctx.yaml"
    path.write_bytes(b"evident_conflicts: yes\x01\n")
    result = runner.invoke(args=["assessment", "create", "--org", "X", "--context", str(path)])
    assert result.exit_code != 0
    assert "YAML syntax error" in result.output
    assert "Traceback" not in result.output
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_only_real_loopback_addresses_turn_secure_cookies_off() -> None:
    assert is_local_http("http://127.0.0.1:5000")
    assert is_local_http("http://localhost:8000/")
    assert not is_local_http("http://127.0.0.1.example.com")
    assert not is_local_http("http://localhost.evil.example")
    assert not is_local_http("https://127.0.0.1")


@pytest.mark.parametrize(
    "url",
    ["/s/abc%00def", "/r/abc%00def", "/r/abc%00def/charts/gaps.svg", "/s/abc%00def/questions"],
)
def test_a_nul_byte_in_a_link_is_a_bad_request(client: FlaskClient, url: str) -> None:
    assert client.get(url).status_code == 400


def test_a_nul_byte_in_a_form_changes_nothing(app: Flask) -> None:
    client = app.test_client()
    response = client.post("/login", data={"email": "a\x00@x.org", "password": "whatever"})
    assert response.status_code == 400
    user = create_user("ada@example.com")
    signed_in = app.test_client(user=user)
    response = signed_in.post("/workspace/organisations/new", data={"name": "\x00"})
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_a_threshold_of_hundreds_of_digits_is_a_form_error(app: Flask) -> None:
    user = create_user("ada@example.com")
    organisation = create_organisation(owner=user)
    client = app.test_client(user=user)
    response = client.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={"name": "Wave", "threshold": "9" * 400},
    )
    assert response.status_code == 200
    assert "The threshold must be a whole number from 1 to 1000." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


@pytest.mark.parametrize(
    ("setting", "value", "named"),
    [
        ("MAX_CONTENT_LENGTH", -5, "MAX_CONTENT_LENGTH"),
        ("PROXY_COUNT", -1, "PROXY_COUNT"),
        ("DEFAULT_THRESHOLD", 10**23, "DEFAULT_THRESHOLD"),
        # The merged settings are used as they are: text is not a number there.
        ("DEFAULT_THRESHOLD", "5", "DEFAULT_THRESHOLD='5' must be a whole number"),
        ("SQLALCHEMY_DATABASE_URI", "nonsense", "DATABASE_URL"),
        ("RATELIMIT_STORAGE_URI", "bogus://", "RATELIMIT_STORAGE_URI"),
        ("BANK_PATH", "/nonexistent/bank.yaml", "BANK_PATH"),
    ],
)
def test_a_bad_setting_stops_the_app_with_its_name(setting: str, value: Any, named: str) -> None:
    with pytest.raises(ConfigError, match=named):
        create_app({"TESTING": True, "SECRET_KEY": "x" * 40, setting: value})


def test_a_database_url_object_from_instance_config_is_accepted(tmp_path: Any) -> None:
    url = make_url(f"sqlite:///{tmp_path / 'settings.sqlite3'}")
    app = create_app({"TESTING": True, "SECRET_KEY": "x" * 40, "SQLALCHEMY_DATABASE_URI": url})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == url
