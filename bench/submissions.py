"""Benchmark: survey submissions per second through gunicorn (2 workers, 16 clients).

Starts ``gunicorn -w 2`` on a fresh SQLite database (or ``--database-url``),
with CSRF on as in production, and lets 16 concurrent clients each play
respondents for a fixed time: open the link, start, answer every item, submit.
Prints completed submissions per second, request latency, the error count, and
checks that every submission a client saw succeed is in the database (0 lost).

Run with ``make bench`` or ``.venv/bin/python -m bench.submissions``. Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import os
import random
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET = "benchmark-secret-key-0123456789abcdef"


@dataclass
class Tally:
    submitted: int = 0
    errors: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Respondent:
    """One browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        data = None
        if body is not None:
            data = urllib.parse.urlencode(body)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        except (http.client.HTTPException, OSError):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            self.connection.request(method, path, body=data, headers=headers)
            response = self.connection.getresponse()
        text = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = http.cookies.SimpleCookie(header)
            for name, morsel in cookie.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), text


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def prepare_database(env: dict[str, str]) -> tuple[int, str, list[str]]:
    """Migrate and create an assessment; returns its id, marketing survey path and item ids."""
    flask = [str(ROOT / ".venv" / "bin" / "flask"), "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    created = subprocess.run(
        [*flask, "assessment", "create", "--org", "Load Test Ltd"],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    import json

    links = json.loads(created.stdout)
    header = subprocess.run(
        [*flask, "responses", "template", str(links["id"])],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    item_ids = header.split(",")[1:]
    path = urllib.parse.urlparse(links["survey_links"]["marketing"]).path
    return int(links["id"]), path, item_ids


def play(
    port: int, survey_path: str, item_ids: list[str], until: float, tally: Tally, seed: int
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        respondent = Respondent(port)
        started = time.perf_counter()
        try:
            status, location, page = respondent.request("GET", survey_path)
            token = CSRF.search(page)
            if status != 200 or token is None:
                raise RuntimeError(f"start page: {status}")
            status, location, page = respondent.request(
                "POST", f"{survey_path}/start", {"csrf_token": token.group(1)}
            )
            while status in (302, 303):
                target = urllib.parse.urlparse(location)
                status, location, page = respondent.request(
                    "GET", f"{target.path}?{target.query}" if target.query else target.path
                )
            token = CSRF.search(page)
            if status != 200 or token is None:
                raise RuntimeError(f"questions page: {status}")
            target = f"{survey_path}/questions"
            answers = {item: str(rng.randint(1, 5)) for item in item_ids}
            status, location, page = respondent.request(
                "POST", target, {"csrf_token": token.group(1), "action": "submit", **answers}
            )
            while status in (302, 303):
                status, location, page = respondent.request(
                    "GET", urllib.parse.urlparse(location).path
                )
            if status != 200:
                raise RuntimeError(f"submit: {status}")
            with tally.lock:
                tally.submitted += 1
                tally.latencies_ms.append((time.perf_counter() - started) * 1000)
        except Exception as error:  # counted and reported, the run goes on
            with tally.lock:
                tally.errors += 1
                if tally.errors <= 3:
                    print(f"  error: {error}", file=sys.stderr)
        finally:
            respondent.connection.close()


def stored_responses(env: dict[str, str], assessment_id: int) -> int:
    code = (
        "from app import create_app; from survey.extensions import db;"
        "from sqlalchemy import text; app = create_app();"
        "ctx = app.app_context(); ctx.push();"
        f"print(db.session.execute(text('select count(*) from response "
        f"where assessment_id = {assessment_id}')).scalar())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    )
    return int(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--database-url", help="default: a new SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as directory:
        port = free_port()
        env = {
            **os.environ,
            "SECRET_KEY": SECRET,
            "DATABASE_URL": args.database_url or f"sqlite:///{Path(directory) / 'bench.sqlite3'}",
            "BASE_URL": f"http://127.0.0.1:{port}",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PYTHONPATH": str(ROOT),
        }
        assessment_id, survey_path, item_ids = prepare_database(env)
        server = subprocess.Popen(
            [
                str(ROOT / ".venv" / "bin" / "gunicorn"),
                "-w",
                str(args.workers),
                "-b",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "app:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        try:
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            tally = Tally()
            started = time.monotonic()
            until = started + args.seconds
            threads = [
                threading.Thread(target=play, args=(port, survey_path, item_ids, until, tally, i))
                for i in range(args.clients)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            elapsed = time.monotonic() - started
        finally:
            server.terminate()
            server.wait(timeout=20)
        stored = stored_responses(env, assessment_id)

    print(
        f"submissions through gunicorn: {args.workers} workers, {args.clients} clients, "
        f"{elapsed:.1f} s"
    )
    print(
        f"  completed respondent flows  {tally.submitted}  "
        f"({tally.submitted / elapsed:.1f} submissions/s; target ≥ 50)"
    )
    if tally.latencies_ms:
        latencies = sorted(tally.latencies_ms)
        print(
            f"  flow latency               median {statistics.median(latencies):.0f} ms, "
            f"p95 {latencies[int(len(latencies) * 0.95) - 1]:.0f} ms"
        )
    print(f"  errors                      {tally.errors} (target 0)")
    print(f"  stored responses            {stored}; lost {tally.submitted - stored} (target 0)")


if __name__ == "__main__":
    main()
