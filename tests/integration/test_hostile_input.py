"""Whatever a consultant types as a name comes back as text on every page, never as markup."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ElementTree
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import func, select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import MapAdapter

from survey.extensions import db
from survey.models import Assessment, Organisation, User
from tests.conftest import add_responses, uniform_answers

RIGHT_TO_LEFT_OVERRIDE = "\u202e"

HOSTILE_NAMES = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(1)",
    "' onmouseover='x",
    "{{7*7}}",
    "{% raw %}x{{ config }}",
    "--><svg onload=alert(1)>",
    "50% & $x^2$ \\frac{1}{2}",
    "n" * 200,
    "شركة الأمل للتجارة",
    "北京销售有限公司",
    "Rocket 🚀 Ventures 👩‍💼",
    f"Acme {RIGHT_TO_LEFT_OVERRIDE}gnp.exe",
]
#: Characters that are markup in HTML and must only ever appear escaped.
MARKUP = re.compile(r"[<>\"'&]")
#: In SVG text, quotes are harmless; these are not.
XML_MARKUP = re.compile(r"[<&]")
LABEL_START = 30


def fetch(client: FlaskClient, url: str) -> Any:
    return client.get(url)


def html_of(client: FlaskClient, url: str) -> str:
    response = fetch(client, url)
    assert response.status_code == 200, f"{url}: {response.status_code}"
    assert response.mimetype == "text/html"
    return str(response.get_data(as_text=True))


def assert_shown_as_text(html: str, name: str, where: str) -> None:
    if MARKUP.search(name):
        assert name not in html, f"{where}: {name!r} appears unescaped"
    assert str(escape(name)) in html, f"{where}: {name!r} is missing"
    # Template syntax in a name is shown, never run.
    if "{{7*7}}" in name:
        assert "{{7*7}}" in html and ">49<" not in html


def assert_harmless_svg(svg: bytes, name: str, where: str) -> None:
    text = svg.decode()
    tree = ElementTree.fromstring(text)  # well-formed: nothing broke out of a label
    for element in tree.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        assert tag not in {"script", "img", "foreignObject"}, f"{where}: <{tag}> in the SVG"
        assert not any(attribute.lower().startswith("on") for attribute in element.attrib)
    if XML_MARKUP.search(name):
        assert name not in text, f"{where}: {name!r} appears unescaped"
    # Long names are shortened in charts; the start of the name is there, as text.
    assert xml_escape(name[:LABEL_START]) in text, f"{where}: {name!r} is missing"


@pytest.fixture
def consultant_client(app: Flask) -> FlaskClient:
    # Signed in through Flask-Login's test client: no password (and no slow hashing) needed.
    user = User(email="ada@example.com", password_hash="unused")
    db.session.add(user)
    db.session.commit()
    return app.test_client(user=user)


def create_through_the_forms(client: FlaskClient, name: str) -> tuple[Organisation, Assessment]:
    """An organisation and a placed wave, both called ``name``, made as a consultant would."""
    response = client.post("/workspace/organisations/new", data={"name": name})
    assert response.status_code == 302
    organisation = db.session.scalars(
        select(Organisation).order_by(Organisation.id.desc()).limit(1)
    ).one()
    assert organisation.name == name
    response = client.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={"name": name, "threshold": "1", "identifiable_confirmed": "y"},
    )
    assert response.status_code == 302
    assessment = organisation.assessments[-1]
    assert assessment.name == name
    add_responses(assessment, "marketing", uniform_answers(3))
    add_responses(assessment, "sales", uniform_answers(4))
    return organisation, assessment


def test_hostile_names_are_escaped_everywhere(app: Flask, consultant_client: FlaskClient) -> None:
    client = consultant_client
    anonymous = app.test_client()
    created = [(name, *create_through_the_forms(client, name)) for name in HOSTILE_NAMES]

    # Pages that list every organisation.
    for where, url in {"home": "/workspace/", "portfolio": "/workspace/portfolio"}.items():
        html = html_of(client, url)
        for name, _, _ in created:
            assert_shown_as_text(html, name, where)
    portfolio_chart = fetch(client, "/workspace/portfolio/chart.svg")
    assert portfolio_chart.mimetype == "image/svg+xml"
    for name, _, _ in created:
        assert_harmless_svg(portfolio_chart.data, name, "portfolio chart")

    for name, organisation, assessment in created:
        pages = {
            "organisation": f"/workspace/organisations/{organisation.id}",
            "delete confirmation": f"/workspace/organisations/{organisation.id}/delete",
            "new wave": f"/workspace/organisations/{organisation.id}/assessments/new",
            "assessment": f"/workspace/assessments/{assessment.id}",
            "live": f"/workspace/assessments/{assessment.id}/live",
        }
        for where, url in pages.items():
            assert_shown_as_text(html_of(client, url), name, where)

        # The pages for leaders and respondents, opened without signing in.
        report = html_of(anonymous, f"/r/{assessment.report_token}")
        assert_shown_as_text(report, name, "report")
        start = html_of(anonymous, f"/s/{assessment.marketing_token}")
        assert_shown_as_text(start, name, "survey start")

        trend = fetch(client, f"/workspace/organisations/{organisation.id}/charts/trend.svg")
        assert trend.status_code == 200 and trend.mimetype == "image/svg+xml"
        assert_harmless_svg(trend.data, name, "trend chart")

        # The export (a POST): plain JSON strings, and a file name that is safe anywhere.
        export = client.post(f"/workspace/organisations/{organisation.id}/export.json")
        data = export.get_json()
        assert data["organisation"]["name"] == name
        assert [wave["name"] for wave in data["waves"]] == [name]
        filename = export.headers["Content-Disposition"].removeprefix("attachment; filename=")
        assert re.fullmatch(r"[a-z0-9-]+-export\.json", filename), filename
        assert len(filename) <= 80


def test_a_bidi_override_is_kept_inside_its_name(consultant_client: FlaskClient) -> None:
    name = f"Acme {RIGHT_TO_LEFT_OVERRIDE}gnp.exe"
    consultant_client.post("/workspace/organisations/new", data={"name": name})
    html = html_of(consultant_client, "/workspace/")
    # Isolated, so the override cannot flip the text that follows the name.
    assert f"<bdi>{name}</bdi>" in html


def test_a_javascript_name_never_becomes_a_link(consultant_client: FlaskClient) -> None:
    consultant_client.post("/workspace/organisations/new", data={"name": "javascript:alert(1)"})
    for url in ("/workspace/", "/workspace/portfolio"):
        html = html_of(consultant_client, url)
        assert "javascript:alert(1)" in html
        assert 'href="javascript:' not in html
        assert 'src="javascript:' not in html


# --- numbers and bytes no column can hold --------------------------------------------

#: Ids around the 32-bit and 64-bit edges. The tables' ids are INTEGER (32 bits on
#: PostgreSQL): the largest is a plain "not found", anything longer must not reach SQL.
HUGE_IDS = [2**31 - 1, 2**31, 2**32, 2**53 + 1, 2**63 - 1, 2**63, 10**20]
INT_ARGUMENT = re.compile(r"<int:(\w+)>")
OTHER_ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>")


def path_with_ids(rule: str, value: int, fillers: dict[str, str]) -> str:
    path = INT_ARGUMENT.sub(str(value), rule)
    return OTHER_ARGUMENT.sub(lambda match: fillers.get(match.group(1), "x"), path)


def test_ids_up_to_two_to_the_sixty_third_are_not_found(app: Flask) -> None:
    admin = User(email="root@example.com", password_hash="unused", is_admin=True)
    db.session.add(admin)
    db.session.commit()
    _organisation, assessment = create_through_the_forms(app.test_client(user=admin), "Acme")
    fillers = {
        "token": assessment.marketing_token,
        "side": "marketing",
        "name": "gaps",
        "kind": "svg",
        "comment_id": "1",
    }
    client = app.test_client(user=admin)
    bearer = {"Authorization": f"Bearer {assessment.report_token}"}
    rules = [rule for rule in app.url_map.iter_rules() if "<int:" in rule.rule]
    assert len(rules) >= 20
    urls = app.url_map.bind("survey.test")
    problems = []
    for rule in rules:
        for method in sorted((rule.methods or set()) & {"GET", "POST"}):
            for value in HUGE_IDS:
                path = path_with_ids(rule.rule, value, fillers)
                if value > 2**31 - 1 and _reaches(urls, path, method) == rule.endpoint:
                    problems.append(f"{method} {path} reaches {rule.endpoint}")
                response = client.open(path, method=method, headers=bearer)
                status = response.status_code
                response.close()
                # The largest real id reaches the view, which finds nothing; longer ones
                # match no route at all.
                expected = {404, 405} if value > 2**31 - 1 else {400, 401, 404}
                if status not in expected:
                    problems.append(f"{method} {path}: {status}")
    assert problems == []


def _reaches(urls: MapAdapter, path: str, method: str) -> str | None:
    try:
        endpoint, _ = urls.match(path, method=method)
    except HTTPException:
        return None
    return str(endpoint)


@pytest.mark.parametrize("page", ["2147483648", str(10**20), "-1", "0", "99999999999"])
def test_an_audit_page_beyond_any_log_is_not_found(app: Flask, page: str) -> None:
    admin = User(email="root@example.com", password_hash="unused", is_admin=True)
    db.session.add(admin)
    db.session.commit()
    client = app.test_client(user=admin)
    assert client.get("/admin/audit").status_code == 200
    assert client.get(f"/admin/audit?page={page}").status_code == 404


def multipart(fields: dict[str, Any]) -> dict[str, Any]:
    return {"data": fields, "content_type": "multipart/form-data"}


def test_a_nul_byte_in_a_multipart_form_is_a_bad_request(app: Flask) -> None:
    anonymous = app.test_client()
    response = anonymous.post(
        "/login", **multipart({"email": "a\x00@example.com", "password": "whatever it is"})
    )
    assert response.status_code == 400
    user = User(email="ada@example.com", password_hash="unused")
    db.session.add(user)
    db.session.commit()
    signed_in = app.test_client(user=user)
    response = signed_in.post("/workspace/organisations/new", **multipart({"name": "Acme\x00"}))
    assert response.status_code == 400
    # A file name is text the app could look at too.
    upload = (io.BytesIO(b"side\n"), "answers\x00.csv")
    response = signed_in.post("/workspace/organisations/new", **multipart({"file": upload}))
    assert response.status_code == 400
    assert db.session.scalar(select(func.count(Organisation.id))) == 0


def test_a_nul_byte_in_a_json_body_a_cookie_or_a_bearer_token_is_a_bad_request(
    client: FlaskClient,
) -> None:
    assert client.post("/login", json={"email": ["a\x00"]}).status_code == 400
    assert client.post("/login", json={"a\x00": 1}).status_code == 400
    assert client.post(
        "/login", data="[" * 100_000, content_type="application/json"
    ).status_code in (
        400,
        200,
    )
    client.set_cookie("survey_draft", "abc\x00def")
    assert client.get("/").status_code == 400
    client.delete_cookie("survey_draft")
    response = client.get(
        "/api/v1/assessments/1/result", headers={"Authorization": "Bearer a\x00b"}
    )
    assert response.status_code == 400
