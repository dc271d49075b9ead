"""Settings for running behind a proxy and with a shared limiter store."""

from __future__ import annotations

import logging
import socket
import threading
from typing import Any

import pytest
from flask.testing import FlaskClient

from survey import rate_limits
from survey.extensions import limiter
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


def test_an_unreachable_limiter_store_keeps_each_workers_share_of_the_limit(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    app = make_app(
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:1", WEB_CONCURRENCY=2
    )
    client = app.test_client()
    with caplog.at_level(logging.WARNING, logger="survey.rate_limits"):
        # Sign-in keeps working while Redis is down; this worker allows 5 ÷ 2 workers = 2.
        statuses = [failed_login(client, "ann@example.com") for _ in range(4)]
    assert statuses == [200, 200, 429, 429]
    warnings = [r for r in caplog.records if r.name == "survey.rate_limits"]
    assert len(warnings) == 1, "one warning per interval, not one per request"
    assert warnings[0].levelno == logging.WARNING
    assert "rate-limit store unreachable" in warnings[0].getMessage()
    assert "divided by 2 workers" in warnings[0].getMessage()


def test_the_store_is_asked_again_after_the_fallback_interval(
    make_app: Any, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:1",
        RATELIMIT_FALLBACK_INTERVAL=30,
        WEB_CONCURRENCY=1,
    )
    client = app.test_client()
    clock = [1000.0]
    monkeypatch.setattr(rate_limits.time, "monotonic", lambda: clock[0])
    with caplog.at_level(logging.WARNING, logger="survey.rate_limits"):
        failed_login(client, "a@example.com")
        clock[0] += 29
        failed_login(client, "b@example.com")
        assert len(caplog.records) == 1
        clock[0] += 2
        failed_login(client, "c@example.com")
        assert len(caplog.records) == 2


class SilentServer:
    """Accepts connections and never answers: a Redis that hangs."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def test_a_hanging_limiter_store_is_given_up_on_and_not_asked_again(
    make_app: Any, caplog: pytest.LogCaptureFixture
) -> None:
    server = SilentServer()
    try:
        app = make_app(
            RATELIMIT_ENABLED=True,
            RATELIMIT_STORAGE_URI=f"redis://127.0.0.1:{server.port}",
            RATELIMIT_STORAGE_TIMEOUT=0.2,
            WEB_CONCURRENCY=1,
        )
        client = app.test_client()
        with caplog.at_level(logging.WARNING, logger="survey.rate_limits"):
            statuses = [failed_login(client, "ann@example.com") for _ in range(6)]
        assert statuses == [200] * 5 + [429]
        # Only the first request waited for the store; the others counted in memory.
        assert len(server.connections) == 1
        assert "TimeoutError" in caplog.records[0].getMessage()
    finally:
        server.close()


def test_the_redis_client_gives_up_quickly_and_does_not_retry(make_app: Any) -> None:
    app = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    with app.app_context():
        options = limiter.storage.storage.connection_pool.connection_kwargs
    assert options["socket_timeout"] == 0.5
    assert options["socket_connect_timeout"] == 0.5
    assert options["retry"].get_retries() == 0
