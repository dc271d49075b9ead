"""The shipped nginx site in front of gunicorn keeps slow clients away from the workers.

The test runs deploy/nginx/alignment-survey.conf as shipped, inside a throwaway
nginx.conf of its own (pid, logs and temporary files under the test's folder),
replacing only the deployment's paths and ports: listen addresses on the loopback,
a self-signed certificate, the checkout and gunicorn's socket. Behind it runs
gunicorn with deploy/gunicorn.conf.py on a migrated SQLite file.

nginx is Debian's package, which `make test` installs when /usr/sbin/nginx is
missing (set NGINX to use another binary); without it the tests fail with a
message saying so (deselect them with ``-m "not nginx"``).
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "deploy" / "nginx" / "alignment-survey.conf"
GUNICORN_CONFIG = ROOT / "deploy" / "gunicorn.conf.py"
NGINX = os.environ.get("NGINX", "/usr/sbin/nginx")
HOST_NAME = "survey.example.org"
#: Few workers, so that a handful of slow clients is enough to starve gunicorn on its own.
WORKERS = 3
SLOW_CLIENTS = 200
#: How long the slow clients hold their connections while /healthz is asked.
HOLD_SECONDS = 3.0
HEALTHZ_WITHIN_SECONDS = 1.0
#: The site's per-address limit of requests in progress (limit_conn).
REQUESTS_AT_ONCE_PER_ADDRESS = 100

pytestmark = pytest.mark.nginx


@dataclass(frozen=True)
class Stack:
    https_port: int
    http_port: int
    gunicorn_socket: Path
    access_log: Path
    tls: ssl.SSLContext


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def render_site(folder: Path, *, https_port: int, http_port: int) -> str:
    """The shipped site with the deployment's paths and ports replaced, nothing else.

    Each shipped value must occur exactly as often as expected outside comments, so
    that a change to the shipped file cannot silently leave a production path in.
    """
    replacements = {
        "listen 80;": (f"listen 127.0.0.1:{http_port};", 1),
        "listen [::]:80;": (f"listen 127.0.0.2:{http_port};", 1),
        "listen 443 ": (f"listen 127.0.0.1:{https_port} ", 1),
        "listen [::]:443 ": (f"listen 127.0.0.2:{https_port} ", 1),
        "/etc/letsencrypt/live/survey.example.org": (str(folder / "tls"), 2),
        "unix:/run/alignment-survey/gunicorn.sock": (f"unix:{folder / 'gunicorn.sock'}", 1),
        "/srv/alignment-survey": (str(ROOT), 1),
        "/var/www/html": (str(folder / "acme"), 1),
        "/var/log/nginx": (str(folder / "logs"), 3),
    }
    found = dict.fromkeys(replacements, 0)
    lines = []
    for line in SITE.read_text().splitlines():
        code, hash_sign, comment = line.partition("#")
        for shipped, (replacement, _) in replacements.items():
            found[shipped] += code.count(shipped)
            code = code.replace(shipped, replacement)
        lines.append(code + hash_sign + comment)
    expected = {shipped: count for shipped, (_, count) in replacements.items()}
    assert found == expected, f"the shipped site's deployment values changed: {found}"
    return "\n".join(lines) + "\n"


def main_config(folder: Path, site: Path) -> str:
    """What Debian's /etc/nginx/nginx.conf provides around a site, with private paths."""
    user = "user root;\n" if os.geteuid() == 0 else ""
    temp = "\n".join(
        f"    {kind}_temp_path {folder / 'temp' / kind};"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    return f"""{user}worker_processes auto;
pid {folder / "nginx.pid"};
error_log {folder / "logs" / "error.log"} warn;
events {{
    worker_connections 768;
}}
http {{
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {folder / "logs" / "access.log"};
{temp}
    include {site};
}}
"""


def make_certificate(folder: Path) -> None:
    if shutil.which("openssl") is None:
        pytest.fail("the openssl tool is missing (make test installs it with nginx)")
    folder.mkdir()
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-days",
            "2",
            "-subj",
            f"/CN={HOST_NAME}",
            "-addext",
            f"subjectAltName=DNS:{HOST_NAME},IP:127.0.0.1,IP:127.0.0.2",
            "-keyout",
            str(folder / "privkey.pem"),
            "-out",
            str(folder / "fullchain.pem"),
        ],
        check=True,
        capture_output=True,
        timeout=30,
    )


def flask(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    if not os.access(NGINX, os.X_OK):
        pytest.fail(
            f"{NGINX} is missing: run `make pytest` (it installs Debian's nginx-light), "
            "set NGINX to an nginx binary, or deselect these tests with -m 'not nginx'"
        )
    folder = tmp_path_factory.mktemp("nginx")
    for sub in ("logs", "acme", "temp"):
        (folder / sub).mkdir()
    make_certificate(folder / "tls")
    https_port, http_port = free_port(), free_port()

    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=f"sqlite:///{folder / 'survey.sqlite3'}",
        BASE_URL=f"https://{HOST_NAME}",
        PROXY_COUNT="1",
        WEB_CONCURRENCY=str(WORKERS),
        PYTHONDONTWRITEBYTECODE="1",
    )
    flask(env, "db", "upgrade")
    gunicorn_log = (folder / "gunicorn.log").open("w")
    gunicorn = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--config",
            str(GUNICORN_CONFIG),
            "--bind",
            f"unix:{folder / 'gunicorn.sock'}",
        ],
        cwd=ROOT,
        env=env,
        stdout=gunicorn_log,
        stderr=subprocess.STDOUT,
    )

    nginx: subprocess.Popen[bytes] | None = None
    try:
        site = folder / "alignment-survey.conf"
        site.write_text(render_site(folder, https_port=https_port, http_port=http_port))
        nginx_conf = folder / "nginx.conf"
        nginx_conf.write_text(main_config(folder, site))
        error_log = folder / "logs" / "error.log"
        command = [NGINX, "-p", str(folder), "-c", str(nginx_conf), "-e", str(error_log)]
        nginx = subprocess.Popen(
            [*command, "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        tls = ssl.create_default_context(cafile=str(folder / "tls" / "fullchain.pem"))
        access_log = folder / "logs" / "alignment-survey.access.log"
        ready = Stack(https_port, http_port, folder / "gunicorn.sock", access_log, tls)
        wait_until_up(ready, gunicorn, nginx, folder)
        yield ready
    finally:
        if nginx is not None:
            stop(nginx)
        stop(gunicorn)
        gunicorn_log.close()


def wait_until_up(
    stack: Stack,
    gunicorn: subprocess.Popen[bytes],
    nginx: subprocess.Popen[bytes],
    folder: Path,
) -> None:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for name, process, log in (
            ("gunicorn", gunicorn, folder / "gunicorn.log"),
            ("nginx", nginx, folder / "logs" / "error.log"),
        ):
            if process.poll() is not None:
                pytest.fail(f"{name} stopped:\n{log.read_text() if log.exists() else ''}")
        try:
            if request(stack, "GET", "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"nginx and gunicorn did not answer within 20 s:\n{(folder / 'gunicorn.log').read_text()}"
    )


@dataclass(frozen=True)
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes


def request(
    stack: Stack,
    method: str,
    path: str,
    *,
    source: str = "127.0.0.1",
    timeout: float = 5.0,
    https: bool = True,
) -> Answer:
    connection: http.client.HTTPConnection
    if https:
        connection = http.client.HTTPSConnection(
            "127.0.0.1",
            stack.https_port,
            timeout=timeout,
            context=stack.tls,
            source_address=(source, 0),
        )
    else:
        connection = http.client.HTTPConnection(
            "127.0.0.1", stack.http_port, timeout=timeout, source_address=(source, 0)
        )
    try:
        connection.request(method, path, headers={"Host": HOST_NAME})
        response = connection.getresponse()
        return Answer(response.status, response.headers, response.read())
    finally:
        connection.close()


class SlowClient:
    """A TLS connection that sends its request a little at a time and holds it open.

    ``body=False``: a GET whose head never ends (one more header line per tick).
    ``body=True``: a POST with a complete head whose body trickles in a byte per tick.
    """

    BODY_LENGTH = 1000

    def __init__(self, stack: Stack, source: str, *, body: bool) -> None:
        raw = socket.create_connection(
            ("127.0.0.1", stack.https_port), timeout=10, source_address=(source, 0)
        )
        self.connection = stack.tls.wrap_socket(raw, server_hostname="127.0.0.1")
        self.body = body
        self.sent = 0
        if body:
            head = (
                f"POST /healthz HTTP/1.1\r\nHost: {HOST_NAME}\r\nConnection: close\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n"
                f"Content-Length: {self.BODY_LENGTH}\r\n\r\n"
            )
        else:
            head = f"GET /healthz HTTP/1.1\r\nHost: {HOST_NAME}\r\nConnection: close\r\n"
        self.connection.sendall(head.encode())

    def trickle(self) -> None:
        if self.body:
            self.connection.sendall(b"a")
            self.sent += 1
        else:
            self.connection.sendall(b"X-Slow: 1\r\n")

    def finish(self) -> int:
        """Send the rest of the request; the status nginx then answers with."""
        self.connection.sendall(b"a" * (self.BODY_LENGTH - self.sent) if self.body else b"\r\n")
        return read_status(self.connection)

    def close(self) -> None:
        self.connection.close()


def read_status(connection: socket.socket) -> int:
    answer = b""
    while b"\r\n" not in answer:
        chunk = connection.recv(4096)
        if not chunk:
            break
        answer += chunk
    match = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    assert match, f"no HTTP answer: {answer[:100]!r}"
    return int(match.group(1))


class Trickler(threading.Thread):
    """Sends the next piece of every slow client's request twice a second."""

    def __init__(self, clients: list[SlowClient]) -> None:
        super().__init__(daemon=True)
        self.clients = clients
        self.stopping = threading.Event()
        self.errors: list[BaseException] = []

    def run(self) -> None:
        while not self.stopping.wait(0.5):
            for client in self.clients:
                try:
                    client.trickle()
                except OSError as error:
                    self.errors.append(error)

    def stop(self) -> None:
        self.stopping.set()
        self.join(timeout=10)


def timed_healthz(stack: Stack) -> float | None:
    """Seconds until /healthz answered 200 through nginx; None when it did not in time."""
    started = time.monotonic()
    try:
        answer = request(stack, "GET", "/healthz", timeout=HEALTHZ_WITHIN_SECONDS)
    except OSError:
        return None
    elapsed = time.monotonic() - started
    return elapsed if answer.status == 200 and elapsed < HEALTHZ_WITHIN_SECONDS else None


def test_healthz_answers_within_a_second_while_200_slow_clients_hold_connections(
    stack: Stack,
) -> None:
    # Each slow client comes from its own address (all of 127/8 is loopback), as in an
    # attack from many machines, so the per-address limits do not turn them away: only
    # buffering and timeouts stand between them and gunicorn's three workers.
    clients = [
        SlowClient(stack, f"127.0.1.{number + 1}", body=number % 2 == 1)
        for number in range(SLOW_CLIENTS)
    ]
    trickler = Trickler(clients)
    trickler.start()
    latencies: list[float | None] = []
    try:
        held_until = time.monotonic() + HOLD_SECONDS
        while time.monotonic() < held_until:
            latencies.append(timed_healthz(stack))
            time.sleep(0.1)
    finally:
        trickler.stop()
    try:
        answered = [latency for latency in latencies if latency is not None]
        assert len(answered) == len(latencies), f"/healthz timings (s): {latencies}"
        assert len(latencies) >= 10
        assert trickler.errors == [], "nginx dropped slow clients while they were sending"
        # Every held request was still alive and is answered once it is complete (the
        # POSTs by the app: /healthz takes GET only).
        statuses = [client.finish() for client in clients]
    finally:
        for client in clients:
            client.close()
    assert statuses == [200, 405] * (SLOW_CLIENTS // 2)


def test_without_nginx_a_few_slow_clients_take_every_worker(stack: Stack) -> None:
    # The same trick straight at gunicorn: one unfinished request head per sync worker
    # (and one to spare) and nothing is answered any more. This is what the proxy is for.
    def connect() -> socket.socket:
        connection = socket.socket(socket.AF_UNIX)
        connection.settimeout(HEALTHZ_WITHIN_SECONDS)
        connection.connect(str(stack.gunicorn_socket))
        return connection

    slow = [connect() for _ in range(WORKERS + 1)]
    try:
        for connection in slow:
            connection.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.3)  # idle workers accept within milliseconds
        with connect() as probe:
            probe.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            with pytest.raises(TimeoutError):
                probe.recv(100)
    finally:
        for connection in slow:
            connection.close()
    # Once the slow clients are gone, the workers answer again.
    deadline = time.monotonic() + 5
    while timed_healthz(stack) is None:
        assert time.monotonic() < deadline, "gunicorn did not recover"


def test_one_address_gets_429_beyond_100_requests_at_once(stack: Stack) -> None:
    clients = [
        SlowClient(stack, "127.0.2.1", body=True) for _ in range(REQUESTS_AT_ONCE_PER_ADDRESS)
    ]
    try:
        time.sleep(0.2)  # let nginx read the last heads
        extra = SlowClient(stack, "127.0.2.1", body=True)
        extra.connection.settimeout(HEALTHZ_WITHIN_SECONDS)
        assert read_status(extra.connection) == 429
        extra.close()
        # Another address is not affected.
        assert request(stack, "GET", "/healthz", source="127.0.2.2").status == 200
    finally:
        for client in clients:
            client.close()


def test_static_files_come_from_nginx_with_cache_headers(stack: Stack) -> None:
    answer = request(stack, "GET", "/static/css/app.css")
    assert answer.status == 200
    assert answer.body == (ROOT / "static" / "css" / "app.css").read_bytes()
    assert answer.headers["Cache-Control"] == "public, max-age=3600"
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    versioned = request(stack, "GET", "/static/css/app.css?v=1")
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # A missing file is nginx's own 404: the request never reached the app.
    missing = request(stack, "GET", "/static/css/missing.css")
    assert missing.status == 404
    assert b"<center>nginx</center>" in missing.body
    assert "Content-Security-Policy" not in missing.headers


def test_the_app_sees_https_and_nginx_refuses_bodies_over_256_kib(stack: Stack) -> None:
    login = request(stack, "GET", "/login")
    assert login.status == 200
    # The app knows the request came over HTTPS (X-Forwarded-Proto with PROXY_COUNT=1).
    assert "Strict-Transport-Security" in login.headers
    raw = socket.create_connection(("127.0.0.1", stack.https_port), timeout=5)
    with stack.tls.wrap_socket(raw, server_hostname="127.0.0.1") as connection:
        connection.sendall(
            f"POST /login HTTP/1.1\r\nHost: {HOST_NAME}\r\nConnection: close\r\n"
            f"Content-Length: {256 * 1024 + 1}\r\n\r\n".encode()
        )
        assert read_status(connection) == 413


def test_plain_http_is_redirected_to_https(stack: Stack) -> None:
    answer = request(stack, "GET", "/s/abc?x=1", https=False)
    assert answer.status == 301
    assert answer.headers["Location"] == f"https://{HOST_NAME}/s/abc?x=1"


def test_the_access_log_has_no_client_addresses_and_no_link_tokens(stack: Stack) -> None:
    survey_token, report_token = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
    join_code, password_token = "JCF54BA8", secrets.token_urlsafe(32)
    request(stack, "GET", f"/s/{survey_token}", source="127.0.3.7")
    request(stack, "GET", f"/j/{join_code}", source="127.0.3.7")
    request(stack, "GET", f"/password/{password_token}", source="127.0.3.7")
    request(stack, "GET", f"/r/{report_token}/charts/gaps.svg", source="127.0.3.7")
    log = ""
    deadline = time.monotonic() + 3
    while "/r/-/charts/gaps.svg" not in log and time.monotonic() < deadline:
        log = stack.access_log.read_text()
        time.sleep(0.05)
    assert '"GET /s/-"' in log
    assert '"GET /j/-"' in log and '"GET /password/-"' in log
    assert '"GET /r/-/charts/gaps.svg"' in log
    for token in (survey_token, report_token, join_code, password_token):
        assert token not in log
    assert "127.0." not in log
