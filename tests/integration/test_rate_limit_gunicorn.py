"""The login limit holds across two gunicorn workers, with Redis and while it is down.

Left alone, one sync worker tends to answer every request, so the test steers
the attempts: a connection whose request never ends keeps one worker busy while
the other answers three attempts, then the roles swap. The access log shows
which process answered; only a store shared by both can count all twelve
attempts together. Each attempt is a fresh connection (``Connection: close``)
with its own cookie jar. The Redis server is ``RATELIMIT_TEST_REDIS_URI`` (the CI
script exports it); outside CI a local Redis on the default port is used.
Without Redis the test fails with a message saying so (deselect it explicitly
with ``-m "not redis"``). With the store unreachable, each worker allows its share
of the limit (5 ÷ 2 workers = 2) and says so once in the log.
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
REDIS_VARIABLE = "RATELIMIT_TEST_REDIS_URI"
LOCAL_REDIS = "redis://127.0.0.1:6379"
EMAIL = "ann@example.com"
PASSWORD = "correct horse battery staple"
#: The whole test, from migrating to stopping gunicorn, must finish within this.
BUDGET_SECONDS = 20


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def redis_uri() -> str:
    uri = os.environ.get(REDIS_VARIABLE)
    if not uri:
        if os.environ.get("CI"):
            pytest.fail(
                f"{REDIS_VARIABLE} is not set: the CI script must start Redis and export "
                f"{REDIS_VARIABLE}=redis://127.0.0.1:6379 for the shared login limit test"
            )
        uri = LOCAL_REDIS
    try:
        redis.Redis.from_url(uri, socket_timeout=2, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        pytest.fail(
            f"Redis at {uri} does not answer ({error}): start Redis, or set {REDIS_VARIABLE}, "
            "or deselect this test with -m 'not redis'"
        )
    return uri


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def flask(env: dict[str, str], *args: str, stdin: str | None = None) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=15,
        check=False,
    )
    assert result.returncode == 0, result.stderr


@dataclass(frozen=True)
class Server:
    base_url: str
    port: int
    access_log: Path
    started: float
    output: Path


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """gunicorn with two workers sharing Redis, on a migrated SQLite file with one account."""
    started = time.monotonic()
    uri = redis_uri()
    prefix = f"test-{secrets.token_hex(8)}"
    try:
        with running_gunicorn(tmp_path, uri, prefix, started) as running:
            yield running
    finally:
        store = redis.Redis.from_url(uri, socket_timeout=2)
        keys = list(store.scan_iter(match=f"*{prefix}*"))
        if keys:
            store.delete(*keys)


@pytest.fixture
def server_without_store(tmp_path: Path) -> Iterator[Server]:
    """The same, but the Redis it is told to use does not exist (nothing listens there)."""
    with running_gunicorn(tmp_path, f"redis://127.0.0.1:{free_port()}", "", time.monotonic()) as s:
        yield s


@contextlib.contextmanager
def running_gunicorn(tmp_path: Path, uri: str, prefix: str, started: float) -> Iterator[Server]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{tmp_path / 'survey.sqlite3'}",
        BASE_URL=base_url,
        RATELIMIT_STORAGE_URI=uri,
        RATELIMIT_KEY_PREFIX=prefix,
        WEB_CONCURRENCY="2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    flask(env, "db", "upgrade")
    flask(env, "user", "create", EMAIL, stdin=PASSWORD + "\n")
    log = (tmp_path / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
            "--access-logfile",
            str(tmp_path / "access.log"),
            "--access-logformat",
            "%(p)s %(m)s %(U)s %(s)s",
            "--graceful-timeout",
            "2",
            "app:create_app()",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        wait_until_up(base_url, gunicorn, tmp_path / "gunicorn.log")
        yield Server(base_url, port, tmp_path / "access.log", started, tmp_path / "gunicorn.log")
    finally:
        gunicorn.terminate()
        try:
            gunicorn.wait(timeout=5)
        except subprocess.TimeoutExpired:
            gunicorn.kill()
            gunicorn.wait(timeout=5)
        log.close()


def wait_until_up(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base_url}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within 10 s:\n{log.read_text()}")


def sign_in_attempt(base_url: str, password: str) -> int:
    """One visitor: a new connection and cookie jar, the login page, then the form."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect()
    )
    headers = {"Connection": "close"}
    request = urllib.request.Request(f"{base_url}/login", headers=headers)
    with opener.open(request, timeout=5) as response:
        page = response.read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token, "the login page has no CSRF token"
    body = urllib.parse.urlencode(
        {"email": EMAIL, "password": password, "csrf_token": token.group(1)}
    ).encode()
    request = urllib.request.Request(f"{base_url}/login", data=body, headers=headers)
    try:
        with opener.open(request, timeout=5) as response:
            status: int = response.status
    except urllib.error.HTTPError as error:
        status = error.code
        error.close()
    return status


class BusyWorker:
    """Occupies one idle sync worker with a request that does not end until released."""

    def __init__(self, port: int) -> None:
        self.connection = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        time.sleep(0.2)  # an idle worker accepts within milliseconds

    def release(self) -> None:
        self.connection.sendall(b"Connection: close\r\n\r\n")
        while self.connection.recv(4096):
            pass
        self.connection.close()


def answering_processes(access_log: Path, expected: int) -> list[str]:
    """The process id that answered each sign-in attempt, in order."""
    deadline = time.monotonic() + 3
    while True:  # a worker writes its log line just after it has answered
        lines = access_log.read_text().splitlines()
        processes = [line.split()[0] for line in lines if " POST /login " in line]
        if len(processes) >= expected or time.monotonic() > deadline:
            return processes
        time.sleep(0.05)


def attempts_in_turns(server: Server) -> list[int]:
    """Twelve wrong passwords, three at a time from each worker in turn."""
    statuses: list[int] = []
    busy = BusyWorker(server.port)
    for _ in range(4):
        statuses += [sign_in_attempt(server.base_url, "a wrong password") for _ in range(3)]
        # The worker that just answered is the only idle one: occupy it, free the other.
        next_busy = BusyWorker(server.port)
        busy.release()
        busy = next_busy
    busy.release()
    return statuses


@pytest.mark.redis
def test_the_login_limit_is_shared_by_two_gunicorn_workers(server: Server) -> None:
    statuses = attempts_in_turns(server)

    assert statuses == [200] * 5 + [429] * 7
    # The right password does not get through a blocked address and email either.
    assert sign_in_attempt(server.base_url, PASSWORD) == 429
    processes = answering_processes(server.access_log, 13)
    assert len(processes) == 13
    assert processes[0] != processes[3], "the attempts were not spread over both workers"
    assert len(set(processes[:12])) == 2
    assert time.monotonic() - server.started < BUDGET_SECONDS


def test_with_the_store_unreachable_each_worker_keeps_its_share_of_the_login_limit(
    server_without_store: Server,
) -> None:
    server = server_without_store
    statuses = attempts_in_turns(server)

    # Each worker counts on its own and allows 5 ÷ 2 = 2 failures: 4 in all, never more
    # than the limit of 5 that Redis would have enforced.
    assert statuses == [200, 200, 429, 200, 200, 429] + [429] * 6
    assert sign_in_attempt(server.base_url, PASSWORD) == 429
    processes = answering_processes(server.access_log, 13)
    assert processes[0] != processes[3], "the attempts were not spread over both workers"
    assert len(set(processes[:12])) == 2

    # Each worker said so once, as a JSON line on standard output, not once per attempt.
    lines = [json.loads(line) for line in server.output.read_text().splitlines() if line[:1] == "{"]
    warnings = [line for line in lines if "rate-limit store unreachable" in line["message"]]
    assert len(warnings) == 2, warnings
    assert {line["level"] for line in warnings} == {"WARNING"}
    assert all(line["path"] == "/login" and line["request_id"] for line in warnings)
    assert time.monotonic() - server.started < BUDGET_SECONDS
