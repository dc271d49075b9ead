"""The admin pages: who may see them, the consultant list, disabling accounts, the audit log."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Organisation, User
from tests.conftest import (
    add_responses,
    create_assessment,
    create_organisation,
    create_user,
    uniform_answers,
)

PASSWORD = "correct horse battery staple"


@pytest.fixture
def site(make_app: Any) -> Iterator[Flask]:
    """An admin, two consultants (one running two organisations); no pushed app context,
    so every request gets its own, as in production."""
    app: Flask = make_app()
    with app.app_context():
        create_user("boss@example.com", PASSWORD, admin=True)
        ann = create_user("ann@example.com", PASSWORD)
        create_user("bob@example.com", PASSWORD)
        create_organisation("Acme", ann)
        create_organisation("Globex", ann)
    yield app


def signed_in(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def user_id(app: Flask, email: str) -> int:
    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == email))
        assert found is not None
        return found


def status(app: Flask, email: str) -> tuple[bool, int]:
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user is not None
        return user.is_disabled, user.session_version


def audit_actions(app: Flask) -> list[tuple[str | None, str, str]]:
    with app.app_context():
        events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
        return [
            (e.actor_email, e.action, e.target) for e in events if not e.action.startswith("log")
        ]


def table_rows(page: str) -> list[list[str]]:
    body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S)
    cells = [re.findall(r"<td[^>]*>(.*?)</td>", row, flags=re.S) for row in rows]
    return [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in row] for row in cells]


# --- who may see the admin pages ------------------------------------------------------


def admin_urls(app: Flask, target_id: int) -> list[tuple[str, str]]:
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin"):
            continue
        path = rule.rule.replace("<int:user_id>", str(target_id))
        assert "<" not in path, f"no test value for {rule.rule}"
        urls.extend((method, path) for method in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_only_admins_see_the_admin_pages(site: Flask) -> None:
    target = user_id(site, "bob@example.com")
    urls = admin_urls(site, target)
    assert len(urls) >= 4
    anonymous = site.test_client()
    consultant = signed_in(site, "ann@example.com")
    for method, path in urls:
        response = anonymous.open(path, method=method)
        assert response.status_code == 302, (method, path)
        assert response.headers["Location"].startswith("/login?next="), (method, path)
        assert consultant.open(path, method=method).status_code == 404, (method, path)
    assert status(site, "bob@example.com") == (False, 1)
    admin = signed_in(site, "boss@example.com")
    assert admin.get("/admin/consultants").status_code == 200
    assert admin.get("/admin/").headers["Location"] == "/admin/consultants"


def test_the_header_links_to_admin_for_admins_only(site: Flask) -> None:
    assert 'href="/admin/consultants"' in signed_in(site, "boss@example.com").get(
        "/workspace/"
    ).get_data(as_text=True)
    assert "/admin/" not in signed_in(site, "ann@example.com").get("/workspace/").get_data(
        as_text=True
    )


# --- the consultant list --------------------------------------------------------------


def test_the_consultant_list(site: Flask) -> None:
    with site.app_context():
        bob = db.session.scalar(select(User).where(User.email == "bob@example.com"))
        assert bob is not None
        bob.is_disabled = True
        bob.created_on = dt.date(2024, 2, 29)
        db.session.commit()
    page = signed_in(site, "boss@example.com").get("/admin/consultants").get_data(as_text=True)
    today = dt.datetime.now(dt.UTC).date().isoformat()
    assert table_rows(page) == [
        [
            "ann@example.com",
            "Consultant",
            "Active",
            today,
            "2",
            "Set-password link ann@example.com Disable ann@example.com",
        ],
        ["bob@example.com", "Consultant", "Disabled", "2024-02-29", "0", "Enable bob@example.com"],
        [
            "boss@example.com",
            "Admin",
            "Active",
            today,
            "0",
            "Set-password link boss@example.com This is you",
        ],
    ]


def test_an_email_with_markup_is_shown_as_text(site: Flask) -> None:
    with site.app_context():
        create_user("<b>x</b>@example.com", PASSWORD)
    page = signed_in(site, "boss@example.com").get("/admin/consultants").get_data(as_text=True)
    assert "&lt;b&gt;x&lt;/b&gt;@example.com" in page
    assert "<b>x</b>" not in page


# --- disabling and enabling -----------------------------------------------------------


def test_disabling_signs_the_consultant_out_and_keeps_them_out(site: Flask) -> None:
    ann = signed_in(site, "ann@example.com")
    assert ann.get("/workspace/").status_code == 200
    admin = signed_in(site, "boss@example.com")
    target = user_id(site, "ann@example.com")

    response = admin.post(f"/admin/consultants/{target}/disable")
    assert response.status_code == 302
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "ann@example.com is disabled and signed out." in page
    assert status(site, "ann@example.com") == (True, 2)
    assert ann.get("/workspace/").status_code == 302
    refused = site.test_client().post(
        "/login", data={"email": "ann@example.com", "password": PASSWORD}
    )
    assert "email or password is wrong" in refused.get_data(as_text=True)

    response = admin.post(f"/admin/consultants/{target}/enable")
    assert "ann@example.com can sign in again." in admin.get(response.headers["Location"]).get_data(
        as_text=True
    )
    assert status(site, "ann@example.com") == (False, 3)
    signed_in(site, "ann@example.com")
    assert audit_actions(site) == [
        ("boss@example.com", "account.disable", "ann@example.com"),
        ("boss@example.com", "account.enable", "ann@example.com"),
    ]


def test_the_data_of_a_disabled_consultant_stays(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    admin.post(f"/admin/consultants/{user_id(site, 'ann@example.com')}/disable")
    rows = table_rows(admin.get("/admin/consultants").get_data(as_text=True))
    assert rows[0][:5] == ["ann@example.com", "Consultant", "Disabled", rows[0][3], "2"]


def test_an_admin_cannot_disable_themselves(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    response = admin.post(f"/admin/consultants/{user_id(site, 'boss@example.com')}/disable")
    page = admin.get(response.headers["Location"]).get_data(as_text=True)
    assert "You cannot disable your own account. Nothing was changed." in page
    assert status(site, "boss@example.com") == (False, 1)
    assert admin.get("/admin/consultants").status_code == 200
    assert audit_actions(site) == []


def test_enabling_an_active_account_changes_nothing(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    admin.post(f"/admin/consultants/{user_id(site, 'bob@example.com')}/enable")
    assert status(site, "bob@example.com") == (False, 1)
    assert audit_actions(site) == []


def test_an_unknown_account_is_not_found(site: Flask) -> None:
    admin = signed_in(site, "boss@example.com")
    assert admin.post("/admin/consultants/999999/disable").status_code == 404


def test_disabling_needs_a_csrf_token(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        create_user("boss@example.com", PASSWORD, admin=True)
        target = create_user("ann@example.com", PASSWORD).id
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    data = {"email": "boss@example.com", "password": PASSWORD, "csrf_token": token.group(1)}
    assert client.post("/login", data=data).status_code == 302
    response = client.post(f"/admin/consultants/{target}/disable")
    assert response.status_code == 400
    assert "This form has expired" in response.get_data(as_text=True)
    assert status(app, "ann@example.com") == (False, 1)
    page = client.get("/admin/consultants").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert token
    response = client.post(
        f"/admin/consultants/{target}/disable", data={"csrf_token": token.group(1)}
    )
    assert response.status_code == 302
    assert status(app, "ann@example.com") == (True, 2)


# --- the audit log --------------------------------------------------------------------


def test_the_audit_log_shows_newest_first_a_hundred_per_page(site: Flask) -> None:
    start = dt.datetime(2025, 1, 1, 8, 0, 0)
    with site.app_context():
        db.session.add_all(
            AuditEvent(
                at=start + dt.timedelta(minutes=n),
                actor_email="ann@example.com",
                action="organisation.create",
                target=f"organisation {n}",
            )
            for n in range(1, 151)
        )
        db.session.commit()
    admin = site.test_client()
    # Signing in is recorded too, at the current time: it is the newest event.
    admin.post("/login", data={"email": "boss@example.com", "password": PASSWORD})

    first = admin.get("/admin/audit").get_data(as_text=True)
    rows = table_rows(first)
    assert len(rows) == 100
    assert rows[0][1:] == ["boss@example.com", "login", "boss@example.com"]
    assert rows[1] == [
        "2025-01-01 10:30:00",
        "ann@example.com",
        "organisation.create",
        "organisation 150",
    ]
    assert rows[99][3] == "organisation 52"
    assert "Page 1 of 2" in first
    assert 'href="/admin/audit?page=2"' in first

    second = admin.get("/admin/audit?page=2").get_data(as_text=True)
    rows = table_rows(second)
    assert [row[3] for row in rows] == [f"organisation {n}" for n in range(51, 0, -1)]
    assert rows[-1][0] == "2025-01-01 08:01:00"
    assert 'href="/admin/audit?page=1"' in second
    assert admin.get("/admin/audit?page=3").status_code == 404
    assert admin.get("/admin/audit?page=0").status_code == 404


def test_failed_sign_ins_appear_without_an_actor(site: Flask) -> None:
    site.test_client().post("/login", data={"email": "ann@example.com", "password": "guess"})
    admin = signed_in(site, "boss@example.com")
    rows = table_rows(admin.get("/admin/audit").get_data(as_text=True))
    assert [row[1:] for row in rows] == [
        ["boss@example.com", "login", "boss@example.com"],
        ["—", "login.failed", "ann@example.com"],
    ]
    assert "guess" not in str(rows)


def test_the_audit_log_names_waves_and_organisations_by_id_only(
    site: Flask, tmp_path: Path
) -> None:
    """The command line's events too: once a client is deleted, its name must be gone."""
    with site.app_context():
        runner = site.test_cli_runner()
        result = runner.invoke(
            args=["assessment", "create", "--org", "Secret Client Ltd", "--wave", "Nightingale"]
        )
        assert result.exit_code == 0, result.output
        wave = json.loads(result.stdout)["id"]
        for command in ("close", "open"):
            result = runner.invoke(args=["assessment", command, str(wave)])
            assert result.exit_code == 0, result.output
        header = runner.invoke(args=["responses", "template", str(wave)]).stdout.strip()
        # 3 for every statement; the funnel's stage columns left empty ("don't know")
        cells = ["" if name.startswith("funnel:") else "3" for name in header.split(",")[1:]]
        path = tmp_path / "answers.csv"
        path.write_text(f"{header}\nsales,{','.join(cells)}\n", encoding="utf-8")
        result = runner.invoke(args=["responses", "import", str(wave), str(path)])
        assert result.exit_code == 0, result.output
        result = runner.invoke(args=["demo"])
        assert result.exit_code == 0, result.output
        demo = db.session.scalar(
            select(Organisation.id).where(Organisation.name == "Northwind Demo")
        )

    assert audit_actions(site) == [
        (None, "assessment.create", f"assessment {wave}"),
        (None, "assessment.close", f"assessment {wave}"),
        (None, "assessment.reopen", f"assessment {wave}"),
        (None, "responses.import", f"1 response into assessment {wave}"),
        (None, "demo.create", f"organisation {demo}"),
    ]
    # The admin still reads who did what to which object, and when.
    page = signed_in(site, "boss@example.com").get("/admin/audit").get_data(as_text=True)
    rows = table_rows(page)
    assert [row[1:] for row in rows[1:]] == [
        ["—", "demo.create", f"organisation {demo}"],
        ["—", "responses.import", f"1 response into assessment {wave}"],
        ["—", "assessment.reopen", f"assessment {wave}"],
        ["—", "assessment.close", f"assessment {wave}"],
        ["—", "assessment.create", f"assessment {wave}"],
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", row[0]) for row in rows)
    for name in ("Secret Client", "Nightingale", "Northwind", "Baseline"):
        assert name not in page


def test_survey_answers_never_reach_the_audit_log(site: Flask, make_app: Any) -> None:
    with site.app_context():
        owner = db.session.scalar(select(User).where(User.email == "ann@example.com"))
        assessment = create_assessment(create_organisation("Initech", owner), threshold=1)
        token = assessment.sales_token
        before = db.session.scalar(select(func.count()).select_from(AuditEvent))
        add_responses(assessment, "marketing", uniform_answers(2), count=3)
        item_ids = list(uniform_answers(2))
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before

    # The same through the survey pages: the questions, every one answered, sent.
    respondent = site.test_client()
    assert respondent.post(f"/s/{token}/start").status_code == 303
    answers = dict.fromkeys(item_ids, "4")
    response = respondent.post(
        f"/s/{token}/questions", data={**answers, "action": "submit"}, follow_redirects=True
    )
    assert response.status_code == 200
    with site.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == before

    # And as the admin reads it: no row names a response or an answer.
    page = signed_in(site, "boss@example.com").get("/admin/audit").get_data(as_text=True)
    for row in table_rows(page):
        assert "response" not in " ".join(row).lower()
        assert not any(item_id in " ".join(row) for item_id in item_ids)
