"""Benchmark: a respondent's requests beside a bare insert endpoint, on the same gunicorn.

Starts ``gunicorn -w 2`` on a fresh SQLite database (or ``--database-url``), with
CSRF on as in production, serving the product plus one benchmark-only endpoint that
stores a response and its answers with nothing else (``bench.flow_app``). Then, in
alternating phases of the same length, 16 concurrent clients either

* play whole respondents: the start page, "Start" (POST), the first page of
  statements, and sending every answer (POST) — then the thank-you page it leads to;
* or post the same answers to the bare insert endpoint, one request each.

Prints per-request latency (median, p95) of each of the respondent's four requests and
of the bare endpoint, submissions per second, the error count, and checks that every
submission a client saw succeed is in the database (0 lost).

Target (issue 12): the respondent's median per request ≤ 1.5× the bare endpoint's;
0 errors, 0 lost. Run with ``make bench`` or ``.venv/bin/python -m bench.submissions``.
Not a test.
"""

from __future__ import annotations

import argparse
import http.client
import http.cookies
import json
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
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SECRET = "benchmark-secret-key-0123456789abcdef"
#: The respondent's four requests, in order, then where sending leads.
STEPS = ("start page", "start (POST)", "statements page", "send (POST)")


@dataclass
class Tally:
    submitted: int = 0
    bare: int = 0
    errors: int = 0
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def took(self, step: str, started: float) -> None:
        with self.lock:
            self.latencies_ms[step].append((time.perf_counter() - started) * 1000)


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

    def timed(
        self, tally: Tally, step: str, method: str, path: str, body: dict[str, str] | None = None
    ) -> tuple[int, str, str]:
        started = time.perf_counter()
        answer = self.request(method, path, body)
        tally.took(step, started)
        return answer


def local_path(location: str) -> str:
    target = urllib.parse.urlparse(location)
    return f"{target.path}?{target.query}" if target.query else target.path


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


def respond(respondent: Respondent, tally: Tally, survey: str, answers: dict[str, str]) -> None:
    status, _location, page = respondent.timed(tally, STEPS[0], "GET", survey)
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"start page: {status}")
    status, location, page = respondent.timed(
        tally, STEPS[1], "POST", f"{survey}/start", {"csrf_token": token.group(1)}
    )
    if status != 303:
        raise RuntimeError(f"start: {status}")
    status, _location, page = respondent.timed(tally, STEPS[2], "GET", local_path(location))
    token = CSRF.search(page)
    if status != 200 or token is None:
        raise RuntimeError(f"statements page: {status}")
    status, location, page = respondent.timed(
        tally,
        STEPS[3],
        "POST",
        f"{survey}/questions",
        {"csrf_token": token.group(1), "action": "submit", **answers},
    )
    if status != 303 or "/thanks" not in location:
        raise RuntimeError(f"send: {status} {location}")
    status, _location, page = respondent.timed(tally, "thank-you page", "GET", local_path(location))
    if status != 200:
        raise RuntimeError(f"thank-you page: {status}")


def play(
    port: int,
    target: str,
    item_ids: list[str],
    until: float,
    tally: Tally,
    seed: int,
    *,
    bare: bool,
) -> None:
    rng = random.Random(seed)
    while time.monotonic() < until:
        respondent = Respondent(port)
        answers = {item: str(rng.randint(1, 5)) for item in item_ids}
        try:
            if bare:
                status, _location, _page = respondent.timed(
                    tally, "bare insert (POST)", "POST", target, answers
                )
                if status != 204:
                    raise RuntimeError(f"bare insert: {status}")
                with tally.lock:
                    tally.bare += 1
            else:
                respond(respondent, tally, target, answers)
                with tally.lock:
                    tally.submitted += 1
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


def run_phase(
    port: int,
    target: str,
    item_ids: list[str],
    seconds: float,
    clients: int,
    tally: Tally,
    *,
    bare: bool,
) -> float:
    started = time.monotonic()
    until = started + seconds
    threads = [
        threading.Thread(
            target=play, args=(port, target, item_ids, until, tally, i), kwargs={"bare": bare}
        )
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.monotonic() - started


def describe(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
    return (
        f"  {label:<22} median {statistics.median(ordered):6.1f} ms   p95 {p95:6.1f} ms"
        f"   (n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=10, help="per phase")
    parser.add_argument("--rounds", type=int, default=2, help="flow and bare phases each")
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
            # Every client comes from 127.0.0.1: lift the per-address limit on new responses.
            "SURVEY_RESPONSE_LIMIT": "1000000 per minute",
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
                "bench.flow_app:create_app()",
            ],
            env=env,
            cwd=ROOT,
        )
        flow, bare = Tally(), Tally()
        elapsed = {"flow": 0.0, "bare": 0.0}
        try:
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            warm = Tally()  # every worker renders each page once before anything is timed
            run_phase(port, survey_path, item_ids, 2, args.workers * 2, warm, bare=False)
            for _round in range(args.rounds):  # interleaved: both see the same machine
                elapsed["flow"] += run_phase(
                    port, survey_path, item_ids, args.seconds, args.clients, flow, bare=False
                )
                elapsed["bare"] += run_phase(
                    port,
                    f"/bench/bare-insert/{assessment_id}",
                    item_ids,
                    args.seconds,
                    args.clients,
                    bare,
                    bare=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=20)
        stored = stored_responses(env, assessment_id)
        expected = warm.submitted + flow.submitted + bare.bare

    database = "PostgreSQL" if args.database_url else "SQLite"
    print(
        f"{database}, gunicorn {args.workers} workers, {args.clients} clients, "
        f"{args.rounds} × {args.seconds:.0f} s of each, interleaved"
    )
    print("per request (whole respondent flow, CSRF on)")
    for step in (*STEPS, "thank-you page"):
        print(describe(step, flow.latencies_ms[step]))
    four = [ms for step in STEPS for ms in flow.latencies_ms[step]]
    print(describe("all four requests", four))
    print(describe("bare insert (POST)", bare.latencies_ms["bare insert (POST)"]))
    ratio = statistics.median(four) / statistics.median(bare.latencies_ms["bare insert (POST)"])
    print(f"  respondent's median per request / bare insert's: {ratio:.2f}× (target ≤ 1.5×)")
    send = statistics.median(flow.latencies_ms[STEPS[3]])
    print(
        f"  sending alone / bare insert: "
        f"{send / statistics.median(bare.latencies_ms['bare insert (POST)']):.2f}×"
    )
    print(
        f"  submissions/s: respondents {flow.submitted / elapsed['flow']:.1f} "
        f"(whole flows), bare inserts {bare.bare / elapsed['bare']:.1f}"
    )
    print(f"  errors {flow.errors + bare.errors} (target 0)")
    print(f"  stored responses {stored}; lost {expected - stored} (target 0)")


if __name__ == "__main__":
    main()
