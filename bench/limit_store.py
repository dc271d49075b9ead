"""Benchmark: how long a sign-in waits when the rate-limit store does not answer.

Runs the app in-process (Flask's test client, a fresh SQLite file) three times: with
the limit store in memory, with a "Redis" that refuses connections, and with one that
accepts connections but never answers (the worst case: the client waits for its
timeout). Each run opens the login page once (templates compiled, no store asked),
then makes ``--attempts`` failed sign-ins, each for another email from another
address, so no limit or wait of the sign-in policy itself is involved, and prints the
first attempt's time and the median of the rest. Passwords are hashed at argon2's
lowest cost, so the figures are the app's own work plus the store's.

Run with ``.venv/bin/python -m bench.limit_store``. Not a test.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from argon2 import PasswordHasher

from app import create_app
from survey.extensions import db
from survey.services import accounts
from tests.conftest import FIXTURE_BANK, FIXTURE_DEMO

SECRET = "benchmark-secret-key-0123456789abcdef"


class SilentServer:
    """Accepts connections and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self.listener.getsockname()[1])
        self.held: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.held.append(connection)

    def close(self) -> None:
        self.listener.close()
        for connection in self.held:
            connection.close()


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run(storage: str, attempts: int, folder: Path, **settings: Any) -> list[float]:
    database = folder / f"bench-{time.monotonic_ns()}.sqlite3"
    app = create_app(
        {
            "SECRET_KEY": SECRET,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database}",
            "BANK_PATH": str(FIXTURE_BANK),
            "DEMO_PATH": str(FIXTURE_DEMO),
            "WTF_CSRF_ENABLED": False,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": storage,
            **settings,
        }
    )
    with app.app_context():
        db.create_all()
    client = app.test_client()
    client.get("/login")
    times = []
    for n in range(attempts):
        started = time.perf_counter()
        response = client.post(
            "/login",
            data={"email": f"nobody{n}@example.com", "password": "not the password"},
            environ_base={"REMOTE_ADDR": f"10.9.{n // 250}.{n % 250}"},
        )
        times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
    with app.app_context():
        db.engine.dispose()
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=20)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379", help="a Redis that answers")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # the fallback's warning is expected here
    accounts._hasher = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    accounts._dummy_hash = accounts._hasher.hash("only for timing")
    silent = SilentServer()
    prefix = {"RATELIMIT_KEY_PREFIX": f"bench-{time.monotonic_ns()}"}
    try:
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            cases = {
                "memory (no Redis)": ("memory://", {}),
                f"Redis answering ({args.redis})": (args.redis, prefix),
                "Redis refusing connections": (f"redis://127.0.0.1:{closed_port()}", {}),
                "Redis accepting, never answering": (f"redis://127.0.0.1:{silent.port}", {}),
            }
            print(f"failed sign-ins, {args.attempts} per case")
            for label, (storage, settings) in cases.items():
                times = run(storage, args.attempts, folder, **settings)
                rest = statistics.median(times[1:]) * 1000
                print(f"  {label:45} first {times[0] * 1000:7.0f} ms   then median {rest:5.0f} ms")
    finally:
        silent.close()
        forget(args.redis, prefix["RATELIMIT_KEY_PREFIX"])


def forget(uri: str, prefix: str) -> None:
    """Delete the benchmark's own counts from the Redis that answered."""
    import redis

    store = redis.Redis.from_url(uri, socket_timeout=1)
    keys = list(store.scan_iter(match=f"*{prefix}*"))
    if keys:
        store.delete(*keys)


if __name__ == "__main__":
    main()
