"""The leadership report at /r/<token> and its charts, with numbers worked out by hand.

The bank has 41 items in 9 dimensions; 6 items are reverse-worded. Answers are
built so that each item *scores* a chosen value (reverse items are answered
with the mirror 6 − v), which keeps the arithmetic short.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest
from flask import Flask
from flask.testing import FlaskClient

from scoring import AssessmentResult, Bank
from survey import charts
from survey.extensions import db
from survey.models import Assessment
from survey.services.assessments import rotate_report_token
from survey.services.banks import current_bank
from tests.conftest import add_responses, create_assessment, uniform_answers

CHART_NAMES = ("placement", "dimensions", "gaps")


def scoring_answers(by_dimension: Mapping[str, int], default: int) -> dict[str, int | None]:
    """Answers whose scored value is ``by_dimension[d]`` in dimension ``d``, else ``default``."""
    answers: dict[str, int | None] = {}
    for item in current_bank().items:
        value = by_dimension.get(item.dimension, default)
        answers[item.id] = 6 - value if item.reverse else value
    return answers


def page(client: FlaskClient, assessment: Assessment) -> str:
    response = client.get(f"/r/{assessment.report_token}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def count_row(html: str, side: str) -> tuple[int, int]:
    row = re.search(rf'<tr class="count-{side}">(.*?)</tr>', html, re.S)
    assert row is not None
    counted, excluded = re.findall(r'<td class="num">(\d+)</td>', row.group(1))
    return int(counted), int(excluded)


def placed_70() -> Assessment:
    # marketing 5 × scoring 4 everywhere → 80; sales 5 × 3 → 60; organisation 70.0, Aligned
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    return assessment


def test_report_shows_placement_sides_advice_and_counts(app: Flask, client: FlaskClient) -> None:
    assessment = placed_70()
    html = page(client, assessment)
    text = text_of(html)
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert "Acme Ltd" in text
    assert "Wave: Baseline" in text
    assert "Created on " in text
    assert '<p class="type-name">Aligned</p>' in html
    assert "Score 70.0 on a scale from 20 to 100" in text
    assert "The teams plan and train together" in text  # the type's description
    side_scores = re.findall(
        r'<div class="side-score side-(\w+)">.*?<strong>(.*?)</strong>', html, re.S
    )
    assert side_scores == [("marketing", "80.0"), ("sales", "60.0")]
    # no context given: the advice is only "the next type up"
    assert "Recommendation: move up to Integrated." in text
    assert "context has not been filled in" in text
    assert count_row(html, "marketing") == (5, 0)
    assert count_row(html, "sales") == (5, 0)


def test_dimensions_gaps_and_spread_for_the_uniform_case(app: Flask, client: FlaskClient) -> None:
    html = page(client, placed_70())
    text = text_of(html)
    # every dimension: marketing 80, sales 60, both 70, difference +20
    assert text.count("80.0 60.0 70.0 +20.0") == 9
    # every item differs by 4 − 3 = +1.00, so all 41 are marked
    assert html.count('<td class="num flagged">+1.00</td>') == 41
    assert "41 questions, largest first; 41 are marked" in html  # the chart's alt text
    # identical answers within each side: no spread at all
    spread = html.split('id="spread"')[1].split("</section>")[0]
    assert spread.count('<td class="num">0.00</td>') == 41 * 2


def test_mixed_answers_hand_computed(app: Flask, client: FlaskClient) -> None:
    """Three responses a side, two items set apart.

    Marketing scores 4 everywhere, except regular_joint_sessions answered 5, 3, 4
    (mean 4, sample sd √((1+1+0)/2) = 1.00) and budget_fights (reverse) answered
    1, scoring 5. Side: (39·4 + 4 + 5)/41 = 165/41 → ×20 = 80.49.
    Sales scores 2 everywhere, budget_fights answered 5 (scores 1):
    (39·2 + 2 + 1)/41 = 81/41 → 39.51. Organisation (165 + 81)/41 × 10 = 60.0,
    exactly the lower edge of Aligned.
    """
    assessment = create_assessment(threshold=3)
    for first in (5, 3, 4):
        answers = uniform_answers(4)
        answers.update(regular_joint_sessions=first, budget_fights=1)
        add_responses(assessment, "marketing", answers)
    sales = uniform_answers(2)
    sales["budget_fights"] = 5
    add_responses(assessment, "sales", sales, count=3)

    html = page(client, assessment)
    text = text_of(html)
    assert '<p class="type-name">Aligned</p>' in html
    assert "Score 60.0 on a scale from 20 to 100" in text
    assert "Marketing 80.5 Sales 39.5" in text
    # shared goals and rewards: marketing (4·4 + 5)/5 = 4.2 → 84.0, sales (4·2 + 1)/5 → 36.0
    assert "Shared goals and rewards 84.0 36.0 60.0 +48.0" in text
    assert "Communication 80.0 40.0 60.0 +40.0" in text
    # the budget item: marketing 5.00, sales 1.00, gap +4.00, and it is the biggest gap
    flagged = html.split('class="report-table flagged-items"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", flagged, re.S)
    assert "We and sales fight over how much of the budget each team gets." in rows[1]
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', rows[1]) == ["5.00", "1.00", "+4.00"]
    spread = html.split('id="spread"')[1].split("</section>")[0]
    row = re.search(r"<td>We have a fixed weekly or monthly session.*?</tr>", spread, re.S)
    assert row is not None
    assert re.findall(r'<td class="num">([^<]+)</td>', row.group(0)) == ["1.00", "0.00"]


def test_moves_of_the_placed_transition_in_order(app: Flask, client: FlaskClient) -> None:
    """Every item scores 3 on both sides, except feedback_and_insight (1 on both)
    and culture_and_trust (marketing 3, sales 2).

    Marketing: (36·3 + 5·1)/41 = 113/41 → 55.12; sales: (31·3 + 5·1 + 5·2)/41 =
    108/41 → 52.68; organisation 2210/41 = 53.9 → Defined. Combined dimension
    scores: feedback 20, culture (60 + 40)/2 = 50, all others 60. The moves from
    Defined, by the mean of their dimensions:
    better_sales_feedback (20, 60) 40.0; marketing_liaison (60, 20, 50) 43.3;
    joint_assignments_and_rotation (60, 20, 60) 46.7; sit_together (60, 50) 55.0;
    disciplined_communication (60, 60) 60.0.
    """
    bank: Bank = current_bank()
    assessment = create_assessment(threshold=2)
    add_responses(assessment, "marketing", scoring_answers({"feedback_and_insight": 1}, 3), count=2)
    add_responses(
        assessment,
        "sales",
        scoring_answers({"feedback_and_insight": 1, "culture_and_trust": 2}, 3),
        count=2,
    )
    html = page(client, assessment)
    text = text_of(html)
    assert '<p class="type-name">Defined</p>' in html
    assert "Score 53.9 on a scale" in text
    assert "Marketing 55.1 Sales 52.7" in text
    assert "Recommendation: move up to Aligned." in text

    expected = [
        ("better_sales_feedback", "40.0"),
        ("marketing_liaison", "43.3"),
        ("joint_assignments_and_rotation", "46.7"),
        ("sit_together", "55.0"),
        ("disciplined_communication", "60.0"),
    ]
    # every move of the transition, read from the bank, is listed; no other move is
    from_defined = {move.id for move in bank.moves if move.from_type == "defined"}
    assert {move_id for move_id, _ in expected} == from_defined
    for move in bank.moves:
        if move.from_type != "defined":
            assert move.title.get() not in text
    titles = re.findall(r"<h3>\d+\. (.*?)</h3>", html)
    by_id = {move.id: move for move in bank.moves}
    assert titles == [by_id[move_id].title.get().replace("'", "&#39;") for move_id, _ in expected]
    scores = re.findall(r"Combined score of its areas: ([\d.]+)", text)
    assert scores == [score for _, score in expected]
    assert by_id["better_sales_feedback"].action.get() in text
    # its reasons: the two weakest items of feedback + systems, both feedback items
    first_move = html.split('<li class="move">')[1]
    reasons = re.findall(r"<li>(.*?) —\s*(marketing .*?)</li>", first_move, re.S)
    assert [(wording.strip(), numbers.strip()) for wording, numbers in reasons] == [
        (
            bank.item("sales_gives_requested_feedback").marketing.get(),
            "marketing 1.00, sales 1.00, difference 0.00",
        ),
        (
            bank.item("campaign_feedback_loop").marketing.get(),
            "marketing 1.00, sales 1.00, difference 0.00",
        ),
    ]


def test_advice_to_hold_with_its_reasons(app: Flask, client: FlaskClient) -> None:
    """Defined (50.0: marketing 60, sales 40). Context: conflicts are evident (a reason to
    move past Undefined), no customised products and no commoditising market (two reasons
    to stay Defined, none to move on) → target Defined, so: hold."""
    assessment = create_assessment(
        threshold=2,
        context={
            "evident_conflicts": True,
            "customised_during_sale": False,
            "commoditising_market": False,
        },
    )
    add_responses(assessment, "marketing", uniform_answers(3), count=2)
    add_responses(assessment, "sales", uniform_answers(2), count=2)
    text = text_of(page(client, assessment))
    assert "Score 50.0" in text
    assert "Recommendation: hold and strengthen where you are (Defined)." in text
    assert "move up to" not in text
    assert "context has not been filled in" not in text
    assert "Type worth aiming for: Defined." in text
    for reason in (
        "Open quarrels waste time and goodwill",
        "Standard products can be sold well",
        "While your products still stand apart from rivals'",
    ):
        assert reason in text


def test_waiting_for_sales_hides_every_sales_number(app: Flask, client: FlaskClient) -> None:
    # marketing 5 × 4 (80.0), sales 2 × 3 (would be 60.0, means 3.00), threshold 5
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    html = page(client, assessment)
    text = text_of(html)
    assert "3 more sales responses needed before sales can be shown." in text
    assert "marketing responses needed" not in text
    assert "Sales is missing" not in text
    assert "80.0" in text  # marketing has enough responses to be shown
    for hidden in ("60.0", "3.00", "70.0", "0.00"):
        assert hidden not in html
    for relationship_type in current_bank().types:
        assert relationship_type.name.get() not in text
    assert "<img" not in html
    assert "Next steps" not in text
    assert count_row(html, "sales") == (2, 0)
    assert count_row(html, "marketing") == (5, 0)


def test_one_more_response_is_singular(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=3)
    add_responses(assessment, "marketing", uniform_answers(4), count=3)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    assert "1 more sales response needed before sales can be shown." in text_of(
        page(client, assessment)
    )


def test_a_side_without_responses_is_named_missing(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    text = text_of(page(client, assessment))
    assert "Marketing is missing: no marketing responses have been counted yet." in text
    assert "5 more marketing responses needed before marketing can be shown." in text
    assert "Sales is missing" not in text


def test_excluded_responses_are_counted_per_side(app: Flask, client: FlaskClient) -> None:
    assessment = placed_70()
    # one answer out of 41 is far below two thirds: kept but excluded
    add_responses(assessment, "sales", {"know_whom_to_call": 2}, count=1)
    add_responses(assessment, "marketing", {"know_whom_to_call": 5}, count=2)
    html = page(client, assessment)
    assert count_row(html, "marketing") == (5, 2)
    assert count_row(html, "sales") == (5, 1)
    assert "Score 70.0" in text_of(html)  # the excluded answers change nothing


def test_unknown_report_token_is_404(app: Flask, client: FlaskClient) -> None:
    placed_70()
    assert client.get("/r/not-a-token").status_code == 404
    assert client.get("/r/not-a-token/charts/placement.svg").status_code == 404


def test_rotated_report_token_stops_working(app: Flask, client: FlaskClient) -> None:
    assessment = placed_70()
    old = assessment.report_token
    rotate_report_token(assessment)
    db.session.commit()
    assert client.get(f"/r/{old}").status_code == 404
    assert client.get(f"/r/{old}/charts/placement.svg").status_code == 404
    assert client.get(f"/r/{assessment.report_token}").status_code == 200


# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("name", CHART_NAMES)
def test_chart_routes_serve_svg(app: Flask, client: FlaskClient, name: str) -> None:
    assessment = placed_70()
    html = page(client, assessment)
    url = f"/r/{assessment.report_token}/charts/{name}.svg"
    assert f'src="{url}"' in html
    response = client.get(url)
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.data.startswith(b"<?xml")
    assert b"<script" not in response.data
    assert response.headers["Cache-Control"].startswith("private, max-age=")
    etag = response.headers["ETag"]
    assert assessment.report_token not in etag
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_chart_while_waiting(app: Flask, client: FlaskClient, name: str) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    assert client.get(f"/r/{assessment.report_token}/charts/{name}.svg").status_code == 404


def test_unknown_chart_name_is_404(app: Flask, client: FlaskClient) -> None:
    assessment = placed_70()
    assert client.get(f"/r/{assessment.report_token}/charts/pie.svg").status_code == 404


def test_chart_is_redrawn_only_after_a_new_response(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float | None] = []
    original = charts.CHARTS["placement"]

    def counting(bank: Bank, result: AssessmentResult, locale: str) -> bytes:
        calls.append(result.score)
        return original(bank, result, locale)

    monkeypatch.setitem(charts.CHARTS, "placement", counting)
    assessment = placed_70()
    url = f"/r/{assessment.report_token}/charts/placement.svg"
    first = client.get(url)
    second = client.get(url)
    assert calls == [70.0]
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]

    # one more sales response scoring 5: sales (5·3 + 5)/6 = 10/3 → 66.67; organisation 73.33
    add_responses(assessment, "sales", uniform_answers(5))
    third = client.get(url)
    assert len(calls) == 2
    assert calls[1] == pytest.approx(220 / 3)
    assert third.headers["ETag"] != first.headers["ETag"]
    assert b"Organisation 73.3" in third.data
