"""App-wide security: headers on every response, CSRF on every POST, GETs that change
nothing, request size, and the refusal to start without a real secret key.

The route lists come from ``app.url_map``, so routes added later are checked too.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask, url_for
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.routing import Rule

from survey.extensions import db
from survey.models import ActionItem, Comment
from survey.services import accounts, passwords
from survey.services.banks import bank_of
from tests.conftest import (
    add_responses,
    create_assessment,
    create_organisation,
    create_user,
    uniform_answers,
)

ROOT = Path(__file__).resolve().parents[2]
OWNER = "owner@example.com"
VICTIM = "victim@example.com"
PASSWORD = "correct horse battery staple"
CSRF_MESSAGE = "This form has expired or was sent from somewhere else"
CRAWL_LIMIT = 200


@pytest.fixture(autouse=True)
def quick_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Argon2 at its lowest cost: these tests sign in often, and do not test the hash."""
    quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", quick)
    monkeypatch.setattr(accounts, "_dummy_hash", quick.hash("only for timing"))


# --- helpers ---------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """Real objects to put into URLs: an admin's client with a placed wave, and another
    consultant."""

    organisation_id: int
    organisation_name: str
    assessment_id: int
    survey_token: str
    report_token: str
    victim_id: int
    item_ids: tuple[str, ...]
    action_item_id: int
    move_id: str
    join_code: str
    password_token: str
    comment_id: str


def build_world(app: Flask) -> World:
    with app.app_context():
        owner = accounts.find_account(OWNER) or create_user(OWNER, PASSWORD, admin=True)
        victim = accounts.find_account(VICTIM) or create_user(VICTIM, PASSWORD)
        organisation = create_organisation("Acme Ltd", owner)
        assessment = create_assessment(organisation, threshold=1)
        answers = uniform_answers(4)
        add_responses(assessment, "marketing", answers)
        add_responses(assessment, "sales", answers)
        move_id = bank_of(assessment).moves[0].id
        action_item = ActionItem(assessment_id=assessment.id, move_id=move_id)
        db.session.add(action_item)
        comment = Comment(
            assessment_id=assessment.id, side="sales", text="Meet us more often.", release_group=1
        )
        db.session.add(comment)
        db.session.commit()
        link = passwords.issue_link(victim.id, actor=owner)
        return World(
            organisation_id=organisation.id,
            organisation_name=organisation.name,
            assessment_id=assessment.id,
            survey_token=assessment.marketing_token,
            report_token=assessment.report_token,
            victim_id=victim.id,
            item_ids=tuple(answers),
            action_item_id=action_item.id,
            move_id=move_id,
            join_code=assessment.marketing_join_code or "",
            password_token=link.token,
            comment_id=comment.id,
        )


def url_values(rule: Rule, world: World) -> dict[str, Any]:
    """Values for the URL's parts, taken from ``world``."""
    values: dict[str, Any] = {}
    for argument in sorted(rule.arguments):
        if argument == "organisation_id":
            values[argument] = world.organisation_id
        elif argument == "assessment_id":
            values[argument] = world.assessment_id
        elif argument == "user_id":
            values[argument] = world.victim_id
        elif argument == "token" and rule.rule.startswith("/s/"):
            values[argument] = world.survey_token
        elif argument == "token" and rule.rule.startswith("/r/"):
            values[argument] = world.report_token
        elif argument == "token" and rule.rule.startswith("/password/"):
            values[argument] = world.password_token
        elif argument == "code" and rule.rule.startswith("/j/"):
            values[argument] = world.join_code
        elif argument == "item_id":
            values[argument] = world.action_item_id
        elif argument == "comment_id":
            values[argument] = world.comment_id
        elif argument == "step":
            values[argument] = 1
        elif argument == "kind":
            values[argument] = "png"
        elif argument == "side":
            values[argument] = "marketing"
        elif argument == "name":
            values[argument] = "gaps"
        elif argument == "filename":
            values[argument] = "css/app.css"
        else:
            pytest.fail(f"test_security.url_values needs a value for <{argument}> of {rule.rule}")
    return values


def url_of(app: Flask, rule: Rule, world: World) -> str:
    with app.test_request_context():
        return url_for(rule.endpoint, **url_values(rule, world))


def rules_with(app: Flask, method: str) -> list[Rule]:
    return sorted(
        (rule for rule in app.url_map.iter_rules() if method in (rule.methods or ())),
        key=lambda rule: rule.rule,
    )


def snapshot(app: Flask) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, read on a connection of its own."""
    with app.app_context(), db.engine.connect() as connection:
        return {
            table.name: sorted(
                (tuple(row._mapping.items()) for row in connection.execute(select(table))),
                key=repr,
            )
            for table in db.metadata.sorted_tables
        }


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, *, with_csrf: bool) -> None:
    data = {"email": OWNER, "password": PASSWORD}
    if with_csrf:
        data["csrf_token"] = csrf_token(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data=data).status_code == 302


def start_survey(client: FlaskClient, world: World) -> None:
    """Open a draft of the survey, so that the survey's POSTs have answers to change."""
    page = client.get(f"/s/{world.survey_token}").get_data(as_text=True)
    response = client.post(f"/s/{world.survey_token}/start", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 303


def form_payload(world: World) -> dict[str, str]:
    """Fields that every form of the app accepts as a valid submission, so that a POST
    would change something if its CSRF token were not checked."""
    return {
        "name": "Sent from another site",
        "confirm_name": world.organisation_name,
        "confirm": "y",
        "threshold": "5",
        "identifiable_confirmed": "y",
        "action": "submit",
        "email": OWNER,
        "password": PASSWORD,
        "current_password": PASSWORD,
        "new_password": PASSWORD,
        "new_password_again": PASSWORD,
        "move": world.move_id,
        "status": "done",
        **dict.fromkeys(world.item_ids, "4"),
    }


def assert_security_headers(response: Any, label: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert policy, f"{label}: no Content-Security-Policy"
    assert "unsafe-inline" not in policy, f"{label}: {policy}"
    assert "frame-ancestors 'self'" in policy, label
    assert headers.get("X-Content-Type-Options") == "nosniff", label
    assert headers.get("Referrer-Policy"), label


# --- CSRF ------------------------------------------------------------------------------


def test_every_post_route_refuses_a_missing_or_wrong_csrf_token(make_app: Any) -> None:
    app: Flask = make_app(WTF_CSRF_ENABLED=True)
    world = build_world(app)
    client = app.test_client()
    sign_in(client, with_csrf=True)
    start_survey(client, world)
    # A token that is valid, but for another visitor's session: what an attacker has.
    attacker_token = csrf_token(app.test_client().get("/login").get_data(as_text=True))
    payload = form_payload(world)

    rules = rules_with(app, "POST")
    paths = {rule.rule for rule in rules}
    assert {"/login", "/logout", "/admin/consultants/<int:user_id>/disable"} <= paths
    assert any(path.startswith("/workspace/") for path in paths)
    assert any(path.startswith("/s/") for path in paths)

    attempts = {
        "no token": ({}, {}),
        "wrong token": ({"csrf_token": "not-a-token"}, {}),
        "another visitor's token": ({"csrf_token": attacker_token}, {}),
        "wrong header": ({}, {"X-CSRFToken": "not-a-token"}),
    }
    before = snapshot(app)
    problems = []
    for rule in rules:
        url = url_of(app, rule, world)
        for label, (extra, headers) in attempts.items():
            response = client.post(url, data={**payload, **extra}, headers=headers)
            text = response.get_data(as_text=True)
            if response.status_code != 400 or CSRF_MESSAGE not in text:
                problems.append(f"POST {url} with {label}: {response.status_code}")
    assert problems == []
    assert snapshot(app) == before
    assert client.get("/workspace/").status_code == 200  # the refused /logout did nothing


def test_the_csrf_payload_would_change_things_with_a_valid_token(make_app: Any) -> None:
    """The control for the test above: the same requests with the session's own token get
    through, and most of them change what is stored."""
    app: Flask = make_app(WTF_CSRF_ENABLED=True)
    rules = rules_with(app, "POST")
    changed = []
    problems = []
    for rule in rules:
        world = build_world(app)  # fresh objects: the previous POST may have deleted them
        client = app.test_client()
        sign_in(client, with_csrf=True)
        start_survey(client, world)
        token = csrf_token(client.get("/workspace/").get_data(as_text=True))
        url = url_of(app, rule, world)
        before = snapshot(app)
        response = client.post(url, data={**form_payload(world), "csrf_token": token})
        if response.status_code == 400 or CSRF_MESSAGE in response.get_data(as_text=True):
            problems.append(f"POST {url}: {response.status_code}")
        if snapshot(app) != before:
            changed.append(rule.rule)
    assert problems == []
    assert len(changed) * 4 >= len(rules) * 3, changed


# --- GET changes nothing ---------------------------------------------------------------


def test_no_get_request_changes_what_is_stored(make_app: Any) -> None:
    app: Flask = make_app()
    world = build_world(app)
    signed_in = app.test_client()
    sign_in(signed_in, with_csrf=False)
    anonymous = app.test_client()
    rules = rules_with(app, "GET")
    assert len(rules) >= 10
    problems = []
    for rule in rules:
        url = url_of(app, rule, world)
        for who, client in (("signed in", signed_in), ("anonymous", anonymous)):
            before = snapshot(app)
            response = client.get(url)
            response.close()
            status = response.status_code
            # Not even an audit event: anything worth recording is a POST.
            if snapshot(app) != before:
                problems.append(f"GET {url} ({who}, {status}) changed rows")
            if status >= 500:
                problems.append(f"GET {url} ({who}): {status}")
    assert problems == []


# --- headers ---------------------------------------------------------------------------


class LinkParser(HTMLParser):
    """Collects ``href``/``src`` links and what the Content-Security-Policy would block."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.inline: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("href", "src"):
            if values.get(name):
                self.links.append(str(values[name]))
        if tag == "style":
            self.inline.append("<style> block")
        if tag == "script" and not values.get("src"):
            self._in_script = True
        for name in values:
            if name == "style" or name.startswith("on"):
                self.inline.append(f"{name}= attribute on <{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline.append("inline <script>")


def same_site_path(base: str, link: str) -> str | None:
    absolute = urljoin(f"http://survey.test{base}", link)
    parts = urlsplit(absolute)
    if parts.scheme not in ("http", "https") or parts.netloc != "survey.test":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def crawl(client: FlaskClient, starts: list[str], seen: set[str]) -> list[str]:
    """Visit ``starts`` and every same-site link found; check each response's headers."""
    problems: list[str] = []
    queue = list(starts)
    while queue and len(seen) < CRAWL_LIMIT:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        # Only pages are read for links; a download (a PNG QR code) is not text.
        body = response.get_data(as_text=True) if response.mimetype == "text/html" else ""
        response.close()
        assert_security_headers(response, f"GET {path} ({response.status_code})")
        if response.status_code >= 400:
            problems.append(f"GET {path}: {response.status_code}")
        links = []
        if "Location" in response.headers:
            links.append(response.headers["Location"])
        if response.mimetype == "text/html":
            parser = LinkParser()
            parser.feed(body)
            links.extend(parser.links)
            problems.extend(f"{path}: {what}" for what in sorted(set(parser.inline)))
        for link in links:
            target = same_site_path(path, link)
            if target is not None and target not in seen:
                queue.append(target)
    return problems


def test_every_page_reachable_by_links_carries_the_security_headers(make_app: Any) -> None:
    app: Flask = make_app()
    world = build_world(app)
    seen: set[str] = set()
    anonymous = app.test_client()
    problems = crawl(
        anonymous, ["/", "/login", f"/s/{world.survey_token}", f"/r/{world.report_token}"], seen
    )
    signed_in = app.test_client()
    sign_in(signed_in, with_csrf=False)
    problems += crawl(signed_in, ["/workspace/", "/admin/consultants"], seen)
    assert problems == []
    assert len(seen) >= 20
    for expected in ("/static/css/app.css", f"/s/{world.survey_token}", "/admin/audit"):
        assert expected in seen


def test_error_static_and_json_responses_carry_the_security_headers(make_app: Any) -> None:
    app: Flask = make_app(TESTING=False, RATELIMIT_ENABLED=True, LOGIN_ATTEMPTS_LIMIT="1/minute")

    def fail() -> str:
        raise RuntimeError("a bug")

    app.add_url_rule("/test-only-failure", "test_only_failure", fail)
    client = app.test_client()
    responses = {
        "page": client.get("/"),
        "not found": client.get("/no-such-page"),
        "not found under the API": client.get("/api/v1/assessments/999999"),
        "method not allowed": client.get("/logout"),
        "static file": client.get("/static/css/app.css"),
        "JSON": client.get("/healthz"),
        "too large": client.post("/login", data={"email": "x" * 300_000}),
        "failure": client.get("/test-only-failure"),
        "redirect": client.get("/workspace/"),
    }
    client.post("/login", data={"email": "a@example.com", "password": "wrong password"})
    responses["too many"] = client.post("/login", data={"email": "a@example.com", "password": "x"})
    csrf_app: Flask = make_app(WTF_CSRF_ENABLED=True)
    responses["CSRF"] = csrf_app.test_client().post("/login", data={"email": "a@example.com"})

    statuses = {label: response.status_code for label, response in responses.items()}
    assert statuses == {
        "page": 200,
        "not found": 404,
        "not found under the API": 401,
        "method not allowed": 405,
        "static file": 200,
        "JSON": 200,
        "too large": 413,
        "failure": 500,
        "redirect": 302,
        "too many": 429,
        "CSRF": 400,
    }
    for label, response in responses.items():
        assert_security_headers(response, label)
        response.close()
    assert responses["JSON"].mimetype == "application/json"
    assert "Something went wrong on our side" in responses["failure"].get_data(as_text=True)


def test_pages_with_links_or_client_data_are_never_stored(make_app: Any) -> None:
    app: Flask = make_app()
    world = build_world(app)
    client = app.test_client()
    sign_in(client, with_csrf=False)
    assessment = f"/workspace/assessments/{world.assessment_id}"
    paths = [
        "/workspace/",
        "/workspace/portfolio",
        f"/workspace/organisations/{world.organisation_id}",
        assessment,
        f"{assessment}/live",
        f"{assessment}/qr/marketing.svg",
        f"/workspace/organisations/{world.organisation_id}/charts/trend.svg",
        "/admin/consultants",
        "/admin/audit",
        f"/r/{world.report_token}",
        f"/s/{world.survey_token}",
    ]
    stored = []
    for path in paths:
        response = client.get(path)
        response.close()
        assert response.status_code == 200, path
        if "no-store" not in response.headers.get("Cache-Control", ""):
            stored.append(f"{path}: {response.headers.get('Cache-Control')}")
    assert stored == []


def test_requests_over_the_size_limit_are_refused(client: FlaskClient) -> None:
    response = client.post(
        "/login", data={"email": "a@example.com", "password": "p" * (256 * 1024 + 1)}
    )
    assert response.status_code == 413
    assert "What you sent is too large." in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/login", "/static/css/app.css", "/healthz"])
def test_hsts_only_over_https(client: FlaskClient, path: str) -> None:
    secure = client.get(path, base_url="https://survey.test")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    plain = client.get(path, base_url="http://survey.test")
    assert "Strict-Transport-Security" not in plain.headers
    secure.close()
    plain.close()


# --- the secret key --------------------------------------------------------------------


def flask_command(*args: str, **environment: str) -> subprocess.CompletedProcess[str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"SECRET_KEY", "FLASK_DEBUG", "FLASK_APP", "DATABASE_URL"}
    }
    env.update(environment)
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )


@pytest.fixture
def secret_less_env() -> Iterator[None]:
    # The commands must not pick up a key from instance/config.py either.
    assert (
        not (ROOT / "instance" / "config.py").exists()
        or "SECRET_KEY" not in (ROOT / "instance" / "config.py").read_text()
    )
    yield


@pytest.mark.parametrize(
    "command", [("routes",), ("run", "--host", "127.0.0.1", "--port", "0", "--no-reload")]
)
def test_the_app_refuses_to_start_without_a_secret_key(
    secret_less_env: None, command: tuple[str, ...]
) -> None:
    result = flask_command(*command)
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert "SECRET_KEY" in last_line
    assert "at least 32 bytes" in last_line


def test_the_app_starts_with_a_secret_key_of_32_bytes(secret_less_env: None) -> None:
    result = flask_command("routes", SECRET_KEY="k" * 32)
    assert result.returncode == 0, result.stderr
    assert "auth.login" in result.stdout
