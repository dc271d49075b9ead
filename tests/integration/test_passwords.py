"""Accounts from the browser: an admin makes a consultant and a one-time set-password link;
the link works once and only for a while; a consultant changes their own password, which
ends their other sessions. All of it limited like sign-in."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from survey.extensions import db
from survey.models import AuditEvent, PasswordLink, User
from survey.services import passwords
from tests.conftest import create_user

PASSWORD = "correct horse battery staple"
NEW_PASSWORD = "a different long password"


@pytest.fixture
def site(make_app: Any) -> Iterator[Flask]:
    """An admin and a consultant; no pushed app context, so every request gets its own."""
    app: Flask = make_app()
    with app.app_context():
        create_user("boss@example.com", PASSWORD, admin=True)
        create_user("ann@example.com", PASSWORD)
    yield app


def signed_in(app: Flask, email: str, password: str = PASSWORD) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    return client


def can_sign_in(app: Flask, email: str, password: str) -> bool:
    response = app.test_client().post("/login", data={"email": email, "password": password})
    return response.status_code == 302


def link_from(page: str) -> str:
    found = re.search(r'id="password-link">(http://survey\.test(/password/[^<]+))<', page)
    assert found, "the page shows no set-password link"
    return found.group(2)


def stored_links(app: Flask) -> list[PasswordLink]:
    with app.app_context():
        links = list(db.session.scalars(select(PasswordLink)))
        db.session.expunge_all()
        return links


def audit(app: Flask) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        return [
            (event.actor_email, event.action, event.target)
            for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if not event.action.startswith("log")
        ]


def choose(client: FlaskClient, path: str, password: str, again: str | None = None) -> Any:
    return client.post(
        path, data={"new_password": password, "new_password_again": again or password}
    )


# --- the admin makes an account and its link ----------------------------------------------


def test_an_admin_makes_a_consultant_who_sets_a_password_through_the_link(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    assert 'href="/admin/consultants/new"' in admin.get("/admin/consultants").get_data(as_text=True)
    response = admin.post("/admin/consultants/new", data={"email": " Cleo@Example.com "})
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = response.get_data(as_text=True)
    assert "The account for cleo@example.com is made." in page
    assert "It works once, for 72 hours" in page
    path = link_from(page)

    # Only the SHA-256 of the token is stored, never the token.
    token = path.removeprefix("/password/")
    [link] = stored_links(site)
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(link.__dict__)
    assert (
        dt.timedelta(hours=71)
        < link.expires_at - dt.datetime.now(dt.UTC).replace(tzinfo=None)
        <= dt.timedelta(hours=72)
    )

    # Before the link is used, no password opens the account.
    assert not can_sign_in(site, "cleo@example.com", "")
    visitor = site.test_client()
    form = visitor.get(path)
    assert form.status_code == 200 and "cleo@example.com" in form.get_data(as_text=True)
    assert "The two new passwords are not the same." in choose(
        visitor, path, NEW_PASSWORD, "something else entirely"
    ).get_data(as_text=True)
    assert "at least 12 characters" in choose(visitor, path, "short").get_data(as_text=True)
    response = choose(visitor, path, NEW_PASSWORD)
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert can_sign_in(site, "cleo@example.com", NEW_PASSWORD)

    assert audit(site) == [
        ("boss@example.com", "account.create", "cleo@example.com"),
        ("boss@example.com", "account.password_link", "cleo@example.com"),
        ("cleo@example.com", "account.password_set", "cleo@example.com"),
    ]


def test_a_new_consultant_with_a_taken_or_bad_address_is_refused(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    page = admin.post("/admin/consultants/new", data={"email": "ANN@example.com"})
    assert "There is an account for this address already." in page.get_data(as_text=True)
    page = admin.post("/admin/consultants/new", data={"email": "no address"})
    assert "This is not an email address." in page.get_data(as_text=True)
    assert stored_links(site) == []


def test_an_admin_account_can_be_made_from_the_browser(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    admin.post("/admin/consultants/new", data={"email": "dora@example.com", "admin": "y"})
    with site.app_context():
        dora = db.session.scalar(select(User).where(User.email == "dora@example.com"))
        assert dora is not None and dora.is_admin


# --- the link works once, for a while, and only if it is the right one ----------------------


def issued_link(site: Flask, email: str = "ann@example.com") -> str:
    admin = signed_in(site, "boss@example.com")
    with site.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == email))
    response = admin.post(f"/admin/consultants/{user_id}/password-link")
    assert response.status_code == 200
    return link_from(response.get_data(as_text=True))


def test_a_reused_link_is_refused_with_a_clear_message(site: Flask) -> None:
    path = issued_link(site)
    visitor = site.test_client()
    assert choose(visitor, path, NEW_PASSWORD).status_code == 302
    for again in (visitor.get(path), choose(visitor, path, "yet another long password")):
        assert again.status_code == 410
        assert "was used already" in again.get_data(as_text=True)
    assert can_sign_in(site, "ann@example.com", NEW_PASSWORD)
    assert not can_sign_in(site, "ann@example.com", "yet another long password")


def test_an_expired_link_is_refused(site: Flask) -> None:
    path = issued_link(site)
    with site.app_context():
        db.session.execute(
            update(PasswordLink).values(
                expires_at=dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(minutes=1)
            )
        )
        db.session.commit()
    visitor = site.test_client()
    for attempt in (visitor.get(path), choose(visitor, path, NEW_PASSWORD)):
        assert attempt.status_code == 410
        assert "has expired" in attempt.get_data(as_text=True)
    assert can_sign_in(site, "ann@example.com", PASSWORD)


def test_a_link_expires_after_72_hours(site: Flask) -> None:
    with site.app_context():
        ann = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        boss = db.session.scalar(select(User).where(User.email == "boss@example.com"))
        assert ann is not None and boss is not None
        start = dt.datetime(2026, 11, 30, 9, 0)
        issued = passwords.issue_link(ann.id, actor=boss, now=start)
        soon = start + dt.timedelta(hours=71, minutes=59)
        assert passwords.link_account(issued.token, now=soon).email == "ann@example.com"
        with pytest.raises(passwords.LinkRefused) as refused:
            passwords.link_account(issued.token, now=start + dt.timedelta(hours=72))
        assert refused.value.problem == passwords.LinkProblem.EXPIRED


def test_a_wrong_or_altered_link_is_refused(site: Flask) -> None:
    path = issued_link(site)
    visitor = site.test_client()
    for wrong in (path[:-1], path + "x", "/password/" + "A" * 43):
        response = visitor.get(wrong)
        assert response.status_code == 404
        assert "is not known" in response.get_data(as_text=True)
        assert choose(visitor, wrong, NEW_PASSWORD).status_code == 404
    assert can_sign_in(site, "ann@example.com", PASSWORD)


def test_setting_a_password_ends_the_accounts_sessions_and_its_other_links(site: Flask) -> None:
    ann = signed_in(site, "ann@example.com")
    first, second = issued_link(site), issued_link(site)
    assert choose(site.test_client(), second, NEW_PASSWORD).status_code == 302
    assert ann.get("/workspace/").status_code == 302  # signed out
    assert site.test_client().get(first).status_code == 410  # used up with the other


def test_an_admins_new_link_leaves_the_password_working_until_used(site: Flask) -> None:
    issued_link(site)
    assert can_sign_in(site, "ann@example.com", PASSWORD)


def test_a_disabled_account_cannot_use_its_link(site: Flask) -> None:
    path = issued_link(site)
    admin = signed_in(site, "boss@example.com")
    with site.app_context():
        user_id = db.session.scalar(select(User.id).where(User.email == "ann@example.com"))
    admin.post(f"/admin/consultants/{user_id}/disable")
    assert site.test_client().get(path).status_code == 404


# --- a consultant changes their own password ------------------------------------------------


def change(client: FlaskClient, current: str, new: str = NEW_PASSWORD, **extra: Any) -> Any:
    data = {"current_password": current, "new_password": new, "new_password_again": new}
    return client.post("/account/password", data=data, **extra)


def test_changing_the_password_ends_the_other_sessions_but_not_this_one(site: Flask) -> None:
    here, elsewhere = signed_in(site, "ann@example.com"), signed_in(site, "ann@example.com")
    assert 'href="/account/password"' in here.get("/workspace/").get_data(as_text=True)

    wrong = change(here, "not my password at all")
    assert wrong.status_code == 403
    assert "That is not your current password." in wrong.get_data(as_text=True)
    assert elsewhere.get("/workspace/").status_code == 200

    response = change(here, PASSWORD)
    assert response.status_code == 302
    assert here.get("/workspace/").status_code == 200
    assert elsewhere.get("/workspace/").status_code == 302
    assert can_sign_in(site, "ann@example.com", NEW_PASSWORD)
    assert not can_sign_in(site, "ann@example.com", PASSWORD)
    assert [row for row in audit(site) if row[1].startswith("account")] == [
        ("ann@example.com", "account.password_change", "ann@example.com")
    ]


def test_changing_the_password_needs_a_signed_in_consultant(site: Flask) -> None:
    response = site.test_client().get("/account/password")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# --- limits ------------------------------------------------------------------------------


@pytest.fixture
def limited(make_app: Any) -> Iterator[Flask]:
    app: Flask = make_app(RATELIMIT_ENABLED=True, LOGIN_ATTEMPTS_LIMIT="3 per 15 minutes")
    with app.app_context():
        create_user("boss@example.com", PASSWORD, admin=True)
        create_user("ann@example.com", PASSWORD)
    yield app


def test_guessing_links_is_limited_per_address(limited: Flask) -> None:
    client = limited.test_client()
    here = {"REMOTE_ADDR": "10.0.0.5"}
    statuses = [client.get(f"/password/guess-{n}", environ_base=here).status_code for n in range(4)]
    assert statuses == [404, 404, 404, 429]
    other = client.get("/password/guess-x", environ_base={"REMOTE_ADDR": "10.0.0.6"})
    assert other.status_code == 404


def test_guessing_the_current_password_is_limited(limited: Flask) -> None:
    ann = signed_in(limited, "ann@example.com")
    statuses = [change(ann, f"guess number {n}").status_code for n in range(4)]
    assert statuses == [403, 403, 403, 429]
    assert can_sign_in(limited, "ann@example.com", PASSWORD)
