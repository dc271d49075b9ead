"""Browser tests: the test app on a real socket, driven in Debian's Chromium by Playwright.

``live_server`` serves whatever the ``app`` fixture gives, so a test module that
needs other settings (CSRF on, links that point at the live server) overrides
``app`` and keeps this one server fixture. The socket is bound before the app is
built, so ``server_url`` can go into the app's settings.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest
from flask import Flask
from playwright.sync_api import Browser, sync_playwright
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
# Without the background-networking flags Chromium keeps dialling out, which this
# offline machine refuses; the page itself needs nothing from the network.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOOPBACK = "127.0.0.1"


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A listening socket on a free loopback port."""
    with socket.create_server((LOOPBACK, 0)) as sock:
        yield sock


@pytest.fixture
def server_url(listener: socket.socket) -> str:
    """Where ``live_server`` will answer, known before the app is built."""
    return f"http://{LOOPBACK}:{listener.getsockname()[1]}"


@pytest.fixture
def live_server(app: Flask, listener: socket.socket, server_url: str) -> Iterator[str]:
    port = listener.getsockname()[1]
    server = make_server(LOOPBACK, port, app, threaded=True, fd=listener.fileno())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_url
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
