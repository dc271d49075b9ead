"""Signing in and out, the login limit, session rules and the ``user`` command."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import insert, select
from sqlalchemy.exc import OperationalError

from survey.auth import throttle
from survey.auth.sessions import SEEN_KEY
from survey.database import BUSY_TIMEOUT_MS
from survey.extensions import db
from survey.models import AuditEvent, User
from survey.services import accounts
from tests.conftest import create_user

PASSWORD = "correct horse battery staple"
WRONG = "not the password at all"
GENERIC_ERROR = "email or password is wrong"


@pytest.fixture
def site(make_app: Any) -> Iterator[Flask]:
    """An app with CSRF on, used without a pushed app context so that every request
    gets its own context (as in production) and the test reads fresh rows."""
    app: Flask = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("ann@example.com", PASSWORD)
        create_user("admin@example.com", PASSWORD, admin=True)
    yield app


def csrf_token(page: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, "the page has no CSRF token"
    return found.group(1)


def sign_in(client: FlaskClient, email: str, password: str, query: str = "", **kwargs: Any) -> Any:
    page = client.get(f"/login{query}", **kwargs).get_data(as_text=True)
    data = {"email": email, "password": password, "csrf_token": csrf_token(page)}
    return client.post(f"/login{query}", data=data, **kwargs)


def audit_rows(app: Flask) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [(event.actor_email, event.action, event.target) for event in events]


def run(app: Flask, *args: str, input: str | None = None) -> Any:
    """``flask --app app <args>``; the real CLI runs each command in an app context."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args), input=input)


def account(app: Flask, email: str) -> User:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        db.session.expunge(user)
        return user


# --- signing in ----------------------------------------------------------------


def test_sign_in_opens_the_workspace_and_is_audited(site: Flask) -> None:
    client = site.test_client()
    response = sign_in(client, "  Ann@Example.COM ", PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/"
    assert client.get("/workspace/").status_code == 200
    assert audit_rows(site) == [("ann@example.com", "login", "ann@example.com")]


def test_signing_in_starts_a_new_session(site: Flask) -> None:
    client = site.test_client()
    page = client.get("/login").get_data(as_text=True)
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
        before = dict(session)
    client.post(
        "/login",
        data={"email": "ann@example.com", "password": PASSWORD, "csrf_token": csrf_token(page)},
    )
    with client.session_transaction() as session:
        after = dict(session)
    assert "planted" not in after
    assert before["csrf_token"] != after.get("csrf_token")
    assert after[SEEN_KEY] >= int(time.time()) - 5


@pytest.mark.parametrize(
    ("email", "password", "target"),
    [
        ("ann@example.com", WRONG, "ann@example.com"),
        ("ANN@example.com", PASSWORD.upper(), "ann@example.com"),
        ("nobody@example.com", PASSWORD, "unknown address"),
        # A password typed into the email field (and again into its own).
        ("Tr0ub4dor&3 secret", "Tr0ub4dor&3 secret", "unknown address"),
        ("Tr0ub4dor&3 secret", WRONG, "unknown address"),
    ],
)
def test_a_failed_sign_in_says_one_thing_and_records_only_an_accounts_address(
    site: Flask, email: str, password: str, target: str
) -> None:
    client = site.test_client()
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert client.get("/workspace/").status_code == 302
    rows = audit_rows(site)
    assert rows == [(None, "login.failed", target)]
    assert all(password not in str(row) for row in rows)
    assert all("secret" not in str(row).lower() for row in rows)


def write_from_another_connection() -> bool:
    """Whether another connection can write at once, as a survey submission would.

    On SQLite it gives up at once instead of waiting for the write lock.
    """
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            connection.exec_driver_sql("PRAGMA busy_timeout=0")
            connection.commit()
        try:
            connection.execute(insert(AuditEvent).values(action="probe", target=""))
            connection.commit()
            wrote = True
        except OperationalError:
            connection.rollback()
            wrote = False
        if sqlite:
            connection.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            connection.commit()
    return wrote


class ProbingHasher:
    """The tests' hasher, which tries a write elsewhere while it checks a password."""

    def __init__(self, inner: PasswordHasher) -> None:
        self.inner = inner
        self.writes: list[bool] = []

    def verify(self, stored: str, password: str) -> bool:
        self.writes.append(write_from_another_connection())
        return self.inner.verify(stored, password)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


@pytest.mark.parametrize(
    ("password", "status", "recorded"),
    [(PASSWORD, 302, ("ann@example.com", "login")), (WRONG, 200, (None, "login.failed"))],
)
def test_checking_the_password_holds_up_no_other_write(
    site: Flask,
    monkeypatch: pytest.MonkeyPatch,
    password: str,
    status: int,
    recorded: tuple[str | None, str],
) -> None:
    hasher = ProbingHasher(accounts._hasher)
    monkeypatch.setattr(accounts, "_hasher", hasher)
    response = sign_in(site.test_client(), "ann@example.com", password)
    assert response.status_code == status
    assert hasher.writes == [True]
    assert audit_rows(site) == [(None, "probe", ""), (*recorded, "ann@example.com")]


def test_a_hash_made_with_older_settings_is_renewed_at_sign_in(site: Flask) -> None:
    # The tests hash with t=1 (see conftest); this account's hash was made with t=2.
    older = PasswordHasher(time_cost=2, memory_cost=8, parallelism=1)
    with site.app_context():
        user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        user.password_hash = older.hash(PASSWORD)
        db.session.commit()
    assert account(site, "ann@example.com").password_hash.startswith("$argon2id$v=19$m=8,t=2,p=1$")

    assert sign_in(site.test_client(), "ann@example.com", PASSWORD).status_code == 302
    renewed = account(site, "ann@example.com").password_hash
    assert renewed.startswith("$argon2id$v=19$m=8,t=1,p=1$")
    assert sign_in(site.test_client(), "ann@example.com", PASSWORD).status_code == 302
    assert account(site, "ann@example.com").password_hash == renewed
    assert [row[1] for row in audit_rows(site)] == ["login", "login"]


def test_a_disabled_account_gets_the_same_message_with_the_right_password(site: Flask) -> None:
    with site.app_context():
        user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        user.is_disabled = True
        db.session.commit()
    client = site.test_client()
    response = sign_in(client, "ann@example.com", PASSWORD)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.get_data(as_text=True)
    assert client.get("/workspace/").status_code == 302


def test_empty_fields_are_named(site: Flask) -> None:
    response = sign_in(site.test_client(), "", "")
    page = response.get_data(as_text=True)
    assert "Enter your email address." in page
    assert "Enter your password." in page
    assert audit_rows(site) == []


@pytest.mark.parametrize(
    ("next_value", "expected"),
    [
        ("/workspace/portfolio", "/workspace/portfolio"),
        ("/admin/audit?page=2", "/admin/audit?page=2"),
        ("https://evil.example", "/workspace/"),
        ("//evil.example", "/workspace/"),
        ("/\\evil.example", "/workspace/"),
        ("/\t/evil.example", "/workspace/"),
        ("javascript:alert(1)", "/workspace/"),
        ("", "/workspace/"),
    ],
)
def test_sign_in_goes_back_only_to_pages_of_this_site(
    site: Flask, next_value: str, expected: str
) -> None:
    client = site.test_client()
    response = sign_in(client, "ann@example.com", PASSWORD, query_string={"next": next_value})
    assert response.status_code == 302
    assert response.headers["Location"] == expected


def test_the_workspace_asks_anonymous_visitors_to_sign_in_and_returns_there(site: Flask) -> None:
    client = site.test_client()
    response = client.get("/workspace/portfolio")
    assert response.status_code == 302
    assert response.headers["Location"] == "/login?next=%2Fworkspace%2Fportfolio"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Please sign in to see this page." in page
    data = {"email": "ann@example.com", "password": PASSWORD, "csrf_token": csrf_token(page)}
    response = client.post(response.headers["Location"], data=data)
    assert response.headers["Location"] == "/workspace/portfolio"


def test_a_signed_in_consultant_visiting_the_login_page_goes_to_the_workspace(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    response = client.get("/login")
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/"


# --- signing out -----------------------------------------------------------------


def test_sign_out_ends_the_session(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    page = client.get("/workspace/").get_data(as_text=True)
    response = client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/login"
    assert "You are signed out." in client.get("/login").get_data(as_text=True)
    assert client.get("/workspace/").status_code == 302
    assert [row[1] for row in audit_rows(site)] == ["login", "logout"]


def copy_of_session(site: Flask, client: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    cookie = client.get_cookie("session")
    assert cookie is not None
    thief = site.test_client()
    thief.set_cookie("session", cookie.value, domain=cookie.domain)
    return thief


def test_a_copied_session_cookie_is_refused_after_sign_out(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    thief = copy_of_session(site, client)
    assert thief.get("/workspace/").status_code == 200
    page = client.get("/workspace/").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})

    response = thief.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    # Every session of the account ended, on every device; signing in again works.
    other_device = site.test_client()
    assert sign_in(other_device, "ann@example.com", PASSWORD).status_code == 302
    assert other_device.get("/workspace/").status_code == 200
    assert thief.get("/workspace/").status_code == 302


def test_a_copied_session_cookie_is_refused_after_a_password_change(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    thief = copy_of_session(site, client)
    assert thief.get("/workspace/").status_code == 200

    new_password = "a brand new passphrase"
    result = run(site, "user", "password", "Ann@Example.com", input=new_password + "\n")
    assert result.exit_code == 0, result.output
    assert "New password set for ann@example.com" in result.output

    assert thief.get("/workspace/").status_code == 302
    assert client.get("/workspace/").status_code == 302
    assert sign_in(site.test_client(), "ann@example.com", PASSWORD).status_code == 200
    assert sign_in(site.test_client(), "ann@example.com", new_password).status_code == 302
    assert (None, "account.password_set", "ann@example.com") in audit_rows(site)


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("ann@example.com", "elevenchars", "at least 12 characters"),
        ("ghost@example.com", PASSWORD + "!", "there is no account for ghost@example.com"),
    ],
)
def test_user_password_refuses_bad_input_and_changes_nothing(
    site: Flask, email: str, password: str, message: str
) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    before = audit_rows(site)
    result = run(site, "user", "password", email, input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "the password was not changed" in result.output
    assert audit_rows(site) == before
    assert client.get("/workspace/").status_code == 200


def test_sign_out_is_not_possible_with_a_link(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/logout").status_code == 405
    assert client.get("/workspace/").status_code == 200


# --- the login limit -------------------------------------------------------------


@pytest.fixture
def limited(make_app: Any) -> Iterator[Flask]:
    app: Flask = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        create_user("ann@example.com", PASSWORD)
    yield app


def attempt(client: FlaskClient, email: str, password: str, address: str) -> int:
    data = {"email": email, "password": password}
    status: int = client.post(
        "/login", data=data, environ_base={"REMOTE_ADDR": address}
    ).status_code
    return status


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The waits the sign-in page adds, recorded instead of slept."""
    recorded: list[float] = []
    monkeypatch.setattr(throttle, "wait", recorded.append)
    return recorded


def test_a_correct_password_from_a_second_address_signs_in_after_five_failures_from_a_first(
    limited: Flask, waits: list[float]
) -> None:
    client = limited.test_client()
    statuses = [attempt(client, "ann@example.com", WRONG, "10.0.0.1") for _ in range(5)]
    assert statuses == [200] * 5
    # The first address is blocked, even with the right password …
    assert attempt(client, "ann@example.com", PASSWORD, "10.0.0.1") == 429
    # … but the account is not: its owner, elsewhere, signs in at once.
    response = limited.test_client().post(
        "/login",
        data={"email": "ANN@example.com", "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/workspace/"
    assert waits == [0.0] * 5


def test_an_account_that_keeps_failing_is_slowed_down_never_refused(
    limited: Flask, waits: list[float]
) -> None:
    client = limited.test_client()
    # Guesses from ten addresses, one each: no address reaches its own limit.
    statuses = [attempt(client, "ann@example.com", WRONG, f"10.0.1.{n}") for n in range(10)]
    assert statuses == [200] * 10
    assert waits == [0.0] * 5 + [0.25, 0.5, 1.0, 2.0, 2.0]
    # However it is typed, it is the same account; still answered, after the longest wait.
    assert attempt(client, " ANN@example.com", WRONG, "10.0.1.99") == 200
    assert waits[-1] == 2.0
    # The right password is never held up.
    assert attempt(limited.test_client(), "ann@example.com", PASSWORD, "10.0.1.100") == 302
    assert len(waits) == 11
    # Other accounts are not slowed down by it.
    assert attempt(limited.test_client(), "other@example.com", WRONG, "10.0.2.1") == 200
    assert waits[-1] == 0.0


def test_the_longest_wait_is_a_setting(make_app: Any, waits: list[float]) -> None:
    app: Flask = make_app(RATELIMIT_ENABLED=True, LOGIN_DELAY_MAX=0.4)
    client = app.test_client()
    for n in range(8):
        attempt(client, "ann@example.com", WRONG, f"10.0.3.{n}")
    assert waits == [0.0] * 5 + [0.25, 0.4, 0.4]


def test_refused_attempts_check_no_password_and_count_nowhere(
    limited: Flask, waits: list[float]
) -> None:
    client = limited.test_client()
    assert [attempt(client, "ann@example.com", WRONG, "10.0.0.5") for _ in range(5)] == [200] * 5
    before = audit_rows(limited)
    refused = [attempt(client, "ann@example.com", WRONG, "10.0.0.5") for _ in range(10)]
    assert refused == [429] * 10
    assert audit_rows(limited) == before  # no password was checked, no failure recorded
    assert waits == [0.0] * 5
    # The account saw five failures, not fifteen: the next one waits the first step only.
    assert attempt(client, "ann@example.com", WRONG, "10.0.0.6") == 200
    assert waits[-1] == 0.25


def test_five_failures_from_one_address_block_it_for_every_email(limited: Flask) -> None:
    client = limited.test_client()
    statuses = [attempt(client, f"guess{n}@example.com", WRONG, "10.0.0.7") for n in range(5)]
    assert statuses == [200] * 5
    assert attempt(client, "ann@example.com", PASSWORD, "10.0.0.7") == 429
    assert attempt(client, "ann@example.com", PASSWORD, "10.0.0.8") == 302


def test_successful_sign_ins_do_not_count(limited: Flask) -> None:
    client = limited.test_client()
    address = "10.0.0.3"
    assert [attempt(client, "ann@example.com", WRONG, address) for _ in range(4)] == [200] * 4
    assert attempt(client, "ann@example.com", PASSWORD, address) == 302
    client.post("/logout", environ_base={"REMOTE_ADDR": address})
    # The fifth failure is still answered; only the sixth is refused.
    assert attempt(client, "ann@example.com", WRONG, address) == 200
    assert attempt(client, "ann@example.com", WRONG, address) == 429


# --- session rules ---------------------------------------------------------------


def session_cookie(response: Any) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]
    assert len(cookies) == 1
    return str(cookies[0])


@pytest.mark.parametrize(
    ("base_url", "secure"),
    [
        ("https://survey.example.org", True),
        ("http://survey.example.org", True),
        ("http://127.0.0.1:5000", False),
        ("http://localhost:5000", False),
    ],
)
def test_session_cookie_flags(make_app: Any, base_url: str, secure: bool) -> None:
    app = make_app(BASE_URL=base_url)
    with app.app_context():
        create_user("ann@example.com", PASSWORD)
    client = app.test_client()
    response = client.post(
        "/login",
        data={"email": "ann@example.com", "password": PASSWORD},
        base_url="https://survey.example.org",
    )
    cookie = session_cookie(response)
    parts = {part.strip().split("=")[0] for part in cookie.split(";")}
    assert {"HttpOnly", "Expires"} <= parts
    assert "SameSite=Lax" in cookie
    assert ("Secure" in parts) is secure


def test_every_request_of_a_signed_in_session_renews_the_cookie(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    response = client.get("/workspace/")
    assert "Expires=" in session_cookie(response)


def test_thirty_idle_minutes_end_the_session(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    with client.session_transaction() as session:
        session[SEEN_KEY] = int(time.time()) - 29 * 60
    assert client.get("/workspace/").status_code == 200
    with client.session_transaction() as session:
        assert session[SEEN_KEY] >= int(time.time()) - 5
        session[SEEN_KEY] = int(time.time()) - 31 * 60
    response = client.get("/workspace/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "signed out after 30 minutes without activity" in page
    assert client.get("/workspace/").status_code == 302


def test_disabling_an_account_ends_its_open_sessions(site: Flask) -> None:
    client = site.test_client()
    sign_in(client, "ann@example.com", PASSWORD)
    assert client.get("/workspace/").status_code == 200
    with site.app_context():
        user = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        assert user is not None
        user.is_disabled = True
        user.session_version += 1
        db.session.commit()
    assert client.get("/workspace/").status_code == 302


# --- the user command ------------------------------------------------------------


def test_user_create_reads_the_password_from_standard_input(site: Flask) -> None:
    result = run(site, "user", "create", "New@Example.com", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert "Created consultant account new@example.com." in result.output
    user = account(site, "new@example.com")
    assert (user.is_admin, user.is_disabled) == (False, False)
    assert sign_in(site.test_client(), "new@example.com", PASSWORD).status_code == 302


def test_user_create_admin(site: Flask) -> None:
    result = run(site, "user", "create", "boss@example.com", "--admin", input=PASSWORD + "\n")
    assert result.exit_code == 0, result.output
    assert account(site, "boss@example.com").is_admin is True


def test_user_create_prompts_twice_on_a_terminal(
    site: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("survey.commands.user._stdin_is_terminal", lambda: True)
    result = run(
        site,
        "user",
        "create",
        "typed@example.com",
        input=f"{PASSWORD}\nsomething else entirely\n{PASSWORD}\n{PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert "Repeat for confirmation" in result.output
    assert "do not match" in result.output
    assert PASSWORD not in result.output
    assert sign_in(site.test_client(), "typed@example.com", PASSWORD).status_code == 302


@pytest.mark.parametrize(
    ("email", "password", "message"),
    [
        ("short@example.com", "elevenchars", "at least 12 characters"),
        ("short@example.com", "", "at least 12 characters"),
        ("ANN@example.com", PASSWORD, "already exists"),
        ("not-an-address", PASSWORD, "is not an email address"),
    ],
)
def test_user_create_refuses_bad_input_and_creates_nothing(
    site: Flask, email: str, password: str, message: str
) -> None:
    before = audit_rows(site)
    result = run(site, "user", "create", email, input=password + "\n")
    assert result.exit_code == 1
    assert message in result.output
    assert "no account was created" in result.output
    with site.app_context():
        emails = db.session.scalars(select(User.email).order_by(User.email)).all()
    assert emails == ["admin@example.com", "ann@example.com"]
    assert audit_rows(site) == before


def test_user_list_disable_and_enable(site: Flask) -> None:
    result = run(site, "user", "list")
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split("\t")[:3] for line in lines] == [
        ["admin@example.com", "admin", "active"],
        ["ann@example.com", "consultant", "active"],
    ]
    version = account(site, "ann@example.com").session_version

    result = run(site, "user", "disable", "Ann@example.com")
    assert result.exit_code == 0, result.output
    assert "ann@example.com is disabled." in result.output
    user = account(site, "ann@example.com")
    assert (user.is_disabled, user.session_version) == (True, version + 1)
    assert "ann@example.com\tconsultant\tdisabled" in run(site, "user", "list").output
    assert sign_in(site.test_client(), "ann@example.com", PASSWORD).status_code == 200

    result = run(site, "user", "enable", "ann@example.com")
    assert result.exit_code == 0, result.output
    user = account(site, "ann@example.com")
    assert (user.is_disabled, user.session_version) == (False, version + 2)
    assert sign_in(site.test_client(), "ann@example.com", PASSWORD).status_code == 302
    actions = [(actor, action, target) for actor, action, target in audit_rows(site)]
    assert (None, "account.disable", "ann@example.com") in actions
    assert (None, "account.enable", "ann@example.com") in actions


def test_user_disable_of_an_unknown_email_is_an_error(site: Flask) -> None:
    result = run(site, "user", "disable", "ghost@example.com")
    assert result.exit_code == 1
    assert "there is no account for ghost@example.com" in result.output
