"""Settings for running behind a proxy and with a shared limiter store."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient

from tests.conftest import create_user

WRONG = "not the password at all"


def failed_login(client: FlaskClient, email: str, **environ: str) -> int:
    response = client.post("/login", data={"email": email, "password": WRONG}, environ_base=environ)
    return response.status_code


def test_behind_a_proxy_the_login_limit_counts_the_forwarded_client(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, PROXY_COUNT=1)
    with app.app_context():
        create_user("ann@example.com", "correct horse battery staple")
    client = app.test_client()
    proxy = {"REMOTE_ADDR": "10.9.9.9"}
    # Five failures from one client behind the proxy block that client only…
    for attempt in range(5):
        assert (
            failed_login(
                client, f"guess{attempt}@example.com", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy
            )
            == 200
        )
    assert (
        failed_login(client, "other@example.com", HTTP_X_FORWARDED_FOR="203.0.113.5", **proxy)
        == 429
    )
    # …not every visitor, although they all arrive from the proxy's address.
    assert (
        failed_login(client, "other@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7", **proxy)
        == 200
    )


def test_without_a_proxy_setting_forwarded_headers_are_not_trusted(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True)
    client = app.test_client()
    for attempt in range(5):
        assert (
            failed_login(
                client, f"guess{attempt}@example.com", HTTP_X_FORWARDED_FOR=f"203.0.113.{attempt}"
            )
            == 200
        )
    # A forged header does not buy a fresh budget.
    assert failed_login(client, "x@example.com", HTTP_X_FORWARDED_FOR="198.51.100.7") == 429


def test_an_unreachable_limiter_store_falls_back_to_memory(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1")
    client = app.test_client()
    # Sign-in keeps working while Redis is down, and the limit still holds.
    assert [failed_login(client, "ann@example.com") for _ in range(5)] == [200] * 5
    assert failed_login(client, "ann@example.com") == 429
