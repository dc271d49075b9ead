"""The leadership report at /r/<token> and its charts, with numbers worked out by hand.

The bank has 41 items in 9 dimensions; 6 items are reverse-worded. Answers are
built so that each item *scores* a chosen value (reverse items are answered
with the mirror 6 − v), which keeps the arithmetic short.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from scoring import AssessmentResult, Bank, Side, score_responses
from scoring import Response as ScoringResponse
from scoring.advisor import Context
from survey import charts
from survey.charts import Canvas
from survey.extensions import db
from survey.models import Assessment
from survey.report import routes as report_routes
from survey.services.assessments import rotate_report_token
from survey.services.banks import bank_of, current_bank
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


def section(html: str, section_id: str) -> str:
    return html.split(f'id="{section_id}"')[1].split("</section>")[0]


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
    # every respondent of a side gave the same answers: no spread, so no range either
    assert "Score 70 on a scale from 20 to 100." in text
    assert "likely between" not in text
    assert "The teams plan and train together" in text  # the type's description
    # each side's own type next to the combined one
    assert "Marketing on its own: Integrated, 80." in text
    assert "Sales on its own: Aligned, 60." in text
    assert "see the relationship very differently" not in text  # one band apart only
    side_scores = re.findall(
        r'<div class="side-score side-(\w+)">.*?<strong>(.*?)</strong>', html, re.S
    )
    assert side_scores == [("marketing", "80"), ("sales", "60")]
    # no context given: no recommendation, the questions of the Aligned row, both options
    assert "No recommendation yet: the organisation's situation has not been described." in text
    assert "context has not been filled in" in text
    assert "Recommendation:" not in text
    asked = re.findall(r'<ul class="missing-questions">(.*?)</ul>', html, re.S)
    assert len(asked) == 1
    aligned_row = next(r for r in current_bank().advisor_rules if r.type_id == "aligned")
    row_factors = {c.factor for c in (*aligned_row.stay_if, *aligned_row.move_if)}
    assert [q.strip() for q in re.findall(r"<li>(.*?)</li>", asked[0])] == [
        f.question.get().replace("'", "&#39;")
        for f in current_bank().context_factors
        if f.id in row_factors
    ]
    assert "If you move up: from Aligned to Integrated" in text
    assert "If you stay: strengthening Aligned" in text
    assert count_row(html, "marketing") == (5, 0)
    assert count_row(html, "sales") == (5, 0)


def test_dimensions_gaps_and_spread_for_the_uniform_case(app: Flask, client: FlaskClient) -> None:
    html = page(client, placed_70())
    text = text_of(html)
    # every dimension: marketing 80, sales 60, both 70, difference +20
    assert text.count("80 60 70 +20") == 9
    # every item differs by 4 − 3 = +1.00 and, with five identical answers a side, the
    # difference is no accident (tested as if one answer were a point off: t ≈ 3.5, df 8,
    # p ≈ 0.008 for every item, still below 0.10 after Benjamini–Hochberg): all 41 marked
    assert html.count('<td class="num flagged">+1.00</td>') == 41
    # the chart's alt text: all 41 differ by a point, so all are among the largest
    assert "Bar chart of the 41 questions that differ most" in html
    assert "41 of all questions are marked" in html
    assert "could be chance" not in text
    spread = html.split('id="spread"')[1].split("</section>")[0]
    # five answers a side and no "don't know" per question
    assert (
        spread.count(
            '<td class="num answered group-start">5 <span class="dont-know">(0%)</span></td>'
        )
        == 41 * 2
    )
    # a spread needs twice the threshold (10) of answers: five are not enough
    assert spread.count('<td class="num sd">—</td>') == 41 * 2
    assert spread.count('<td class="num gap group-start flagged-gap">+1.00 ▲</td>') == 41
    assert "at least 10 people of that side answered" in text_of(spread)


def test_mixed_answers_hand_computed(app: Flask, client: FlaskClient) -> None:
    """Three responses a side, three items set apart.

    Marketing scores 4 everywhere, except regular_joint_sessions answered 5, 3, 4 and
    know_whom_to_call 3, 5, 4 (so each respondent's own total is the same, and the side's
    score has no spread) and budget_fights (reverse) answered 1, scoring 5. Side:
    (39·4 + 4 + 5)/41 = 165/41 → ×20 = 80.49 (Integrated). Sales scores 2 everywhere,
    budget_fights answered 5 (scores 1): (39·2 + 2 + 1)/41 = 81/41 → 39.51 (Undefined).
    Organisation (165 + 81)/41 × 10 = 60.0, exactly the lower edge of Aligned.
    """
    assessment = create_assessment(threshold=3)
    for first, second in ((5, 3), (3, 5), (4, 4)):
        answers = uniform_answers(4)
        answers.update(regular_joint_sessions=first, know_whom_to_call=second, budget_fights=1)
        add_responses(assessment, "marketing", answers)
    sales = uniform_answers(2)
    sales["budget_fights"] = 5
    add_responses(assessment, "sales", sales, count=3)

    html = page(client, assessment)
    text = text_of(html)
    assert '<p class="type-name">Aligned</p>' in html
    assert "Score 60 on a scale from 20 to 100." in text
    # whole numbers, rounded down so that each stays in its band: 80.49 → 80, 39.51 → 39
    assert "Marketing 80 Integrated Sales 39 Undefined" in text_of(section(html, "sides"))
    assert "Marketing on its own: Integrated, 80." in text
    assert "Sales on its own: Undefined, 39." in text
    # three bands apart: the plain warning
    assert (
        "Marketing places you at Integrated, sales at Undefined: the teams see the "
        "relationship very differently." in text
    )
    # shared goals and rewards: marketing (4·4 + 5)/5 = 4.2 → 84, sales (4·2 + 1)/5 → 36
    assert "Shared goals and rewards 84 36 60 +48" in text
    assert "Communication 80 40 60 +40" in text
    # the budget item: marketing 5.00, sales 1.00, gap +4.00, and it is the biggest gap
    flagged = html.split('class="report-table flagged-items"')[1].split("</table>")[0]
    rows = re.findall(r"<tr>(.*?)</tr>", flagged, re.S)
    assert "We and sales fight over how much of the budget each team gets." in rows[1]
    assert re.findall(r'<td class="num[^"]*">([^<]+)</td>', rows[1]) == ["5.00", "1.00", "+4.00"]
    spread = html.split('id="spread"')[1].split("</section>")[0]
    row = re.search(r">We have a fixed weekly or monthly session.*?</tr>", spread, re.S)
    assert row is not None
    # three answers a side; the spread (1.00 for marketing) needs six, so it is hidden
    cells = re.findall(r'<td class="num [\w -]+">(.*?)</td>', row.group(0))
    assert [re.sub(r"<[^>]+>", "", cell) for cell in cells] == [
        "3 (0%)",
        "4.00",
        "—",
        "3 (0%)",
        "2.00",
        "—",
        "+2.00 ▲",
    ]


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
    # products are tailored during the sale: a reason to move up from Defined
    assessment = create_assessment(threshold=2, context={"customised_during_sale": True})
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
    assert "Score 53 on a scale" in text
    # (both sides' respondents all alike: no range)
    assert "Marketing 55 Defined Sales 52 Defined" in text_of(section(html, "sides"))
    assert "Recommendation: move up to Aligned." in text
    assert "Moving up from Defined to Aligned" in text
    assert "Strengthening" not in text and "If you stay" not in text

    expected = [
        ("better_sales_feedback", "40"),
        ("marketing_liaison", "43"),
        ("joint_assignments_and_rotation", "46"),
        ("sit_together", "55"),
        ("disciplined_communication", "60"),
    ]
    # every move of the transition, read from the bank, is listed; no other move is
    from_defined = {move.id for move in bank.moves if move.from_type == "defined"}
    assert {move_id for move_id, _ in expected} == from_defined
    for move in bank.moves:
        if move.from_type != "defined":
            assert move.title.get() not in text
    titles = re.findall(r"<h4>\d+\. (.*?)</h4>", html)
    by_id = {move.id: move for move in bank.moves}
    assert titles == [by_id[move_id].title.get().replace("'", "&#39;") for move_id, _ in expected]
    scores = re.findall(r"Combined score of its areas: (\d+)", text)
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


def test_advice_to_stay_with_its_reasons_and_strengthening_steps(
    app: Flask, client: FlaskClient
) -> None:
    """Defined (50: marketing 60, sales 40). The row of Defined: standard products and a
    classic split of work that still serves (two reasons to stay); no commoditising
    market is no reason either way. Conflicts belong to the row of Undefined and are not
    read for an organisation at Defined. → stay, and strengthen Defined."""
    bank = current_bank()
    assessment = create_assessment(
        threshold=2,
        context={
            "evident_conflicts": True,
            "standard_products": True,
            "classic_roles_still_work": True,
            "commoditising_market": False,
        },
    )
    add_responses(assessment, "marketing", uniform_answers(3), count=2)
    add_responses(assessment, "sales", uniform_answers(2), count=2)
    html = page(client, assessment)
    text = text_of(html)
    assert "Score 50" in text
    assert (
        "Recommendation: stay at Defined and make it work better; moving up would cost more "
        "than it brings you now." in text
    )
    assert "move up to" not in text
    assert "context has not been filled in" not in text
    stay = re.findall(r'<ul class="advice-reasons reasons-to-stay">(.*?)</ul>', html, re.S)
    assert len(stay) == 1
    assert "Reasons to stay" in text and "Reasons to move up" not in text
    for reason in (
        "Standard products can be sold well",
        "When the familiar division of work still wins business",
    ):
        assert reason in stay[0]
    assert "Open quarrels waste time and goodwill" not in text
    # the next steps strengthen Defined: the moves into it, never a move towards Aligned
    assert "Strengthening Defined" in text
    into = [m for m in bank.moves if m.from_type == "undefined"]
    assert into
    for move in into:
        assert move.title.get().replace("'", "&#39;") in html
    for move in bank.moves:
        if move.from_type != "undefined":
            assert move.title.get().replace("'", "&#39;") not in html


def test_waiting_for_sales_hides_every_sales_number(app: Flask, client: FlaskClient) -> None:
    # marketing 5 × 4 (80), sales 2 × 3 (would be 60, means 3.00), threshold 5: the two
    # sales responses wait for a whole group and are not published
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    html = page(client, assessment)
    text = text_of(html)
    assert "more sales responses needed before sales can be shown." in text
    assert "marketing responses needed" not in text
    # marketing has enough responses to be shown; nothing of sales is
    assert re.findall(
        r'<div class="side-score side-(\w+)">.*?<strong>(.*?)</strong>', html, re.S
    ) == [
        ("marketing", "80"),
        ("sales", "—"),
    ]
    for hidden in ("3.00", "0.00", "Sales on its own"):
        assert hidden not in html
    assert re.search(r"\b(60|70)\b", text) is None
    for relationship_type in current_bank().types:
        assert relationship_type.name.get() not in text
    assert "<img" not in html
    assert "Next steps" not in text
    assert count_row(html, "marketing") == (5, 0)


def test_one_more_response_is_singular(app: Flask, client: FlaskClient) -> None:
    assessment = create_assessment(threshold=1)
    add_responses(assessment, "marketing", uniform_answers(4), count=1)
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
    assessment = create_assessment(threshold=5)
    # one answer out of 41 is far below two thirds: kept but excluded; they are
    # published with the next whole group of each side
    add_responses(assessment, "sales", {"know_whom_to_call": 2}, count=1)
    add_responses(assessment, "marketing", {"know_whom_to_call": 5}, count=2)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=5)
    html = page(client, assessment)
    assert count_row(html, "marketing") == (5, 2)
    assert count_row(html, "sales") == (5, 1)
    assert "Score 70 on a scale" in text_of(html)  # the excluded answers change nothing


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
    # phones get the narrow drawing, screens from 48rem the wide one
    assert f'src="{url}?size=narrow"' in html
    assert f'srcset="{url}?size=wide"' in html
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
    narrow = client.get(f"{url}?size=narrow")
    assert narrow.status_code == 200
    assert narrow.headers["ETag"] != etag
    assert client.get(f"{url}?size=huge").status_code == 404


@pytest.mark.parametrize("name", CHART_NAMES)
def test_no_chart_while_waiting(app: Flask, client: FlaskClient, name: str) -> None:
    assessment = create_assessment(threshold=5)
    add_responses(assessment, "marketing", uniform_answers(4), count=5)
    add_responses(assessment, "sales", uniform_answers(3), count=2)
    assert client.get(f"/r/{assessment.report_token}/charts/{name}.svg").status_code == 404


def test_unknown_chart_name_is_404(app: Flask, client: FlaskClient) -> None:
    assessment = placed_70()
    assert client.get(f"/r/{assessment.report_token}/charts/pie.svg").status_code == 404


def test_chart_is_redrawn_only_after_a_new_group_is_published(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float | None] = []
    original = charts.CHARTS["placement"]

    def counting(result: AssessmentResult, canvas: Canvas) -> bytes:
        calls.append(result.score)
        return original(result, canvas)

    monkeypatch.setitem(charts.CHARTS, "placement", counting)
    assessment = placed_70()
    url = f"/r/{assessment.report_token}/charts/placement.svg"
    first = client.get(url)
    second = client.get(url)
    assert calls == [70.0]
    assert second.data == first.data
    assert second.headers["ETag"] == first.headers["ETag"]

    # one more sales response waits for a whole group: nothing published moves
    add_responses(assessment, "sales", uniform_answers(5))
    assert client.get(url).headers["ETag"] == first.headers["ETag"]
    assert calls == [70.0]
    # four more complete the group: sales (5·3 + 5·5)/10 = 4 → 80; organisation 80
    add_responses(assessment, "sales", uniform_answers(5), count=4)
    third = client.get(url)
    assert len(calls) == 2
    assert calls[1] == pytest.approx(80.0)
    assert third.headers["ETag"] != first.headers["ETag"]
    assert b"Organisation: 80" in third.data


# --------------------------------------------------------------------------- the demo's story


def test_the_demo_report_tells_one_story(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    """Read off both demo reports: the verdict, its reasons and the next steps agree."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    bank = current_bank()
    links = [urlsplit(wave["report_link"]).path for wave in json.loads(result.stdout)["waves"]]
    baseline, follow_up = (client.get(link).get_data(as_text=True) for link in links)

    def titles(html: str, css: str) -> list[str]:
        lists = re.findall(rf'<ol class="moves {css}">(.*?)</ol>', html, re.S)
        # a step on the handoff carries its mark after the title
        return re.findall(
            r"<h4>\d+\. (.*?)(?: <span class=\"move-first\">.*?</span>)?</h4>", "".join(lists)
        )

    def move_titles(from_type: str) -> set[str]:
        return {m.title.get().replace("'", "&#39;") for m in bank.moves if m.from_type == from_type}

    def reasons(html: str, kind: str) -> list[str]:
        found = re.findall(rf'<ul class="advice-reasons reasons-to-{kind}">(.*?)</ul>', html, re.S)
        return [r.strip() for r in re.findall(r"<li>(.*?)</li>", "".join(found))]

    def row_reasons(type_id: str, kind: str, factors: set[str]) -> list[str]:
        (row,) = [r for r in bank.advisor_rules if r.type_id == type_id]
        conditions = row.stay_if if kind == "stay" else row.move_if
        return [c.reason.get().replace("'", "&#39;") for c in conditions if c.factor in factors]

    # Baseline: Defined; work still slips between the teams and products are shaped
    # during the sale → move up to Aligned, with the steps from Defined to Aligned only.
    assert "Defined" in text_of(section(baseline, "placement"))
    advice = text_of(section(baseline, "advice"))
    assert "Recommendation: move up to Aligned." in advice
    assert reasons(baseline, "move") == row_reasons(
        "defined", "move", {"overlap_despite_roles", "customised_during_sale"}
    )
    assert reasons(baseline, "stay") == []
    steps = text_of(section(baseline, "moves"))
    assert "Moving up from Defined to Aligned" in steps
    assert set(titles(baseline, "moves-up")) == move_titles("defined")
    assert titles(baseline, "moves-strengthen") == []

    # Six months later: Aligned; separate bosses, results owned team by team and short
    # sales → stay at Aligned and strengthen it; no step towards Integrated anywhere.
    assert "Aligned" in text_of(section(follow_up, "placement"))
    advice = text_of(section(follow_up, "advice"))
    assert "Recommendation: stay at Aligned and make it work better" in advice
    assert "Recommendation: move up" not in advice
    assert reasons(follow_up, "stay") == row_reasons(
        "aligned", "stay", {"results_owned_separately", "separate_reporting_lines", "sales_cycle"}
    )
    assert reasons(follow_up, "move") == []
    steps = text_of(section(follow_up, "moves"))
    assert "Strengthening Aligned" in steps
    assert set(titles(follow_up, "moves-strengthen")) == move_titles("defined")
    assert titles(follow_up, "moves-up") == []
    for title in move_titles("aligned"):
        assert title not in follow_up


# --------------------------------------------------------------------------- states, rendered


def render(
    client: FlaskClient,
    monkeypatch: pytest.MonkeyPatch,
    responses: list[ScoringResponse],
    *,
    threshold: int = 5,
    context: Context | None = None,
) -> str:
    """The report page of a wave whose result is scored straight from ``responses``.

    The page comes from the real route; only the wave's stored result is replaced, so
    states that need many hand-made responses stay short to write.
    """
    assessment = create_assessment(threshold=threshold, context=context)
    result = score_responses(bank_of(assessment), responses, threshold=threshold, context=context)
    monkeypatch.setattr(report_routes, "assessment_result", lambda _wave: (result, None))
    return page(client, assessment)


def scored(side: Side, value: int) -> ScoringResponse:
    """A respondent who scores ``value`` on every item of the shipped bank."""
    return ScoringResponse(
        side, {i.id: 6 - value if i.reverse else value for i in current_bank().items}
    )


def test_a_score_with_its_range(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # marketing 4, 4, 4, 4, 3 → 76, sales 3, 3, 3, 3, 4 → 64; organisation 70 with
    # se = ½ √(16 + 16) = 2.83 and df = 8: 70 ± 2.306 × 2.83 = 63.5 … 76.5
    responses = [scored(Side.MARKETING, v) for v in (4, 4, 4, 4, 3)]
    responses += [scored(Side.SALES, v) for v in (3, 3, 3, 3, 4)]
    html = render(client, monkeypatch, responses)
    text = text_of(html)
    assert '<p class="type-name">Aligned</p>' in html
    assert "Score 70 on a scale from 20 to 100, likely between 63 and 77." in text
    # marketing alone: 76 ± 2.776 × 4 = 64.9 … 87.1; sales 64 ± 11.1 = 52.9 … 75.1
    assert "Marketing on its own: Aligned, 76, likely between 64 and 88." in text
    assert "Sales on its own: Aligned, 64, likely between 52 and 76." in text
    assert "likely between 64 and 88" in text_of(section(html, "sides"))


def test_a_range_across_a_band_edge_is_said_plainly(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # both sides 60 with respondents spread 2 … 4: organisation 60 ± 12.9 → 47 … 73
    responses = [scored(Side.MARKETING, v) for v in (2, 3, 4, 4, 2)]
    responses += [scored(Side.SALES, v) for v in (3, 3, 3, 4, 2)]
    html = render(client, monkeypatch, responses, context={"common_funnel_possible": True})
    text = text_of(html)
    assert '<p class="type-name unsettled">Between Defined and Aligned</p>' in html
    assert "more responses would settle it" in text
    assert "The advice below starts from Aligned" in text
    assert "Score 60 on a scale from 20 to 100, likely between 47 and 73." in text
    assert "Recommendation: move up to Integrated." in text


def test_sides_two_bands_apart_get_a_plain_warning(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    responses = [scored(Side.MARKETING, 5)] * 5 + [scored(Side.SALES, 2)] * 5
    text = text_of(render(client, monkeypatch, responses))
    # 100 and 40 average to 70: Aligned, but neither side sees it that way
    assert "Score 70 on a scale" in text
    assert (
        "Marketing places you at Integrated, sales at Defined: the teams see the "
        "relationship very differently." in text
    )


def test_a_side_whose_every_question_is_hidden_is_explained(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = [i.id for i in current_bank().items]
    # four marketing people, each skipping every fourth question (a different quarter
    # each): every question has three answers, fewer than the threshold of four, while
    # each person answers 30 or 31 of 41 questions and so counts
    marketing = [
        ScoringResponse(
            Side.MARKETING, {item_id: None if k % 4 == n else 4 for k, item_id in enumerate(ids)}
        )
        for n in range(4)
    ]
    html = render(client, monkeypatch, marketing + [scored(Side.SALES, 3)] * 4, threshold=4)
    text = text_of(html)
    assert "Not enough answers yet" in text
    sentence = (
        "Marketing has enough responses, but every question was answered by fewer than 4 "
        "of its people (the others said they don't know), so no marketing answer can be shown."
    )
    assert text.count(sentence) == 2  # in the waiting notice and beside the side's score
    assert "more marketing responses needed" not in text


def test_an_undecided_row_names_only_its_unanswered_questions(
    app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defined (50); the row of Defined answered only with "no": nothing holds either way
    responses = [scored(Side.MARKETING, 3)] * 5 + [scored(Side.SALES, 2)] * 5
    context: Context = {"standard_products": False, "customised_during_sale": False}
    html = render(client, monkeypatch, responses, context=context)
    text = text_of(html)
    assert (
        "No recommendation yet: your answers do not settle whether to move up from Defined." in text
    )
    asked = section(html, "advice").split('<ul class="missing-questions">')[1].split("</ul>")[0]
    bank = current_bank()
    (row,) = [r for r in bank.advisor_rules if r.type_id == "defined"]
    expected = [
        f.question.get().replace("'", "&#39;")
        for f in bank.context_factors
        if f.id in {c.factor for c in (*row.stay_if, *row.move_if)} and f.id not in context
    ]
    assert [q.strip() for q in re.findall(r"<li>(.*?)</li>", asked)] == expected
    assert "If you move up: from Defined to Aligned" in text
    assert "If you stay: strengthening Defined" in text
