"""The consultant workspace, driven through the client as a consultant would use it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Answer, Assessment, AuditEvent, Draft, Organisation, Response, User
from tests.conftest import add_responses, create_user, uniform_answers

SVG = "image/svg+xml"


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return str(response.get_data(as_text=True))


def count(model: Any, *where: Any) -> int:
    return int(db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def only_organisation() -> Organisation:
    return db.session.scalars(select(Organisation)).one()


def assessments_of(organisation_id: int) -> list[Assessment]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(Assessment)
            .where(Assessment.organisation_id == organisation_id)
            .order_by(Assessment.id)
        )
    )


def table_row(html: str, heading: str) -> str:
    """The HTML of the table row whose header cell is ``heading``."""
    for row in html.split("<tr")[1:]:
        if f">{heading}</th>" in row:
            return row.split("</tr>")[0]
    raise AssertionError(f"no row for {heading!r}")


def actions() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_whole_engagement(app: Flask, signed_in: FlaskClient, bank: Any) -> None:
    client = signed_in

    # Create the organisation; the name is stripped.
    response = client.post("/workspace/organisations/new", data={"name": "  Acme Ltd  "})
    assert response.status_code == 302
    organisation = only_organisation()
    assert organisation.name == "Acme Ltd"
    assert "Acme Ltd" in page(client.get("/workspace/"))
    assert "No survey wave yet." in page(client.get("/workspace/"))

    # A baseline wave with two advisor answers; the rest left as "don't know".
    form = page(client.get(f"/workspace/organisations/{organisation.id}/assessments/new"))
    assert "How big is the organisation?" in form
    assert "Do sales and marketing openly argue or complain about each other?" in form
    response = client.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={
            "name": "Baseline",
            "threshold": "3",
            "context_company_size": "small",
            "context_evident_conflicts": "yes",
            "context_separate_reporting_lines": "no",
            "context_sales_cycle": "",
            "context_shared_responsibility_culture": "unknown",
        },
    )
    assert response.status_code == 302
    [baseline] = assessments_of(organisation.id)
    assert response.headers["Location"].endswith(f"/workspace/assessments/{baseline.id}")
    assert baseline.name == "Baseline"
    assert baseline.threshold == 3
    assert baseline.context == {
        "company_size": "small",
        "evident_conflicts": True,
        "separate_reporting_lines": False,
    }

    # The assessment page: both survey links, their QR codes and the report link.
    html = page(client.get(f"/workspace/assessments/{baseline.id}"))
    assert f"http://survey.test/s/{baseline.marketing_token}" in html
    assert f"http://survey.test/s/{baseline.sales_token}" in html
    assert f"http://survey.test/r/{baseline.report_token}" in html
    for side in ("marketing", "sales"):
        assert f"/workspace/assessments/{baseline.id}/qr/{side}.svg" in html
        qr = client.get(f"/workspace/assessments/{baseline.id}/qr/{side}.svg")
        assert qr.status_code == 200
        assert qr.mimetype == SVG
        assert qr.data.lstrip().startswith(b"<svg")
    assert "nobody sees your individual answers" in html
    assert "js/copy.js" in html

    # Live view: counts first, the placement only once both sides reach 3.
    live = page(client.get(f"/workspace/assessments/{baseline.id}/live"))
    assert 'class="live"' in live
    assert f"/workspace/assessments/{baseline.id}/live.json" in live
    assert "<noscript>" in live
    three = uniform_answers(3)
    add_responses(baseline, "marketing", three, count=2)
    add_responses(baseline, "sales", three, count=3)
    add_responses(baseline, "sales", {}, count=1)  # nothing answered: left out
    state = client.get(f"/workspace/assessments/{baseline.id}/live.json").get_json()
    assert state["threshold"] == 3
    # Marketing's two wait for a whole group of three; sales' three counted ones were
    # released, and the left-out one that came after waits for the next group.
    assert state["sides"]["marketing"] == {
        "received": 2,
        "counted": 0,
        "waiting": 2,
        "needed": 3,
        "headcount": None,
    }
    assert state["sides"]["sales"] == {
        "received": 4,
        "counted": 3,
        "waiting": 1,
        "needed": 0,
        "headcount": None,
    }
    assert state["placed"] is False
    assert "type" not in state and "score_text" not in state and "gaps" not in state
    assert "Waiting: 3 more marketing responses" in page(client.get("/workspace/"))

    add_responses(baseline, "marketing", three)
    state = client.get(f"/workspace/assessments/{baseline.id}/live.json").get_json()
    assert state["placed"] is True
    assert state["type"] == "Aligned"
    assert state["score_text"] == "60"
    # Both sides answered alike: no gap to discuss (the presenter view lists the top five).
    assert state["gaps"] == [] and state["flagged"] == 0
    assert "Aligned" in page(client.get("/workspace/"))

    # Close, reopen, and rotate the report link.
    client.post(f"/workspace/assessments/{baseline.id}/close")
    assert assessments_of(organisation.id)[0].is_open is False
    assert "closed" in page(client.get(f"/workspace/assessments/{baseline.id}"))
    response = client.post(f"/workspace/assessments/{baseline.id}/reopen", follow_redirects=True)
    assert "The wave is open again" in page(response)
    assert assessments_of(organisation.id)[0].is_open is True

    old_report = f"/r/{baseline.report_token}"
    assert client.get(old_report).status_code == 200
    response = client.post(f"/workspace/assessments/{baseline.id}/rotate-report-link")
    assert response.status_code == 302
    [baseline] = assessments_of(organisation.id)
    assert client.get(old_report).status_code == 404
    assert client.get(f"/r/{baseline.report_token}").status_code == 200

    # A second wave, everyone one step more positive: 80.0, Integrated.
    client.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={"name": "After 6 months", "threshold": "3"},
    )
    _, second = assessments_of(organisation.id)
    assert second.context is None
    four = uniform_answers(4)
    add_responses(second, "marketing", four, count=3)
    add_responses(second, "sales", four, count=4)

    html = page(client.get(f"/workspace/organisations/{organisation.id}"))
    assert "After 6 months" in html and "Baseline" in html
    assert "Integrated" in html and "Aligned" in html
    overall = table_row(html, "Overall")
    assert "60.0" in overall and "80.0" in overall and "+20.0" in overall
    for dimension in bank.dimensions:
        row = table_row(html, dimension.title.get())
        assert re.search(r">60\.0 .*>80\.0 .*\+20\.0<", row, re.S), row
    assert f"/workspace/organisations/{organisation.id}/charts/trend.svg" in html
    trend = client.get(f"/workspace/organisations/{organisation.id}/charts/trend.svg")
    assert trend.mimetype == SVG
    assert b"After 6 months" in trend.data

    # Portfolio: the latest placed wave.
    portfolio = page(client.get("/workspace/portfolio"))
    row = table_row(
        portfolio, f'<a href="/workspace/organisations/{organisation.id}"><bdi>Acme Ltd</bdi></a>'
    )
    assert "After 6 months" in row and "Integrated" in row and "80.0" in row
    assert client.get("/workspace/portfolio/chart.svg").mimetype == SVG

    # Export: a button (a POST, since it is audited) on the organisation page; both waves,
    # aggregated results, no single response.
    export_url = f"/workspace/organisations/{organisation.id}/export.json"
    assert f'action="{export_url}"' in html and "Download JSON export" in html
    assert client.get(export_url).status_code == 405
    assert actions().count("organisation.export") == 0
    export = client.post(export_url)
    assert export.status_code == 200
    assert export.headers["Content-Disposition"] == "attachment; filename=acme-ltd-export.json"
    data = export.get_json()
    assert data["organisation"]["name"] == "Acme Ltd"
    assert [w["name"] for w in data["waves"]] == ["Baseline", "After 6 months"]
    assert data["waves"][0]["context"] == baseline.context
    # Released counts only: the left-out sales response still waits for a group.
    assert data["waves"][0]["counts"] == {
        "marketing": {"counted": 3, "excluded": 0},
        "sales": {"counted": 3, "excluded": 0},
    }
    assert data["waves"][1]["threshold"] == 3
    assert data["waves"][1]["result"]["score"] == 80.0
    assert "answers" not in export.get_data(as_text=True)

    # A draft in progress, so that every table holds a row of this organisation.
    db.session.add(Draft(key_hash="k" * 64, assessment_id=second.id, side="sales", answers={}))
    db.session.commit()
    other = create_user("bob@example.com")
    kept = Organisation(name="Kept", owner=other)
    db.session.add(kept)
    db.session.commit()
    wave_ids = [baseline.id, second.id]
    response_ids = list(
        db.session.scalars(select(Response.id).where(Response.assessment_id.in_(wave_ids)))
    )
    assert count(Answer, Answer.response_id.in_(response_ids)) > 0

    # Deleting needs the name typed exactly.
    url = f"/workspace/organisations/{organisation.id}/delete"
    assert "Nothing was deleted" in page(client.post(url, data={"confirm_name": "Acme"}))
    assert count(Organisation, Organisation.id == organisation.id) == 1
    response = client.post(url, data={"confirm_name": "Acme Ltd"})
    assert response.status_code == 302
    db.session.expire_all()
    assert count(Organisation, Organisation.id == organisation.id) == 0
    assert count(Assessment, Assessment.id.in_(wave_ids)) == 0
    assert count(Response, Response.id.in_(response_ids)) == 0
    assert count(Answer, Answer.response_id.in_(response_ids)) == 0
    assert count(Draft, Draft.assessment_id.in_(wave_ids)) == 0
    assert count(Organisation, Organisation.id == kept.id) == 1
    assert "Acme Ltd" not in page(client.get("/workspace/"))

    # Nothing of the client is left anywhere: no row in any table holds its name or a
    # wave's name, and no column that refers to its objects holds one of their ids.
    gone = {
        "organisation": {organisation.id},
        "assessment": set(wave_ids),
        "response": set(response_ids),
    }
    names = ("Acme Ltd", "Baseline", "After 6 months")
    rows_seen = 0
    for table in db.metadata.sorted_tables:
        for stored in db.session.execute(select(table)).mappings():
            rows_seen += 1
            text = " ".join(str(value) for value in stored.values())
            assert not any(name in text for name in names), (table.name, dict(stored))
            for column in table.columns:
                ids = set(gone.get(table.name, ())) if column.primary_key else set()
                for key in column.foreign_keys:
                    ids |= gone.get(key.column.table.name, set())
                assert stored[column.name] not in ids, (table.name, column.name, dict(stored))
    assert rows_seen > 0

    # The audit log still tells what was done to which object, by id.
    organisation_target = f"organisation {organisation.id}"
    baseline_target, second_target = (f"assessment {wave_id}" for wave_id in wave_ids)
    events = db.session.execute(
        select(AuditEvent.actor_email, AuditEvent.action, AuditEvent.target).order_by(AuditEvent.id)
    ).all()
    assert [tuple(event) for event in events] == [
        ("ada@example.com", "organisation.create", organisation_target),
        ("ada@example.com", "assessment.create", baseline_target),
        ("ada@example.com", "assessment.close", baseline_target),
        ("ada@example.com", "assessment.reopen", baseline_target),
        ("ada@example.com", "assessment.rotate_report_link", baseline_target),
        ("ada@example.com", "assessment.create", second_target),
        ("ada@example.com", "organisation.export", organisation_target),
        ("ada@example.com", "organisation.delete", organisation_target),
    ]


def test_deleting_a_wave_needs_the_confirmation(signed_in: FlaskClient, consultant: User) -> None:
    organisation = Organisation(name="Acme Ltd", owner=consultant)
    db.session.add(organisation)
    db.session.commit()
    signed_in.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={"name": "Baseline", "threshold": "5"},
    )
    [wave] = assessments_of(organisation.id)
    add_responses(wave, "sales", uniform_answers(2))

    response = signed_in.post(f"/workspace/assessments/{wave.id}/delete", follow_redirects=True)
    assert "Tick the box" in page(response)
    assert count(Assessment, Assessment.id == wave.id) == 1

    response = signed_in.post(f"/workspace/assessments/{wave.id}/delete", data={"confirm": "y"})
    assert response.headers["Location"].endswith(f"/workspace/organisations/{organisation.id}")
    assert count(Assessment, Assessment.id == wave.id) == 0
    assert count(Response, Response.assessment_id == wave.id) == 0
    assert count(Organisation, Organisation.id == organisation.id) == 1
    assert actions() == ["assessment.create", "assessment.delete"]


def test_bad_organisation_names_show_errors_and_create_nothing(signed_in: FlaskClient) -> None:
    html = page(signed_in.post("/workspace/organisations/new", data={"name": "   "}))
    assert "Enter the organisation's name." in html
    html = page(signed_in.post("/workspace/organisations/new", data={"name": "x" * 201}))
    assert "The name can have at most 200 characters." in html
    assert count(Organisation) == 0

    response = signed_in.post("/workspace/organisations/new", data={"name": "y" * 200})
    assert response.status_code == 302
    assert only_organisation().name == "y" * 200


@pytest.fixture
def organisation(consultant: User) -> Organisation:
    organisation = Organisation(name="Acme Ltd", owner=consultant)
    db.session.add(organisation)
    db.session.commit()
    return organisation


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "threshold": "5"}, "Enter a name for the wave."),
        ({"name": "w" * 201, "threshold": "5"}, "The name can have at most 200 characters."),
        ({"name": "Baseline", "threshold": "0"}, "The threshold must be a whole number from 1"),
        ({"name": "Baseline", "threshold": "many"}, "Not a valid integer value."),
        ({"name": "Baseline", "threshold": "2"}, "answers may be identifiable"),
        ({"name": "Baseline", "threshold": "1"}, "answers may be identifiable"),
        (
            {"name": "Baseline", "threshold": "5", "context_company_size": "huge"},
            "Not a valid choice",
        ),
    ],
)
def test_bad_waves_show_errors_and_create_nothing(
    signed_in: FlaskClient, organisation: Organisation, data: dict[str, str], message: str
) -> None:
    url = f"/workspace/organisations/{organisation.id}/assessments/new"
    html = page(signed_in.post(url, data=data))
    assert message in html
    assert assessments_of(organisation.id) == []


def test_a_threshold_of_two_needs_the_confirmation(
    signed_in: FlaskClient, organisation: Organisation
) -> None:
    url = f"/workspace/organisations/{organisation.id}/assessments/new"
    response = signed_in.post(
        url, data={"name": "Tiny team", "threshold": "2", "identifiable_confirmed": "y"}
    )
    assert response.status_code == 302
    [wave] = assessments_of(organisation.id)
    assert wave.threshold == 2
    assert wave.context is None


def test_the_default_threshold_is_offered(
    signed_in: FlaskClient, organisation: Organisation
) -> None:
    html = page(signed_in.get(f"/workspace/organisations/{organisation.id}/assessments/new"))
    assert re.search(r'name="threshold"[^>]*value="5"', html)


def test_home_and_portfolio_show_only_the_consultants_own_organisations(
    app: Flask, signed_in: FlaskClient, organisation: Organisation
) -> None:
    other = create_user("bob@example.com")
    db.session.add(Organisation(name="Bob's client", owner=other))
    db.session.add(Organisation(name="Made on the command line"))
    db.session.commit()
    for url in ("/workspace/", "/workspace/portfolio"):
        html = page(signed_in.get(url))
        assert "Acme Ltd" in html
        assert "Bob" not in html
        assert "command line" not in html


def test_portfolio_lists_unplaced_organisations_without_numbers(
    signed_in: FlaskClient, organisation: Organisation
) -> None:
    signed_in.post(
        f"/workspace/organisations/{organisation.id}/assessments/new",
        data={"name": "Baseline", "threshold": "3"},
    )
    [wave] = assessments_of(organisation.id)
    add_responses(wave, "marketing", uniform_answers(5), count=2)
    add_responses(wave, "sales", uniform_answers(1), count=3)
    html = page(signed_in.get("/workspace/portfolio"))
    row = table_row(
        html, f'<a href="/workspace/organisations/{organisation.id}"><bdi>Acme Ltd</bdi></a>'
    )
    assert "not placed yet" in row
    assert "100.0" not in html
    assert "/workspace/portfolio/chart.svg" not in html
    state = signed_in.get(f"/workspace/assessments/{wave.id}/live.json").get_json()
    assert state["placed"] is False
    assert signed_in.get(f"/workspace/assessments/{wave.id}/charts/gaps.svg").status_code == 404
    export = signed_in.post(f"/workspace/organisations/{organisation.id}/export.json").get_json()
    result = export["waves"][0]["result"]
    assert result["score"] is None
    assert result["sides"]["marketing"]["score"] is None
    assert all(item["marketing"]["mean"] is None for item in result["items"])
    assert all(dimension["marketing"] is None for dimension in result["dimensions"])


def test_actions_need_a_csrf_token(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = create_user("ada@example.com")
        organisation = Organisation(name="Acme Ltd", owner=user)
        db.session.add(organisation)
        db.session.commit()
        client = app.test_client(user=user)
        response = client.post(
            f"/workspace/organisations/{organisation.id}/delete", data={"confirm_name": "Acme Ltd"}
        )
        assert response.status_code == 400
        assert count(Organisation) == 1
        response = client.post("/workspace/organisations/new", data={"name": "Other"})
        assert response.status_code == 400
        assert count(Organisation) == 1
        export_url = f"/workspace/organisations/{organisation.id}/export.json"
        assert client.post(export_url).status_code == 400
        assert actions() == []

        # With the token from the organisation page's button, the download works.
        html = page(client.get(f"/workspace/organisations/{organisation.id}"))
        token = re.search(
            rf'action="{export_url}">\s*<input type="hidden" name="csrf_token" value="([^"]+)"',
            html,
        )
        assert token, "the export button has no CSRF token"
        response = client.post(export_url, data={"csrf_token": token.group(1)})
        assert response.status_code == 200
        assert response.get_json()["organisation"]["name"] == "Acme Ltd"
        assert actions() == ["organisation.export"]
