"""Whatever a consultant types as a name comes back as text on every page, never as markup."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select

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
