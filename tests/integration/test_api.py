"""The JSON API: a report token opens its own assessment's result and nothing else.

Expected numbers are worked out by hand (the bank has 41 items in 9 dimensions;
budget_fights is one of its reverse items). Scores are rounded to 2 decimals,
means, spreads and item gaps to 3.
"""

from __future__ import annotations

import math
import re
from typing import Any

import jsonschema
import pytest
from flask import Flask
from flask.testing import FlaskClient
from openapi_spec_validator import validate as validate_openapi

from survey.models import Assessment
from survey.services.banks import current_bank
from survey.services.serialise import Result as ResultModel
from tests.conftest import add_responses, create_assessment, uniform_answers


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def result_of(client: FlaskClient, assessment: Assessment) -> dict[str, Any]:
    response = client.get(
        f"/api/v1/assessments/{assessment.id}/result", headers=bearer(assessment.report_token)
    )
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    body: dict[str, Any] = response.get_json()
    return body


def mixed_case() -> Assessment:
    """Threshold 3, three responses a side.

    Marketing scores 4 everywhere, except regular_joint_sessions answered 5, 3, 4
    (mean 4, sample sd 1) and budget_fights answered 1 (reverse: scores 5).
    Sales scores 2 everywhere, budget_fights answered 5 (scores 1).
    Marketing (39·4 + 4 + 5)/41 × 20 = 3300/41 = 80.49; sales (39·2 + 2 + 1)/41 × 20 =
    1620/41 = 39.51; organisation 4920/82 = 60.0, the lower edge of Aligned.

    Intervals: the marketing respondents' own scores are 166/41, 164/41 and 165/41
    (sd 1/41), so se = 20 × (1/41)/√3 = 0.2816 and t(0.975, 2) = 4.3027 give
    80.49 ± 1.21; every sales respondent scores 81/41 (no spread, no width). The
    organisation: se = ½ × 0.2816 = 0.1408 with 2 degrees of freedom → 60.0 ± 0.61,
    which reaches below 60 into Defined.
    """
    assessment = create_assessment(threshold=3)
    for first in (5, 3, 4):
        answers = uniform_answers(4)
        answers.update(regular_joint_sessions=first, budget_fights=1)
        add_responses(assessment, "marketing", answers)
    sales = uniform_answers(2)
    sales["budget_fights"] = 5
    add_responses(assessment, "sales", sales, count=3)
    return assessment


def test_result_body_for_a_placed_case(app: Flask, client: FlaskClient) -> None:
    body = result_of(client, mixed_case())
    assert body["status"] == "placed"
    assert body["threshold"] == 3
    assert body["bank_version"] == 1
    assert body["responses"] == {
        "marketing": {"counted": 3, "excluded": 0},
        "sales": {"counted": 3, "excluded": 0},
    }
    assert body["score"] == 60.0
    assert body["score_interval"] == {
        "low": pytest.approx(59.39, abs=0.01),
        "high": pytest.approx(60.61, abs=0.01),
    }
    assert body["type"] == "aligned"
    assert body["likely_types"] == ["defined", "aligned"]
    assert body["next_type"] == "integrated"
    assert body["sides"] == {
        "marketing": {
            "score": 80.49,
            "interval": {
                "low": pytest.approx(79.28, abs=0.01),
                "high": pytest.approx(81.70, abs=0.01),
            },
            "type": "integrated",
            "status": "shown",
            "visible": True,
            "needed": 0,
        },
        "sales": {
            "score": 39.51,
            "interval": {"low": 39.51, "high": 39.51},
            "type": "undefined",
            "status": "shown",
            "visible": True,
            "needed": 0,
        },
    }
    # Integrated and Undefined: three bands apart
    assert body["sides_apart"] == 3
    assert body["missing_sides"] == []

    dimensions = {d["id"]: d for d in body["dimensions"]}
    assert len(dimensions) == 9
    # marketing (4·4 + 5)/5 × 20 = 84, sales (4·2 + 1)/5 × 20 = 36
    # every respondent of a side scores this dimension alike (tested as if one answer were a
    # point off): t = 2.4/√(2/9) ≈ 5.1 with 4 degrees of freedom, p ≈ 0.007 → flagged
    assert dimensions["shared_goals_and_rewards"] == {
        "id": "shared_goals_and_rewards",
        "title": "Shared goals and rewards",
        "marketing": 84.0,
        "sales": 36.0,
        "combined": 60.0,
        "gap": 48.0,
        "flagged": True,
    }
    assert dimensions["communication"]["marketing"] == 80.0
    assert dimensions["communication"]["sales"] == 40.0

    items = {i["id"]: i for i in body["items"]}
    assert len(items) == 41
    # Three answers a side: a spread needs six (twice the threshold), so it is null.
    # regular_joint_sessions: marketing 5, 3, 4 (variance 1), sales 2, 2, 2 (tested as
    # 1/3): t = 2/√(1/3 + 1/9) = 3.0, df ≈ 3.2, p ≈ 0.053; after Benjamini–Hochberg
    # across the 41 items it stays the largest, q = p ≈ 0.053 < 0.10 → flagged.
    assert items["regular_joint_sessions"] == {
        "id": "regular_joint_sessions",
        "dimension": "communication",
        "reverse": False,
        "marketing": {"mean": 4.0, "sd": None, "answered": 3, "dont_know": 0},
        "sales": {"mean": 2.0, "sd": None, "answered": 3, "dont_know": 0},
        "gap": 2.0,
        "flagged": True,
    }
    assert items["budget_fights"] == {
        "id": "budget_fights",
        "dimension": "shared_goals_and_rewards",
        "reverse": True,
        "marketing": {"mean": 5.0, "sd": None, "answered": 3, "dont_know": 0},
        "sales": {"mean": 1.0, "sd": None, "answered": 3, "dont_know": 0},
        "gap": 4.0,
        "flagged": True,
    }

    # every dimension combines to 60, so the six Aligned moves tie and keep catalogue order;
    # every item combines to 3, so reasons are the first two items of the move's dimensions
    assert [m["id"] for m in body["moves"]] == [
        "chief_revenue_officer",
        "define_funnel_together",
        "split_upstream_downstream",
        "shared_targets_and_rewards",
        "integrated_metrics",
        "shared_crm_and_automation",
    ]
    first = body["moves"][0]
    assert first["title"] == "Put one leader over revenue"
    assert first["action"].startswith("Appoint a chief revenue officer")
    assert first["score"] == 60.0
    assert first["reasons"] == [
        {"item": "one_revenue_chief", "marketing": 4.0, "sales": 2.0, "gap": 2.0},
        {"item": "people_move_between_teams", "marketing": 4.0, "sales": 2.0, "gap": 2.0},
    ]
    # no context: the advice is undecided and names the questions of the Aligned row;
    # the next steps show both options
    bank = current_bank()
    (aligned_row,) = [r for r in bank.advisor_rules if r.type_id == "aligned"]
    asked = {c.factor for c in (*aligned_row.stay_if, *aligned_row.move_if)}
    assert body["advice"] == {
        "verdict": "undecided",
        "current": "aligned",
        "next_step": None,
        "target": None,
        "reasons_to_move": [],
        "reasons_to_stay": [],
        "missing_questions": [
            {"id": f.id, "question": f.question.get()}
            for f in bank.context_factors
            if f.id in asked
        ],
        "context_missing": True,
    }
    assert body["next_steps"] == "both"
    # the moves into Aligned (all tie at 60: catalogue order)
    assert [m["id"] for m in body["strengthening"]] == [
        m.id for m in bank.moves if m.from_type == "defined"
    ]


def test_rounding_and_move_order(app: Flask, client: FlaskClient) -> None:
    """Both sides score 3 everywhere except feedback_and_insight (1 on both) and
    culture_and_trust (sales 2). Organisation 2210/41 = 53.90 (Defined); marketing
    113/41 × 20 = 55.12, sales 108/41 × 20 = 52.68. Moves from Defined ranked by the
    mean of their dimensions (feedback 20, culture 50, others 60)."""

    def answers(sales: bool) -> dict[str, int | None]:
        result: dict[str, int | None] = {}
        for item in current_bank().items:
            value = {"feedback_and_insight": 1, "culture_and_trust": 2 if sales else 3}.get(
                item.dimension, 3
            )
            result[item.id] = 6 - value if item.reverse else value
        return result

    assessment = create_assessment(threshold=2)
    add_responses(assessment, "marketing", answers(sales=False), count=2)
    add_responses(assessment, "sales", answers(sales=True), count=2)
    body = result_of(client, assessment)
    assert body["score"] == 53.9
    assert body["type"] == "defined"
    assert body["sides"]["marketing"]["score"] == 55.12
    assert body["sides"]["sales"]["score"] == 52.68
    assert [(m["id"], m["score"]) for m in body["moves"]] == [
        ("better_sales_feedback", 40.0),
        ("marketing_liaison", 43.33),
        ("joint_assignments_and_rotation", 46.67),
        ("sit_together", 55.0),
        ("disciplined_communication", 60.0),
    ]
    culture = next(d for d in body["dimensions"] if d["id"] == "culture_and_trust")
    assert (culture["marketing"], culture["sales"], culture["gap"]) == (60.0, 40.0, 20.0)


def test_waiting_hides_everything_of_the_hidden_side(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    body = result_of(client, assessment)
    assert body["status"] == "waiting"
    assert body["score"] is None
    assert body["type"] is None
    assert body["next_type"] is None
    assert body["moves"] == []
    assert body["sides"]["marketing"] == {
        "score": 80.0,
        "interval": {"low": 80.0, "high": 80.0},
        "type": "integrated",
        "status": "shown",
        "visible": True,
        "needed": 0,
    }
    # the two sales responses wait for a whole group: nothing of them is published
    assert body["sides"]["sales"] == {
        "score": None,
        "interval": None,
        "type": None,
        "status": "too_few_responses",
        "visible": False,
        "needed": 5,
    }
    assert body["sides_apart"] is None
    assert body["responses"]["sales"] == {"counted": 0, "excluded": 0}
    assert body["score_interval"] is None
    assert body["likely_types"] == []
    for item in body["items"]:
        assert item["sales"] == {"mean": None, "sd": None, "answered": None, "dont_know": None}
        assert item["gap"] is None
        assert item["flagged"] is None
        assert item["marketing"]["mean"] == 4.0
        assert item["marketing"]["answered"] == 5
    for dimension in body["dimensions"]:
        assert dimension["sales"] is None
        assert dimension["combined"] is None
        assert dimension["gap"] is None
        assert dimension["flagged"] is None
    assert body["next_steps"] is None
    assert body["strengthening"] == []
    # no placement: no verdict and no target
    assert body["advice"]["verdict"] is None
    assert body["advice"]["current"] is None
    assert body["advice"]["next_step"] is None
    assert body["advice"]["target"] is None
    assert body["advice"]["missing_questions"] == []


def test_a_side_without_responses_is_listed_missing(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    body = result_of(client, assessment)
    assert body["missing_sides"] == ["sales"]
    assert body["sides"]["sales"] == {
        "score": None,
        "interval": None,
        "type": None,
        "status": "too_few_responses",
        "visible": False,
        "needed": 5,
    }


def test_excluded_responses_are_counted_per_side(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=5)
    # the excluded responses are published with the side's next whole group
    add_responses(assessment, "sales", {"know_whom_to_call": 2}, count=1)
    add_responses(assessment, "marketing", {"know_whom_to_call": 5}, count=2)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    body = result_of(client, assessment)
    assert body["responses"] == {
        "marketing": {"counted": 5, "excluded": 2},
        "sales": {"counted": 5, "excluded": 1},
    }
    assert body["score"] == 70.0


def assert_refused(response: Any) -> None:
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    body = response.get_json()
    assert set(body) == {"error"}
    assert "score" not in response.get_data(as_text=True)


def test_missing_token_is_401(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    assert_refused(client.get(f"/api/v1/assessments/{assessment.id}/result"))
    assert_refused(
        client.get(
            f"/api/v1/assessments/{assessment.id}/result",
            headers={"Authorization": f"Basic {assessment.report_token}"},
        )
    )
    assert_refused(
        client.get(
            f"/api/v1/assessments/{assessment.id}/result", headers={"Authorization": "Bearer "}
        )
    )


def test_wrong_token_is_401(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    for token in ("wrong", assessment.marketing_token, assessment.report_token + "x"):
        response = client.get(f"/api/v1/assessments/{assessment.id}/result", headers=bearer(token))
        assert_refused(response)
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]


def test_another_assessments_token_is_401(app: Flask, client: FlaskClient) -> None:
    mine = mixed_case()
    other = create_assessment(name="Other wave")
    assert_refused(
        client.get(f"/api/v1/assessments/{mine.id}/result", headers=bearer(other.report_token))
    )
    assert_refused(
        client.get(f"/api/v1/assessments/{other.id}/result", headers=bearer(mine.report_token))
    )


def test_unknown_id_is_404_with_a_token_and_401_without(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    unknown = assessment.id + 1000
    response = client.get(
        f"/api/v1/assessments/{unknown}/result", headers=bearer(assessment.report_token)
    )
    assert response.status_code == 404
    assert set(response.get_json()) == {"error"}
    assert_refused(client.get(f"/api/v1/assessments/{unknown}/result"))


def test_csrf_protection_does_not_block_reads(make_app: Any) -> None:
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        assessment = mixed_case()
        response = app.test_client().get(
            f"/api/v1/assessments/{assessment.id}/result", headers=bearer(assessment.report_token)
        )
        assert response.status_code == 200
        assert response.get_json()["score"] == 60.0


def test_api_and_report_page_agree(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    body = result_of(client, assessment)
    html = client.get(f"/r/{assessment.report_token}").get_data(as_text=True)
    shown = re.search(
        r"Score (\d+) on a scale from 20 to 100, likely between (\d+) and (\d+)\.", html
    )
    assert shown is not None
    # the page rounds down and widens the range to whole numbers
    assert [int(n) for n in shown.groups()] == [
        math.floor(body["score"]),
        math.floor(body["score_interval"]["low"]),
        math.ceil(body["score_interval"]["high"]),
    ]
    # the interval crosses 60: the page names both types instead of a flat "Aligned"
    names = [current_bank().type(t).name.get() for t in body["likely_types"]]
    assert f'<p class="type-name unsettled">Between {names[0]} and {names[-1]}</p>' in html
    sides = re.findall(r'<div class="side-score side-\w+">.*?<strong>(.*?)</strong>', html, re.S)
    assert [int(s) for s in sides] == [
        math.floor(body["sides"]["marketing"]["score"]),
        math.floor(body["sides"]["sales"]["score"]),
    ]
    flagged = html.count('<td class="num flagged">')
    assert flagged == sum(1 for item in body["items"] if item["flagged"])
    assert "If you move up: from Aligned to Integrated" in html
    assert body["next_steps"] == "both"


def test_the_verdicts_and_their_steps_in_json(app: Flask, client: FlaskClient) -> None:
    """Defined (50). The row of Defined with products shaped during the sale: move up,
    only the moves towards Aligned. With standard products instead: stay, only the
    moves into Defined, under "strengthening"."""
    bank = current_bank()
    moving = create_assessment(threshold=2, context={"customised_during_sale": True})
    staying = create_assessment(name="Other wave", threshold=2, context={"standard_products": True})
    for assessment in (moving, staying):
        add_responses(assessment, "marketing", uniform_answers(3), count=2)
        add_responses(assessment, "sales", uniform_answers(2), count=2)

    body = result_of(client, moving)
    assert body["advice"]["verdict"] == "move_up"
    assert body["advice"]["next_step"] == "aligned"
    assert body["advice"]["target"] == "aligned"  # the row of Aligned is not answered
    (reason,) = body["advice"]["reasons_to_move"]
    assert reason.startswith("Shaping products during the sale")
    assert body["next_steps"] == "move_up"
    assert {m["id"] for m in body["moves"]} == {
        m.id for m in bank.moves if m.from_type == "defined"
    }
    assert body["strengthening"] == []

    body = result_of(client, staying)
    assert body["advice"]["verdict"] == "stay"
    assert body["advice"]["next_step"] is None
    assert body["advice"]["target"] == "defined"
    assert body["advice"]["reasons_to_move"] == []
    assert len(body["advice"]["reasons_to_stay"]) == 1
    assert body["next_steps"] == "strengthen"
    assert body["moves"] == []
    assert {m["id"] for m in body["strengthening"]} == {
        m.id for m in bank.moves if m.from_type == "undefined"
    }


def test_assessment_details(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    response = client.get(
        f"/api/v1/assessments/{assessment.id}", headers=bearer(assessment.report_token)
    )
    assert response.status_code == 200
    body = response.get_json()
    assert body["organisation"] == "Acme Ltd"
    assert body["wave"] == "Baseline"
    assert body["threshold"] == 3
    assert body["responses"] == {
        "marketing": {"counted": 3, "excluded": 0, "waiting": 0},
        "sales": {"counted": 3, "excluded": 0, "waiting": 0},
    }
    assert_refused(client.get(f"/api/v1/assessments/{assessment.id}"))


def test_responses_are_not_cached_by_shared_caches(app: Flask, client: FlaskClient) -> None:
    assessment = mixed_case()
    response = client.get(
        f"/api/v1/assessments/{assessment.id}/result", headers=bearer(assessment.report_token)
    )
    assert "no-store" in response.headers["Cache-Control"]
    assert "Authorization" in response.headers["Vary"]


# --------------------------------------------------------------------------- OpenAPI


def openapi(client: FlaskClient) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    document: dict[str, Any] = response.get_json()
    return document


def validator_for(document: dict[str, Any], schema: str) -> jsonschema.Draft202012Validator:
    """A JSON Schema 2020-12 validator (OpenAPI 3.1's dialect) for one component."""
    root = {"$ref": f"#/components/schemas/{schema}", "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_the_openapi_document_is_valid_openapi_3_1(app: Flask, client: FlaskClient) -> None:
    document = openapi(client)
    validate_openapi(document)  # raises on any breach of the OpenAPI 3.1 specification
    assert document["openapi"].startswith("3.1")
    assert set(document["paths"]) == {
        "/api/v1/assessments/{assessment_id}",
        "/api/v1/assessments/{assessment_id}/result",
    }
    result = document["components"]["schemas"]["Result"]
    # generated from the serialiser's own models: every key of the body is described
    assert set(result["properties"]) == set(ResultModel.model_fields)
    assert set(result["required"]) == set(ResultModel.model_fields)


def hidden_item_case() -> Assessment:
    """Placed, threshold 3, but one question answered by only two marketing people."""
    assessment = create_assessment(threshold=3)
    add_responses(assessment, "marketing", uniform_answers(4), count=2)
    answers = uniform_answers(4)
    answers["know_whom_to_call"] = None  # "don't know"
    add_responses(assessment, "marketing", answers)
    add_responses(assessment, "sales", uniform_answers(3), count=3)
    return assessment


def funnel_case() -> Assessment:
    """Placed, threshold 3, and the sides place the funnel's handoff apart: marketing at
    purchase intention (one of its people doesn't know about advocacy), sales at brand
    consideration."""
    funnel = current_bank().funnel
    assert funnel is not None
    stages = [f"funnel:{stage.id}" for stage in funnel.stages]
    assessment = create_assessment(threshold=3)
    marketing = dict(zip(stages, (1, 1, 1, 1, 2, 2, 2, None), strict=True))
    sales = dict(zip(stages, (1, 1, 2, 2, 2, 2, 2, 2), strict=True))
    add_responses(assessment, "marketing", {**uniform_answers(4), **marketing}, count=3)
    add_responses(assessment, "sales", {**uniform_answers(3), **sales}, count=3)
    return assessment


def test_real_results_match_the_openapi_document(app: Flask, client: FlaskClient) -> None:
    document = openapi(client)
    results = validator_for(document, "Result")
    waiting = create_assessment(threshold=5)
    add_responses(waiting, "marketing", uniform_answers(4), count=5)
    add_responses(waiting, "sales", uniform_answers(3), count=2)
    bodies = {
        "waiting": result_of(client, waiting),
        "placed": result_of(client, mixed_case()),
        "placed with a hidden item": result_of(client, hidden_item_case()),
        "placed with the funnel's handoff apart": result_of(client, funnel_case()),
    }
    assert bodies["waiting"]["status"] == "waiting"
    assert bodies["placed"]["status"] == "placed"
    hidden = next(
        i for i in bodies["placed with a hidden item"]["items"] if i["id"] == "know_whom_to_call"
    )
    assert hidden["marketing"]["mean"] is None
    assert hidden["gap"] is None
    funnel = bodies["placed with the funnel's handoff apart"]["funnel"]
    assert funnel["handoff_apart"] is True
    assert funnel["stages"][-1]["marketing"]["shares"] is None  # two named someone: hidden
    assert bodies["placed"]["original"]["items"] == 20
    assert bodies["waiting"]["original"]["score"] is None
    for name, body in bodies.items():
        errors = [error.message for error in results.iter_errors(body)]
        assert errors == [], f"{name}: {errors}"
    info = client.get(f"/api/v1/assessments/{waiting.id}", headers=bearer(waiting.report_token))
    assert list(validator_for(document, "AssessmentInfo").iter_errors(info.get_json())) == []
    refused = client.get(f"/api/v1/assessments/{waiting.id}/result")
    assert list(validator_for(document, "ApiError").iter_errors(refused.get_json())) == []


def test_the_schema_check_catches_a_body_that_drifts(app: Flask, client: FlaskClient) -> None:
    results = validator_for(openapi(client), "Result")
    body = result_of(client, mixed_case())
    body["score"] = "sixty"
    body["sides"]["sales"]["status"] = "asleep"
    body["surprise"] = 1
    messages = " | ".join(error.message for error in results.iter_errors(body))
    assert "'sixty' is not valid under any of the given schemas" in messages  # number or null
    assert "'asleep' is not one of" in messages
    assert "'surprise' was unexpected" in messages
