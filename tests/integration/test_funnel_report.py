"""The buying-funnel map and the original twenty's score, as the report, the API and the
exports show them: numbers worked out by hand from answers stored the way the survey
stores them, and the demo's story read off its reports."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from scoring import Side
from survey.models import Assessment
from survey.services.banks import current_bank
from tests.conftest import add_responses, create_assessment
from tests.integration.test_api import result_of
from tests.integration.test_report import page, scoring_answers, section, text_of

STAGES = (
    "customer_awareness",
    "brand_awareness",
    "brand_consideration",
    "brand_preference",
    "purchase_intention",
    "purchase",
    "customer_loyalty",
    "customer_advocacy",
)
MK, SL, BOTH = 1, 2, 3  # the owner codes the survey stores (4 is nobody)
#: The funnel's related dimensions in the test bank: their moves come first when the
#: sides place the handoff apart.
RELATED = {"roles_and_handoffs", "systems_and_funnel"}


def with_owners(answers: Mapping[str, int | None], owners: Sequence[int | None]) -> dict:
    return {**answers, **{f"funnel:{s}": o for s, o in zip(STAGES, owners, strict=True)}}


def funnel_case(*, apart: bool = True) -> Assessment:
    """Threshold 3; every statement scores 3 (60, Aligned) except the handoff and funnel
    areas, which score 4, so their moves would come last on score alone.

    Marketing: two say marketing leads up to brand preference and sales from purchase
    intention; one says both lead brand preference and doesn't know about advocacy.
    Sales (``apart``): marketing leads the awareness stages, sales from consideration on;
    one says both lead brand awareness. Without ``apart``, sales answers as marketing.
    """
    assessment = create_assessment(threshold=3)
    statements = scoring_answers(dict.fromkeys(RELATED, 4), 3)
    plain = (MK, MK, MK, MK, SL, SL, SL, SL)
    add_responses(assessment, Side.MARKETING, with_owners(statements, plain), count=2)
    add_responses(
        assessment, Side.MARKETING, with_owners(statements, (MK, MK, MK, BOTH, SL, SL, SL, None))
    )
    if apart:
        add_responses(
            assessment, Side.SALES, with_owners(statements, (MK, MK, SL, SL, SL, SL, SL, SL)), 2
        )
        add_responses(
            assessment, Side.SALES, with_owners(statements, (MK, BOTH, SL, SL, SL, SL, SL, SL))
        )
    else:
        add_responses(assessment, Side.SALES, with_owners(statements, plain), count=3)
    return assessment


def shares(marketing: float, sales: float, both: float, nobody: float = 0.0) -> dict[str, float]:
    return {"marketing": marketing, "sales": sales, "both": both, "nobody": nobody}


def test_the_map_from_hand_made_answers_in_the_api(app: Flask, client: FlaskClient) -> None:
    funnel = result_of(client, funnel_case())["funnel"]
    stages = {stage["id"]: stage for stage in funnel["stages"]}
    assert list(stages) == list(STAGES)

    awareness = stages["customer_awareness"]
    assert awareness["marketing"] == {
        "shares": shares(1.0, 0.0, 0.0),
        "answered": 3,
        "dont_know": 0,
        "leader": "marketing",
    }
    assert awareness["conventional"] == "marketing" and not awareness["disagree"]
    # Brand awareness, sales: two of three say marketing, one both together.
    brand = stages["brand_awareness"]
    assert brand["sales"]["shares"] == shares(0.667, 0.0, 0.333)
    assert brand["sales"]["leader"] == "marketing"
    # Both sides weighed equally: marketing (1 + 2/3) / 2 = 0.833, both (0 + 1/3) / 2.
    assert brand["combined"] == {
        "shares": shares(0.833, 0.0, 0.167),
        "answered": None,
        "dont_know": None,
        "leader": "marketing",
    }
    # Brand consideration: marketing says marketing, sales says sales; half each is a tie.
    consideration = stages["brand_consideration"]
    assert (consideration["marketing"]["leader"], consideration["sales"]["leader"]) == (
        "marketing",
        "sales",
    )
    assert consideration["disagree"]
    assert consideration["combined"]["shares"] == shares(0.5, 0.5, 0.0)
    assert consideration["combined"]["leader"] is None
    # Brand preference: marketing 2/3, both 1/3 against sales 1: sales leads both sides'
    # view with 1/2, ahead of marketing's 1/3 and both's 1/6.
    preference = stages["brand_preference"]
    assert preference["disagree"]
    assert preference["combined"]["shares"] == shares(0.333, 0.5, 0.167)
    assert preference["combined"]["leader"] == "sales"
    # Advocacy: two marketing people named someone, one didn't know: fewer than three.
    advocacy = stages["customer_advocacy"]
    assert advocacy["marketing"] == {
        "shares": None,
        "answered": None,
        "dont_know": None,
        "leader": None,
    }
    assert advocacy["combined"]["shares"] is None
    assert not advocacy["disagree"]
    assert [s for s in STAGES if stages[s]["disagree"]] == [
        "brand_consideration",
        "brand_preference",
    ]
    assert funnel["handoff"] == {"marketing": "purchase_intention", "sales": "brand_consideration"}
    assert funnel["handoff_apart"] is True


def move_order(body: dict[str, Any]) -> list[tuple[str, bool]]:
    return [(move["id"], move["handoff"]) for move in body["moves"]]


def test_apart_on_the_handoff_the_related_moves_come_first(app: Flask, client: FlaskClient) -> None:
    bank = current_bank()
    related = {m.id for m in bank.moves if RELATED.intersection(m.dimensions)}
    apart = move_order(result_of(client, funnel_case(apart=True)))
    agreed = move_order(result_of(client, funnel_case(apart=False)))

    # Aligned, undecided (no context): the moves towards Integrated are listed.
    assert {move for move, _ in apart} == {m.id for m in bank.moves if m.from_type == "aligned"}
    first = [move for move, marked in apart if marked]
    assert set(first) == {m for m, _ in apart} & related and first
    assert [move for move, _ in apart[: len(first)]] == first  # first, and marked
    # Agreed on the handoff: nothing is marked and, scoring higher, those moves come last.
    assert not any(marked for _, marked in agreed)
    assert {move for move, _ in agreed[-len(first) :]} == set(first)
    # The rest keep their order by score either way.
    assert [m for m, _ in apart[len(first) :]] == [m for m, _ in agreed[: -len(first)]]


def test_the_report_shows_the_map_its_disagreements_and_handoffs(
    app: Flask, client: FlaskClient
) -> None:
    assessment = funnel_case()
    html = page(client, assessment)
    funnel = section(html, "funnel")
    words = text_of(funnel)

    assert "Who leads the buyer's journey" in words
    assert (
        "Marketing places the handoff to sales at “Purchase intention”, sales at "
        "“Brand consideration”." in words
    )
    assert (
        "The sides name different leaders for 2 stages, marked ≠: “Brand consideration”, "
        "“Brand preference”." in words
    )
    chart = f"/r/{assessment.report_token}/charts/funnel.svg"
    assert f'srcset="{chart}?size=wide"' in funnel
    assert client.get(chart).status_code == 200

    def row(stage: str) -> str:
        match = re.search(rf"<th scope=\"row\">{stage}(.*?)</tr>", funnel, re.S)
        assert match is not None, stage
        return text_of(match.group(1))

    assert row("Brand awareness") == (
        "Marketing Marketing 100% 3 answers Marketing 67% Both together 33%; 3 answers "
        "Marketing 83% Both together 17%"
    )
    assert row("Brand consideration") == (
        "≠ sides disagree Marketing Marketing 100% 3 answers Sales 100% 3 answers ▬ handoff "
        "Tie : Marketing, Sales 50%"
    )
    assert row("Purchase intention").startswith("Sales Sales 100% 3 answers ▬ handoff")
    assert row("Customer advocacy").startswith("Sales — too few answers Sales 100% 3 answers")
    # The next steps on handoffs and the funnel come first, and say so.
    steps = section(html, "moves")
    towards = re.search(r'<ol class="moves moves-up">(.*?)</ol>', steps, re.S)
    assert towards is not None
    titles = re.findall(r"<h4>\d+\. (.*?)</h4>", towards.group(1))
    marked = [
        title.endswith('<span class="move-first">First: the handoff</span>') for title in titles
    ]
    assert marked == sorted(marked, reverse=True) and 0 < sum(marked) < len(marked)
    assert "the steps on handoffs and the funnel come first" in text_of(steps)
    assert "so the steps on handoffs and the funnel come first" in text_of(section(html, "summary"))


def original_case() -> Assessment:
    """Threshold 3. Marketing scores 5 on the twenty original statements and 3 on the 21
    others; sales scores 3 everywhere.

    On the original twenty: marketing 5 × 20 = 100, sales 3 × 20 = 60, organisation 80
    (Integrated). On all 41: marketing (20·5 + 21·3)/41 × 20 = 3260/41 = 79.51, sales 60,
    organisation 69.76 (Aligned).
    """
    bank = current_bank()
    assessment = create_assessment(threshold=3)
    marketing = {
        item.id: (6 - value if item.reverse else value)
        for item in bank.items
        for value in [5 if item.original else 3]
    }
    add_responses(assessment, Side.MARKETING, marketing, count=3)
    add_responses(assessment, Side.SALES, scoring_answers({}, 3), count=3)
    return assessment


def test_the_original_twenty_in_the_api_and_the_report(app: Flask, client: FlaskClient) -> None:
    assert sum(item.original for item in current_bank().items) == 20
    assessment = original_case()

    body = result_of(client, assessment)
    assert body["original"] == {
        "items": 20,
        "score": 80.0,
        "type": "integrated",
        "sides": {"marketing": 100.0, "sales": 60.0},
    }
    assert body["score"] == 69.76 and body["type"] == "aligned"

    html = page(client, assessment)
    summary = text_of(section(html, "summary"))
    assert "Original 20 statements: 80 (Integrated); marketing 100, sales 60" in summary
    assert "comparable with the published 20-statement scale" in summary
    assert (
        "On the 20 statements of the original published self-assessment alone, the "
        "organisation scores 80 (Integrated): marketing 100, sales 60."
        in text_of(section(html, "placement"))
    )
    assert "the full score also counts the 21 statements added since" in html


def test_the_exports_hold_the_map_and_the_original_score(app: Flask, client: FlaskClient) -> None:
    from survey.services import exports

    tables = {table.title: table for table in exports.tables(funnel_case(), "en")}
    placement = dict(row[:2] for row in tables["Placement and advice"].rows)
    assert placement["Marketing: handoff to sales at"] == "Purchase intention"
    assert placement["Sales: handoff to sales at"] == "Brand consideration"
    assert placement["Handoff placed apart"] == "yes"
    journey = tables["Buyer's journey"]
    header = journey.header
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in journey.rows}
    brand = rows["brand_awareness"]
    assert brand["Sales: leader"] == "Marketing"
    assert (brand["Sales: Marketing (share)"], brand["Sales: Both together (share)"]) == (
        0.667,
        0.333,
    )
    assert brand["Sales: named someone"] == 3
    assert rows["brand_consideration"]["Both sides: leader"] == "Tie"
    assert rows["brand_consideration"]["Sides disagree"] == "yes"
    assert rows["brand_consideration"]["Sales: handoff here"] == "yes"
    assert rows["customer_advocacy"]["Marketing: leader"] is None  # too few named someone
    steps = tables["Next steps"]
    assert steps.rows[0][-1] == "yes"  # first: the handoff

    original = {table.title: table for table in exports.tables(original_case(), "en")}
    summary = dict(row[:2] for row in original["Placement and advice"].rows)
    assert summary["Original statements: score (20 to 100)"] == 80.0
    assert summary["Original statements: type"] == "Integrated"
    assert summary["Marketing: score on the original statements"] == 100.0


def test_the_demo_report_shows_the_handoff_apart_then_agreed(
    app: Flask, client: FlaskClient, runner: FlaskCliRunner
) -> None:
    """`flask demo`: at the baseline sales feels marketing hands over after brand
    awareness; six months later both place the handoff at purchase intention."""
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    links = [urlsplit(wave["report_link"]).path for wave in json.loads(result.stdout)["waves"]]
    baseline, follow_up = (client.get(link).get_data(as_text=True) for link in links)

    before = text_of(section(baseline, "funnel"))
    assert (
        "Marketing places the handoff to sales at “Purchase intention”, sales at "
        "“Brand consideration”." in before
    )
    assert "The sides name different leaders for" in before
    assert "“Brand consideration”, “Brand preference”" in before
    assert section(baseline, "funnel").count("≠ sides disagree") >= 2
    assert "First: the handoff" in section(baseline, "moves")

    after = text_of(section(follow_up, "funnel"))
    assert "Both sides place the handoff to sales at “Purchase intention”." in after
    assert "First: the handoff" not in section(follow_up, "moves")
