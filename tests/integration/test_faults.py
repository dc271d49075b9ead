"""When the database goes away, fills up or hangs: answers are kept, nothing is lost, it is said.

A full disk is the driver's own error for it, raised on every write. PostgreSQL tests need
``TEST_DATABASE_URL`` on PostgreSQL; they cut connections with a small TCP relay of
their own, or with ``pg_terminate_backend`` on their own database only.
"""

from __future__ import annotations

import contextlib
import html
import json
import logging
import os
import re
import secrets
import selectors
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
import psycopg
import pytest
from flask import Flask, request
from sqlalchemy import event, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from werkzeug.datastructures import MultiDict

from survey import config, database
from survey.database import COMMITTED
from survey.extensions import db
from survey.faults import Fault, classify
from survey.models import Organisation, Response, User
from tests.conftest import FIXTURE_BANK, FIXTURE_DEMO, ROOT, create_assessment, uniform_answers

HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def on_postgresql(app: Flask) -> bool:
    with app.app_context():
        return db.engine.dialect.name == "postgresql"


def hidden_fields(page: str) -> list[tuple[str, str]]:
    return [(html.unescape(name), html.unescape(value)) for name, value in HIDDEN.findall(page)]


# --- engine options ------------------------------------------------------------------


def test_engine_options_come_from_the_settings(make_app: Any) -> None:
    app = make_app(
        DATABASE_POOL_SIZE=3,
        DATABASE_MAX_OVERFLOW=1,
        DATABASE_POOL_RECYCLE=0,
        SQLALCHEMY_ENGINE_OPTIONS={"pool_timeout": 7},
    )
    with app.app_context():
        pool = db.engine.pool
        assert pool._pre_ping is True  # a connection dropped in the pool is replaced
        assert (pool.size(), pool._max_overflow, pool._recycle, pool._timeout) == (3, 1, -1, 7)
        assert db.engine.hide_parameters is True  # no answers in logged statements


@pytest.mark.parametrize(
    ("variable", "raw", "message"),
    [
        ("SQLALCHEMY_ENGINE_OPTIONS", "pool_size=3", "must be a JSON object"),
        ("SQLALCHEMY_ENGINE_OPTIONS", "[1, 2]", "must be a JSON object"),
        ("DATABASE_STATEMENT_TIMEOUT", "soon", "must be a number from 0 to 25 (seconds"),
        ("DATABASE_POOL_SIZE", "ten", "must be a whole number from 1 to 1000"),
    ],
)
def test_a_malformed_database_setting_is_named_in_one_line(
    variable: str, raw: str, message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(variable, raw)
    with pytest.raises(config.ConfigError) as raised:
        config.load()
    assert str(raised.value.message).startswith(f"{variable}={raw!r}")
    assert message in raised.value.message
    assert "\n" not in raised.value.message


@pytest.mark.parametrize(
    ("setting", "value"),
    [
        ("DATABASE_STATEMENT_TIMEOUT", 30),
        ("DATABASE_BUSY_TIMEOUT", 60),
        ("DATABASE_CONNECT_TIMEOUT", 0),
        ("DATABASE_POOL_SIZE", 0),
        ("RATELIMIT_STORAGE_TIMEOUT", 5),
        ("LOGIN_DELAY_MAX", 10),
        ("WEB_CONCURRENCY", 0),
        ("LOG_LEVEL", "LOUD"),
    ],
)
def test_a_database_or_limit_setting_out_of_range_stops_the_app(
    make_app: Any, setting: str, value: Any
) -> None:
    with pytest.raises(config.ConfigError, match=f"^{setting}="):
        make_app(**{setting: value})


def test_sqlite_waits_for_locks_within_a_request_and_keeps_its_log_small(make_app: Any) -> None:
    app = make_app(DATABASE_BUSY_TIMEOUT=2.5)
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 2500
            limit = connection.exec_driver_sql("PRAGMA journal_size_limit").scalar()
            assert limit == database.JOURNAL_SIZE_LIMIT


def test_sqlite_truncates_its_log_after_a_batch_of_writes(
    make_app: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database, "CHECKPOINT_EVERY_WRITES", 5)
    app = make_app()
    client = app.test_client(user=signed_in_user(app))
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        log = Path(str(db.engine.url.database) + "-wal")
    for n in range(4):
        assert client.post("/workspace/organisations/new", data={"name": f"Org {n}"}).status_code
    assert log.stat().st_size > 0
    assert client.post("/workspace/organisations/new", data={"name": "Org 4"}).status_code
    assert log.stat().st_size == 0


def signed_in_user(app: Flask) -> User:
    with app.app_context():
        user = User(email="ada@example.com", password_hash="unused")
        db.session.add(user)
        db.session.commit()
        db.session.refresh(user)
        db.session.expunge(user)
        return user


# --- a full disk -----------------------------------------------------------------------


@contextlib.contextmanager
def full_disk(app: Flask) -> Iterator[None]:
    """Every write fails as on a full disk: the driver's own error, raised before the
    statement reaches the database (SQLite: "database or disk is full"; PostgreSQL:
    DiskFull, SQLSTATE 53100)."""

    def refuse(_connection: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            if db.engine.dialect.name == "postgresql":
                raise psycopg.errors.DiskFull("could not extend file: No space left on device")
            raise sqlite3.OperationalError("database or disk is full")

    with app.app_context():
        engine = db.engine
        event.listen(engine, "before_cursor_execute", refuse)
    try:
        yield
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


@pytest.fixture
def site(make_app: Any) -> Flask:
    app: Flask = make_app()
    return app


def test_a_full_disk_keeps_the_answers_in_the_page_until_they_can_be_saved(
    site: Flask, caplog: pytest.LogCaptureFixture
) -> None:
    app = site
    with app.app_context():
        token = create_assessment(threshold=1).marketing_token
        answers = {item: str(value) for item, value in uniform_answers(4).items() if value}
    client = app.test_client()
    assert client.post(f"/s/{token}/start").status_code == 303
    # Enough answers that the response cannot fit in the pages the file already has.
    with full_disk(app), caplog.at_level(logging.ERROR, logger="survey.errors"):
        response = client.post(f"/s/{token}/questions", data={**answers, "action": "submit"})
        page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "60"
    assert response.headers["Cache-Control"] == "no-store"
    assert "We could not save this right now" in page
    assert "try again in a minute" in page
    kept = dict(hidden_fields(page))
    assert {name: kept.get(name) for name in answers} == answers
    assert kept["action"] == "submit"
    [logged] = [record for record in caplog.records if record.name == "survey.errors"]
    assert logged.levelno == logging.ERROR
    assert logged.getMessage().startswith(f"database disk full on POST /s/{token}/questions: ")
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 0

    # A minute later there is room: "Try again" sends the same answers once more.
    form = re.search(r'<form method="post" action="([^"]+)">', page)
    assert form is not None
    again = client.post(html.unescape(form.group(1)), data=MultiDict(hidden_fields(page)))
    assert again.status_code == 303
    with app.app_context():
        assert db.session.scalar(select(func.count(Response.id))) == 1


def test_a_full_disk_answers_the_autosave_and_the_api_in_json(site: Flask) -> None:
    app = site
    user = signed_in_user(app)
    client = app.test_client(user=user)
    with full_disk(app):
        response = client.post(
            "/workspace/organisations/new",
            data={"name": "Acme"},
            headers={"Accept": "application/json"},
        )
    assert response.status_code == 503
    body = response.get_json()
    assert body["retry_after"] == 60
    assert "could not save this right now" in body["reason"]
    with full_disk(app):
        page = client.post("/workspace/organisations/new", data={"name": "Acme <b>"})
    assert page.status_code == 503
    text_of_page = page.get_data(as_text=True)
    assert '<input type="hidden" name="name" value="Acme &lt;b&gt;">' in text_of_page
    with app.app_context():
        assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_a_sign_in_that_cannot_be_recorded_never_writes_the_password_into_the_page(
    site: Flask,
) -> None:
    app = site
    with app.app_context():
        from tests.conftest import create_user

        create_user("ann@example.com", "correct horse battery staple")
    with full_disk(app):
        response = app.test_client().post(
            "/login", data={"email": "ann@example.com", "password": "correct horse battery staple"}
        )
    assert response.status_code == 503
    page = response.get_data(as_text=True)
    assert "correct horse battery staple" not in page
    assert ("email", "ann@example.com") in hidden_fields(page)


# --- a connection cut under a request --------------------------------------------------


def dropped_connection() -> OperationalError:
    return OperationalError(
        "SELECT 1", None, Exception("server closed the connection"), connection_invalidated=True
    )


def test_a_request_whose_connection_dropped_before_any_commit_is_run_again(
    make_app: Any,
) -> None:
    app: Flask = make_app()
    calls: list[bytes] = []

    def flaky() -> str:
        calls.append(request.get_data())
        if len(calls) == 1:
            raise dropped_connection()
        return "saved"

    app.add_url_rule("/test-only-flaky", "flaky", flaky, methods=["POST"])
    response = app.test_client().post("/test-only-flaky", data=b"the same body")
    assert (response.status_code, response.get_data(as_text=True)) == (200, "saved")
    assert calls == [b"the same body", b"the same body"]


def test_a_request_that_already_sent_a_commit_is_never_run_twice(make_app: Any) -> None:
    app: Flask = make_app()
    calls: list[int] = []

    def committed_then_dropped() -> str:
        calls.append(1)
        request.environ[COMMITTED] = True  # what the engine's commit event records
        raise dropped_connection()

    app.add_url_rule("/test-only-committed", "committed", committed_then_dropped)
    response = app.test_client().get("/test-only-committed")
    assert response.status_code == 503
    assert calls == [1]


def test_faults_are_told_apart_from_the_drivers_codes() -> None:
    class Driver(Exception):
        def __init__(self, message: str, sqlstate: str = "") -> None:
            super().__init__(message)
            self.sqlstate = sqlstate

    def error(message: str, sqlstate: str = "") -> OperationalError:
        return OperationalError("x", None, Driver(message, sqlstate))

    assert classify(error("database or disk is full")) is Fault.DISK_FULL
    assert classify(error("could not extend file", "53100")) is Fault.DISK_FULL
    assert classify(error("canceling statement", "57014")) is Fault.TIMEOUT
    assert classify(error("database is locked")) is Fault.LOCKED
    assert classify(error("cannot execute INSERT", "25006")) is Fault.READ_ONLY
    assert classify(error("connection refused")) is Fault.UNREACHABLE


# --- readiness -------------------------------------------------------------------------


def test_readyz_checks_the_database_the_disk_and_the_limit_store(make_app: Any) -> None:
    app: Flask = make_app(RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379")
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.get_json() == {
        "status": "ready",
        "checks": {"database": "ok", "limit_store": "ok", "disk": "ok"},
    }
    assert response.headers["Cache-Control"] == "no-store"
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}


def test_readyz_names_a_low_disk_and_an_unreachable_limit_store(make_app: Any) -> None:
    app: Flask = make_app(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://:limit-secret@127.0.0.1:1",
        READYZ_MIN_FREE_MB=10**9,
    )
    response = app.test_client().get("/readyz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["failing"] == ["limit_store", "disk"]
    assert body["checks"] == {"database": "ok", "limit_store": "unreachable", "disk": "low"}
    assert "limit-secret" not in response.get_data(as_text=True)
    # Liveness does not depend on any of them.
    assert app.test_client().get("/healthz").status_code == 200


def test_readyz_says_the_database_is_unreachable_without_its_address(make_app: Any) -> None:
    closed = free_port()
    app: Flask = make_app()
    unreachable = make_app(
        SQLALCHEMY_DATABASE_URI=f"postgresql+psycopg://survey:db-secret@127.0.0.1:{closed}/x"
    )
    response = unreachable.test_client().get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["failing"] == ["database"]
    assert response.get_json()["checks"]["database"] == "unreachable"
    assert "db-secret" not in response.get_data(as_text=True)
    assert str(closed) not in response.get_data(as_text=True)
    # Every page says to come back in a minute, in the page's language of choice.
    page = unreachable.test_client().get("/s/a-survey-link")
    assert page.status_code == 503
    assert "Please try again in a minute" in page.get_data(as_text=True)
    assert app.test_client().get("/readyz").status_code == 200


def test_sqlite_readiness_fails_while_another_connection_holds_the_write_lock(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    from survey.services import readiness

    monkeypatch.setattr(readiness, "PROBE_TIMEOUT_MS", 50)
    with site.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("SQLite only")
        path = str(db.engine.url.database)

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        response = site.test_client().get("/readyz")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.get_json()["checks"]["database"] == "busy"
    assert site.test_client().get("/readyz").status_code == 200


# --- PostgreSQL: a relay that can be cut, timeouts -------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class Relay:
    """A TCP relay to the database that the test can cut (refusing new connections and
    dropping open ones) and mend again, on the same port."""

    def __init__(self, target: tuple[str, int]) -> None:
        self.target = target
        self.port = free_port()
        self.sockets: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def start(self) -> None:
        listener = socket.socket()
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", self.port))
        listener.listen()
        listener.settimeout(0.1)
        self.listener = listener
        self.stopping.clear()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        assert self.listener is not None
        while not self.stopping.is_set():
            try:
                client, _ = self.listener.accept()
            except OSError:
                continue
            upstream = socket.create_connection(self.target)
            self.sockets += [client, upstream]
            threading.Thread(target=self._pump, args=(client, upstream), daemon=True).start()

    def _pump(self, one: socket.socket, other: socket.socket) -> None:
        selector = selectors.DefaultSelector()
        selector.register(one, selectors.EVENT_READ, other)
        selector.register(other, selectors.EVENT_READ, one)
        try:
            while not self.stopping.is_set():
                for key, _ in selector.select(timeout=0.1):
                    data = key.fileobj.recv(65536)  # type: ignore[union-attr]
                    if not data:
                        return
                    key.data.sendall(data)
        except OSError:
            return
        finally:
            selector.close()
            one.close()
            other.close()

    def cut(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join()
        if self.listener is not None:
            self.listener.close()
        for connection in self.sockets:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()
        self.sockets.clear()


@pytest.fixture
def postgresql_url(make_app: Any) -> str:
    app: Flask = make_app()
    if not on_postgresql(app):
        pytest.skip("TEST_DATABASE_URL does not point at PostgreSQL")
    return str(app.config["SQLALCHEMY_DATABASE_URI"])


def test_readyz_answers_503_while_the_database_is_unreachable_and_200_after(
    make_app: Any, postgresql_url: str
) -> None:
    url = make_url(postgresql_url)
    relay = Relay((url.host or "127.0.0.1", url.port or 5432))
    relay.start()
    try:
        through_relay = url.set(host="127.0.0.1", port=relay.port)
        app: Flask = make_app(
            SQLALCHEMY_DATABASE_URI=through_relay.render_as_string(hide_password=False),
            DATABASE_CONNECT_TIMEOUT=2,
        )
        client = app.test_client()
        assert client.get("/readyz").status_code == 200
        relay.cut()
        down = client.get("/readyz")
        assert down.status_code == 503
        assert down.get_json()["failing"] == ["database"]
        assert client.get("/s/a-survey-link").status_code == 503
        relay.start()
        assert client.get("/readyz").status_code == 200
        assert client.get("/readyz").get_json()["status"] == "ready"
    finally:
        relay.cut()


def test_a_hanging_database_gets_the_503_page_within_the_connect_timeout(
    make_app: Any, postgresql_url: str
) -> None:
    silent = socket.create_server(("127.0.0.1", 0))  # accepts, never answers
    try:
        hanging = make_url(postgresql_url).set(host="127.0.0.1", port=silent.getsockname()[1])
        app: Flask = make_app(
            SQLALCHEMY_DATABASE_URI=hanging.render_as_string(hide_password=False),
            DATABASE_CONNECT_TIMEOUT=2,
        )
        response = app.test_client().get("/readyz")
        assert response.status_code == 503
        assert response.get_json()["checks"]["database"] in {"unreachable", "timed out"}
    finally:
        silent.close()


def test_a_statement_times_out_inside_a_request_but_not_in_a_command(
    make_app: Any, postgresql_url: str
) -> None:
    app: Flask = make_app(DATABASE_STATEMENT_TIMEOUT=0.5)
    with app.test_request_context("/"):
        with pytest.raises(OperationalError) as raised:
            db.session.execute(text("SELECT pg_sleep(1)"))
        assert classify(raised.value) is Fault.TIMEOUT
        db.session.remove()
    with app.app_context():
        # The same pooled connection, now outside a request: a long migration or import
        # is not cut short.
        assert db.session.execute(text("SELECT pg_sleep(0.7), 1")).all()[0][1] == 1
        db.session.remove()


# --- PostgreSQL: every pooled backend terminated during a run of submissions -----------

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Browser:
    """One respondent: a keep-alive connection and its cookies."""

    def __init__(self, port: int) -> None:
        import http.client

        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> Any:
        import http.cookies

        headers = {"Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        page = response.read().decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in http.cookies.SimpleCookie(header).items():
                if morsel["max-age"] == "0":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return response.status, response.headers.get("Location", ""), page

    def follow(self, status: int, location: str, page: str) -> tuple[int, str, str]:
        while status in (302, 303):
            target = urllib.parse.urlsplit(location)
            path = f"{target.path}?{target.query}" if target.query else target.path
            status, location, page = self.request("GET", path)
        return status, location, page

    def respond(self, token: str, answers: dict[str, str]) -> None:
        status, _, page = self.request("GET", f"/s/{token}")
        found = CSRF.search(page)
        assert status == 200 and found, f"start page: {status}"
        status, _, page = self.follow(
            *self.request("POST", f"/s/{token}/start", {"csrf_token": found.group(1)})
        )
        found = CSRF.search(page)
        assert status == 200 and found, f"first page: {status}"
        form = {"csrf_token": found.group(1), "action": "submit", **answers}
        status, _, page = self.follow(*self.request("POST", f"/s/{token}/questions", form))
        assert status == 200, f"submit: {status}"


def terminate_backends(conninfo: str, stop: threading.Event, kills: list[int]) -> None:
    """Every second, end every other connection to this test's own database: far more
    often than a restarted server or a failover would."""
    with psycopg.connect(conninfo, autocommit=True) as connection:
        while not stop.wait(1.0):
            ended = connection.execute(
                "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            ).fetchone()
            kills.append(int(ended[0]) if ended else 0)


def test_terminating_every_pooled_backend_during_submissions_loses_nothing(
    make_app: Any, postgresql_url: str, tmp_path: Path
) -> None:
    app: Flask = make_app()
    with app.app_context():
        assessment = create_assessment(threshold=1)
        token, assessment_id = assessment.marketing_token, assessment.id
        answers = {item: str(value) for item, value in uniform_answers(4).items() if value}
        db.session.remove()
        db.engine.dispose()
    port = free_port()
    keep = {"PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "VIRTUAL_ENV"}
    env = {name: value for name, value in os.environ.items() if name in keep}
    env.update(
        SECRET_KEY=secrets.token_urlsafe(48),
        DATABASE_URL=postgresql_url,
        BASE_URL=f"http://127.0.0.1:{port}",
        BANK_PATH=str(FIXTURE_BANK),
        DEMO_PATH=str(FIXTURE_DEMO),
        SURVEY_RESPONSE_LIMIT="100000 per minute",
        WEB_CONCURRENCY="2",
        PYTHONDONTWRITEBYTECODE="1",
    )
    output = tmp_path / "gunicorn.log"
    with output.open("w") as log:
        server = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "--workers=2",
                f"--bind=127.0.0.1:{port}",
                "--graceful-timeout=2",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        wait_for(port, server, output)
        stop = threading.Event()
        kills: list[int] = []
        sent: list[int] = []
        errors: list[str] = []
        conninfo = make_url(postgresql_url).set(drivername="postgresql")
        killer = threading.Thread(
            target=terminate_backends,
            args=(conninfo.render_as_string(hide_password=False), stop, kills),
        )

        def respondent() -> None:
            while not stop.is_set():
                try:
                    Browser(port).respond(token, answers)
                    sent.append(1)
                except Exception as error:  # counted: the test wants none
                    errors.append(repr(error))

        clients = [threading.Thread(target=respondent) for _ in range(4)]
        killer.start()
        for thread in clients:
            thread.start()
        time.sleep(8)
        stop.set()
        for thread in [*clients, killer]:
            thread.join(timeout=30)
    finally:
        server.terminate()
        server.wait(timeout=10)
    with psycopg.connect(conninfo.render_as_string(hide_password=False)) as connection:
        stored = connection.execute(
            "SELECT count(*) FROM response WHERE assessment_id = %s", (assessment_id,)
        ).fetchone()
    retried = output.read_text().count("running it again")
    print(
        f"backend kills: {sum(kills)} in {len(kills)} rounds; submissions: {len(sent)}; "
        f"errors: {len(errors)}; stored: {stored[0] if stored else None}; "
        f"requests run again: {retried}"
    )
    assert errors == []
    assert len(sent) >= 4
    assert sum(kills) >= 10, "the pool's connections were not terminated"
    assert stored is not None and stored[0] == len(sent)


def wait_for(port: int, server: subprocess.Popen[bytes], output: Path) -> None:
    import urllib.request

    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"gunicorn stopped:\n{output.read_text()}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail(f"gunicorn did not answer within 20 s:\n{output.read_text()}")


def test_log_lines_are_json_with_masked_paths_and_no_addresses(
    make_app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    app: Flask = make_app(LOG_TO_STDOUT=True, PROXY_COUNT=1)

    def fail(token: str) -> str:
        app.logger.warning("looked up /s/secret-survey-token/questions and /r/report-token")
        return "ok"

    app.add_url_rule("/s/<token>/test-only-log", "test_only_log", fail)
    try:
        response = app.test_client().get(
            "/s/secret-survey-token/test-only-log?next=x",
            headers={"X-Request-ID": "abc123def456", "X-Forwarded-For": "203.0.113.9"},
            environ_base={"REMOTE_ADDR": "10.1.2.3"},
        )
        assert response.headers["X-Request-ID"] == "abc123def456"
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    finally:
        logging.getLogger().handlers[:] = [
            handler
            for handler in logging.getLogger().handlers
            if handler.get_name() != "survey-json"
        ]
    [line] = [line for line in lines if "looked up" in line["message"]]
    assert line["message"] == "looked up /s/-/questions and /r/-"
    assert line["level"] == "WARNING"
    assert line["request_id"] == "abc123def456"
    assert line["path"] == "/s/-/test-only-log"
    everything = json.dumps(lines)
    for secret in ("secret-survey-token", "report-token", "203.0.113.9", "10.1.2.3", "next=x"):
        assert secret not in everything
    # Without a trusted proxy, a client's own request id is not taken over.
    plain: Flask = make_app()
    own = plain.test_client().get("/healthz", headers={"X-Request-ID": "abc123def456"})
    assert re.fullmatch(r"[0-9a-f]{32}", own.headers["X-Request-ID"])


def test_a_commands_log_lines_go_to_standard_error(
    make_app: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    """`flask … bank export > bank.json`: the output of a command stays what it exports."""
    with click.Context(click.Command("export")):  # as the flask command line builds the app
        app: Flask = make_app(LOG_TO_STDOUT=True)
    try:
        app.logger.warning("while exporting")
        captured = capsys.readouterr()
    finally:
        logging.getLogger().handlers[:] = [
            handler
            for handler in logging.getLogger().handlers
            if handler.get_name() != "survey-json"
        ]
    assert "while exporting" not in captured.out
    [line] = [json.loads(line) for line in captured.err.splitlines() if "while exporting" in line]
    assert line["level"] == "WARNING"
