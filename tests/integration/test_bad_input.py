"""Odd input a visitor or an operator can send gets a clear answer, not a 500."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient, FlaskCliRunner
from sqlalchemy import func, select

from survey.config import is_local_http
from survey.extensions import db
from survey.models import Organisation


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
