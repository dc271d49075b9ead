"""The action plan: chosen steps with owners, due dates, measures and a status, on the wave
page, in the report, in the exports; and the next wave's report saying whether the areas
of each chosen step improved, from the released results of both waves."""

from __future__ import annotations

import csv
import io
import re
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from scoring import Side
from survey.extensions import db
from survey.models import ActionItem, Assessment, AuditEvent
from tests.conftest import add_responses, create_assessment, uniform_answers


@pytest.fixture
def baseline(wave: Assessment) -> Assessment:
    add_responses(wave, Side.MARKETING, uniform_answers(3), 3)
    add_responses(wave, Side.SALES, uniform_answers(2), 3)
    return wave


def text(response: Any) -> str:
    return str(response.get_data(as_text=True))


def plain(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return plain(html[start : html.index("</section>", start)])


def items() -> list[ActionItem]:
    db.session.expire_all()
    return list(db.session.scalars(select(ActionItem).order_by(ActionItem.id)))


STEP = {
    "move": "shared_lead_definition",
    "marketing_owner": "Mia Marketing",
    "sales_owner": "Sam Sales",
    "due_on": "2027-03-31",
    "success_measure": "Every lead is scored the same way",
    "status": "planned",
}


def test_choosing_owning_changing_and_removing_a_step(
    signed_in: FlaskClient, baseline: Assessment, bank: Any
) -> None:
    wave_page = text(signed_in.get(f"/workspace/assessments/{baseline.id}"))
    assert "No steps chosen yet." in wave_page
    form = text(signed_in.get(f"/workspace/assessments/{baseline.id}/actions/new"))
    for move in bank.moves:  # every move of the wave's bank, grouped by the step up
        assert f'value="{move.id}"' in form
    assert "<optgroup" in form and "From Undefined to Defined" in form

    response = signed_in.post(f"/workspace/assessments/{baseline.id}/actions/new", data=STEP)
    assert response.status_code == 302
    [item] = items()
    assert (item.move_id, item.marketing_owner, item.sales_owner) == (
        "shared_lead_definition",
        "Mia Marketing",
        "Sam Sales",
    )
    assert item.due_on is not None and item.due_on.isoformat() == "2027-03-31"
    plan = section(text(signed_in.get(f"/workspace/assessments/{baseline.id}")), "action-plan")
    assert "Agree what counts as a lead" in plan and "Mia Marketing" in plan
    assert "Planned" in plan and "2027-03-31" in plan

    edit = f"/workspace/assessments/{baseline.id}/actions/{item.id}"
    assert 'value="Mia Marketing"' in text(signed_in.get(edit))
    signed_in.post(edit, data={**STEP, "status": "in_progress", "sales_owner": "Sue Sales"})
    [item] = items()
    assert (item.status, item.sales_owner) == ("in_progress", "Sue Sales")
    signed_in.post(edit, data={**STEP, "status": "in_progress", "sales_owner": "Sue Sales"})

    signed_in.post(f"{edit}/delete")
    assert items() == []
    # Audit rows name the wave and the item by id, never the client's words.
    events = [
        (event.action, event.target)
        for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]
    target = f"assessment {baseline.id}, action item {item.id}"
    assert events == [
        ("action_plan.add", target),
        ("action_plan.update", target),
        ("action_plan.delete", target),
    ]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"move": "not_a_move"}, "Choose one of the steps in the list."),
        ({"move": ""}, "Choose a step."),
        ({"status": "finished"}, "Not a valid choice"),
        ({"due_on": "next week"}, "Not a valid date value"),
        ({"marketing_owner": "x" * 201}, "At most 200 characters."),
        ({"success_measure": "x" * 1001}, "At most 1000 characters."),
    ],
)
def test_bad_steps_are_refused_with_a_message(
    signed_in: FlaskClient, baseline: Assessment, change: dict[str, str], message: str
) -> None:
    page = text(
        signed_in.post(f"/workspace/assessments/{baseline.id}/actions/new", data={**STEP, **change})
    )
    assert message in page
    assert items() == []


def test_another_waves_step_is_not_found(signed_in: FlaskClient, baseline: Assessment) -> None:
    other = create_assessment(baseline.organisation, name="Other")
    signed_in.post(f"/workspace/assessments/{other.id}/actions/new", data=STEP)
    [item] = items()
    url = f"/workspace/assessments/{baseline.id}/actions/{item.id}"
    assert signed_in.get(url).status_code == 404
    assert signed_in.post(f"{url}/delete").status_code == 404
    assert len(items()) == 1


def test_the_plan_is_in_the_report_the_csv_and_the_export(
    signed_in: FlaskClient, baseline: Assessment
) -> None:
    signed_in.post(
        f"/workspace/assessments/{baseline.id}/actions/new",
        data={**STEP, "marketing_owner": "=HYPERLINK(1)"},
    )
    report = section(text(signed_in.get(f"/r/{baseline.report_token}")), "action-plan")
    assert "Steps chosen in this wave" in report
    assert "Agree what counts as a lead" in report and "Sam Sales" in report
    assert "Every lead is scored the same way" in report

    download = signed_in.get(f"/workspace/assessments/{baseline.id}/action-plan.csv")
    assert download.headers["Content-Disposition"] == "attachment; filename=action-plan.csv"
    rows = list(csv.reader(io.StringIO(download.get_data(as_text=True).lstrip("\ufeff"))))
    assert rows[0][:3] == ["Step", "Owner in marketing", "Owner in sales"]
    # A formula typed as an owner stays text in a spreadsheet.
    assert rows[1] == [
        "Agree what counts as a lead",
        "'=HYPERLINK(1)",
        "Sam Sales",
        "2027-03-31",
        "Every lead is scored the same way",
        "Planned",
    ]

    export = signed_in.post(f"/workspace/organisations/{baseline.organisation_id}/export.json")
    [plan_item] = export.get_json()["waves"][0]["action_plan"]
    assert plan_item == {
        "move": "shared_lead_definition",
        "title": "Agree what counts as a lead",
        "dimensions": ["shared_language", "roles_and_handoffs"],
        "marketing_owner": "=HYPERLINK(1)",
        "sales_owner": "Sam Sales",
        "due_on": "2027-03-31",
        "success_measure": "Every lead is scored the same way",
        "status": "planned",
    }


def test_the_next_waves_report_says_whether_the_chosen_steps_areas_improved(
    signed_in: FlaskClient, baseline: Assessment, bank: Any
) -> None:
    signed_in.post(
        f"/workspace/assessments/{baseline.id}/actions/new", data={**STEP, "status": "done"}
    )
    signed_in.post(
        f"/workspace/assessments/{baseline.id}/actions/new",
        data={**STEP, "move": "sit_together", "status": "dropped"},
    )
    second = create_assessment(baseline.organisation, name="After 6 months", threshold=3)
    second_report = f"/r/{second.report_token}"

    # Not placed yet: the look back is there, but cannot say anything.
    html = section(text(signed_in.get(second_report)), "action-plan")
    assert "Steps chosen after “Baseline”: did their areas improve?" in html
    assert "Not known yet" in html and "Improved" not in html

    # Baseline: every area 50 (marketing 60, sales 40). Second wave: the lead-definition
    # areas improve (sales answers 4 there), communication and culture get worse.
    improved = {"shared_language", "roles_and_handoffs"}
    worse = {"communication", "culture_and_trust"}
    answers = {}
    for item in bank.items:
        value = 4 if item.dimension in improved else 1 if item.dimension in worse else 2
        answers[item.id] = 6 - value if item.reverse else value
    add_responses(second, Side.MARKETING, uniform_answers(3), 3)
    add_responses(second, Side.SALES, answers, 2)
    waiting = section(text(signed_in.get(second_report)), "action-plan")
    assert "Not known yet" in waiting  # two of three: nothing released, nothing known
    add_responses(second, Side.SALES, answers)

    html = text(signed_in.get(second_report))
    plan = section(html, "action-plan")
    rows = re.findall(r"<tr>.*?</tr>", html[html.index('id="action-plan"') :], re.S)
    lead, seats = (plain(row) for row in rows[1:3])
    assert lead.startswith("Agree what counts as a lead Done")
    assert "Shared language: 50 → 70 (+20, better)" in lead
    assert "Roles and handoffs: 50 → 70 (+20, better)" in lead
    assert lead.endswith("Improved")
    assert seats.startswith("Put the teams side by side Dropped")
    assert "Communication: 50 → 40 (-10, worse)" in seats
    assert "Culture and trust: 50 → 40 (-10, worse)" in seats
    assert seats.endswith("Not improved")
    assert "Steps chosen in this wave" not in plan  # the second wave has no plan of its own
    # The baseline's own report shows its plan, and no look back.
    baseline_plan = section(text(signed_in.get(f"/r/{baseline.report_token}")), "action-plan")
    assert "did their areas improve" not in baseline_plan
    assert "Steps chosen in this wave" in baseline_plan


def test_a_report_without_any_plan_has_no_plan_section(
    signed_in: FlaskClient, baseline: Assessment
) -> None:
    assert 'id="action-plan"' not in text(signed_in.get(f"/r/{baseline.report_token}"))
