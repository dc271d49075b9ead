"""Who may open what: every workspace route with an id, for its owner, another consultant
and an anonymous visitor; and report tokens that belong to another organisation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask import Flask, url_for
from flask.testing import FlaskClient

from survey.extensions import db
from survey.models import ActionItem, Assessment, Comment, Organisation, User
from tests.conftest import add_responses, create_assessment, create_organisation

#: Stand-ins for the URL parts that are not ids of A's objects.
OTHER_VALUES = {"side": "marketing", "name": "gaps", "kind": "png"}
SAFE_METHODS_SKIPPED = {"HEAD", "OPTIONS"}


def fetch(client: FlaskClient, url: str, method: str = "GET", **kwargs: Any) -> Any:
    return client.open(url, method=method, **kwargs)


@dataclass(frozen=True)
class Objects:
    organisation: Organisation
    assessment: Assessment
    action_item: ActionItem
    comment: Comment


def placed_objects(owner: User, bank: Any) -> Objects:
    """An organisation of ``owner`` with a wave placed on one response per side, and one
    step in the wave's action plan."""
    organisation = create_organisation("A's client", owner)
    assessment = create_assessment(organisation, name="Baseline", threshold=1)
    answers = {item.id: 4 for item in bank.items}
    add_responses(assessment, "marketing", answers)
    add_responses(assessment, "sales", answers)
    item = ActionItem(assessment_id=assessment.id, move_id=bank.moves[0].id)
    db.session.add(item)
    comment = Comment(assessment_id=assessment.id, side="sales", text="Thanks.", release_group=1)
    db.session.add(comment)
    db.session.commit()
    return Objects(organisation, assessment, item, comment)


def workspace_rules_with_ids(app: Flask) -> list[Any]:
    return sorted(
        (
            rule
            for rule in app.url_map.iter_rules()
            if rule.rule.startswith("/workspace") and rule.arguments
        ),
        key=lambda rule: rule.rule,
    )


def fill(rule: Any, objects: Objects) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument == "organisation_id":
            values[argument] = objects.organisation.id
        elif argument == "assessment_id":
            values[argument] = objects.assessment.id
        elif argument == "item_id":
            values[argument] = objects.action_item.id
        elif argument == "comment_id":
            values[argument] = objects.comment.id
        else:
            values[argument] = OTHER_VALUES[argument]
    return values


def consultant(email: str) -> User:
    """An account to sign in with Flask-Login's test client (no password hashing: faster)."""
    user = User(email=email, password_hash="unused")
    db.session.add(user)
    db.session.commit()
    return user


@pytest.fixture
def clients(app: Flask) -> tuple[User, FlaskClient, FlaskClient, FlaskClient]:
    owner, intruder = consultant("a@example.com"), consultant("b@example.com")
    return owner, app.test_client(user=owner), app.test_client(user=intruder), app.test_client()


def test_every_workspace_route_with_an_id_is_the_owners_alone(
    app: Flask, bank: Any, clients: tuple[User, FlaskClient, FlaskClient, FlaskClient]
) -> None:
    owner, as_owner, as_intruder, anonymous = clients
    rules = workspace_rules_with_ids(app)
    paths = {rule.rule for rule in rules}
    assert len(rules) >= 10
    for expected in (
        "/workspace/organisations/<int:organisation_id>/charts/trend.svg",
        "/workspace/assessments/<int:assessment_id>/charts/<name>.svg",
        "/workspace/assessments/<int:assessment_id>/qr/<side>.svg",
        "/workspace/organisations/<int:organisation_id>/export.json",
        "/workspace/assessments/<int:assessment_id>/live.json",
        "/workspace/organisations/<int:organisation_id>/delete",
        "/workspace/organisations/<int:organisation_id>/edit",
        "/workspace/assessments/<int:assessment_id>/edit",
        "/workspace/assessments/<int:assessment_id>/rotate-report-link",
        "/workspace/assessments/<int:assessment_id>/join-codes/replace",
        "/workspace/assessments/<int:assessment_id>/qr/<side>/download.<kind>",
        "/workspace/assessments/<int:assessment_id>/sheet/<side>",
        "/workspace/assessments/<int:assessment_id>/actions/new",
        "/workspace/assessments/<int:assessment_id>/actions/<int:item_id>",
        "/workspace/assessments/<int:assessment_id>/actions/<int:item_id>/delete",
        "/workspace/assessments/<int:assessment_id>/action-plan.csv",
    ):
        assert expected in paths
    # The export is audited, so it is a POST (no GET changes anything).
    [export] = [rule for rule in rules if rule.endpoint == "workspace.export_organisation"]
    assert export.methods - SAFE_METHODS_SKIPPED == {"POST"}

    with app.test_request_context():
        login_path = url_for("auth.login")
    problems: list[str] = []
    checked = 0
    for rule in rules:
        for method in sorted(rule.methods - SAFE_METHODS_SKIPPED):
            # Fresh objects for every check: the owner's POST may delete them.
            objects = placed_objects(owner, bank)
            with app.test_request_context():
                url = url_for(rule.endpoint, **fill(rule, objects))
            label = f"{method} {url}"

            response = fetch(anonymous, url, method)
            location = response.headers.get("Location", "")
            if response.status_code != 302 or urlsplit(location).path != login_path:
                problems.append(f"anonymous {label}: {response.status_code} {location}")

            response = fetch(as_intruder, url, method)
            if response.status_code != 404:
                problems.append(f"other consultant {label}: {response.status_code}")

            response = fetch(as_owner, url, method)
            if response.status_code not in (200, 302):
                problems.append(f"owner {label}: {response.status_code}")
            checked += 1
    assert problems == []
    assert checked > len(rules)  # some routes answer both GET and POST


def test_an_unknown_id_is_not_found_for_a_signed_in_consultant(
    clients: tuple[User, FlaskClient, FlaskClient, FlaskClient],
) -> None:
    _, as_owner, _, _ = clients
    assert fetch(as_owner, "/workspace/organisations/999999").status_code == 404
    assert fetch(as_owner, "/workspace/assessments/999999/live.json").status_code == 404


def test_qr_and_chart_names_outside_the_list_are_not_found(
    app: Flask, bank: Any, clients: tuple[User, FlaskClient, FlaskClient, FlaskClient]
) -> None:
    owner, as_owner, _, _ = clients
    objects = placed_objects(owner, bank)
    base = f"/workspace/assessments/{objects.assessment.id}"
    assert fetch(as_owner, f"{base}/qr/sales.svg").status_code == 200
    assert fetch(as_owner, f"{base}/qr/finance.svg").status_code == 404
    assert fetch(as_owner, f"{base}/charts/gaps.svg").status_code == 200
    assert fetch(as_owner, f"{base}/charts/secrets.svg").status_code == 404


def test_organisations_without_an_owner_are_nobodys(
    clients: tuple[User, FlaskClient, FlaskClient, FlaskClient],
) -> None:
    _, as_owner, _, _ = clients
    orphan = create_organisation("Made on the command line")
    assert fetch(as_owner, f"/workspace/organisations/{orphan.id}").status_code == 404


def test_another_organisations_report_token_opens_nothing_of_a(
    app: Flask, bank: Any, clients: tuple[User, FlaskClient, FlaskClient, FlaskClient]
) -> None:
    owner, _, _, anonymous = clients
    intruder = consultant("c@example.com")
    mine = placed_objects(owner, bank)
    theirs = create_assessment(create_organisation("B's client", intruder), threshold=1)

    # The report page: a token shows its own wave, never A's; a made-up token nothing.
    page = fetch(anonymous, f"/r/{theirs.report_token}").get_data(as_text=True)
    assert "B&#39;s client" in page
    assert "A&#39;s client" not in page
    assert fetch(anonymous, f"/r/{mine.assessment.report_token}x").status_code == 404

    # The API: A's result with A's token works, with B's token it does not.
    url = f"/api/v1/assessments/{mine.assessment.id}/result"
    own = fetch(anonymous, url, headers={"Authorization": f"Bearer {mine.assessment.report_token}"})
    assert own.status_code == 200
    other = fetch(anonymous, url, headers={"Authorization": f"Bearer {theirs.report_token}"})
    assert other.status_code in (401, 404)
    assert "A's client" not in other.get_data(as_text=True)
    assert fetch(anonymous, url).status_code in (401, 404)
