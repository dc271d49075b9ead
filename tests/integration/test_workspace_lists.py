"""The workspace lists pick the right wave of each organisation from plain rows."""

from __future__ import annotations

import pytest
from flask import Flask, url_for

from survey.extensions import db
from survey.models import Assessment, Organisation, WaveSummary
from survey.services import overview
from survey.workspace.portfolio import organisation_link, rows
from tests.conftest import (
    add_responses,
    create_assessment,
    create_organisation,
    create_user,
    uniform_answers,
)


def placed_wave(organisation: Organisation, name: str) -> Assessment:
    wave = create_assessment(organisation, name=name, threshold=3)
    add_responses(wave, "marketing", uniform_answers(4), count=3)
    add_responses(wave, "sales", uniform_answers(2), count=3)
    return wave


def test_latest_wave_and_latest_placed_wave_of_each_organisation(app: Flask) -> None:
    owner = create_user()
    empty = create_organisation("empty", owner)
    both = create_organisation("Both", owner)
    first = placed_wave(both, "First")
    second = placed_wave(both, "Second")
    third = create_assessment(both, name="Third", threshold=3)
    add_responses(third, "sales", uniform_answers(3), count=2)
    create_organisation("Someone else's", create_user("other@example.com"))

    cards = overview.organisation_cards(owner)

    assert [card.organisation.name for card in cards] == ["Both", "empty"]
    latest, placed = cards[0].latest, cards[0].placed
    assert latest is not None and placed is not None
    assert latest.assessment.id == third.id and not latest.is_placed
    # Released in whole groups: two sales responses are not counted yet.
    assert latest.waiting_for() == [("marketing", 3), ("sales", 3)]
    assert placed.assessment.id == second.id and placed.score is not None
    assert placed.type is not None
    assert first.id not in {latest.assessment.id, placed.assessment.id}
    assert cards[1].organisation.id == empty.id
    assert cards[1].latest is None and cards[1].placed is None


def test_a_summary_made_by_other_rules_is_scored_again(app: Flask) -> None:
    owner = create_user()
    organisation = create_organisation("Acme", owner)
    first = placed_wave(organisation, "First")
    second = placed_wave(organisation, "Second")
    expected = overview.organisation_cards(owner)[0].placed
    assert expected is not None and expected.assessment.id == second.id
    # The latest stored summary says "not placed" under old rules: it is not trusted.
    stale = db.session.get(WaveSummary, second.id)
    stale.rules, stale.placed, stale.score, stale.type_id = "old", False, None, None
    db.session.delete(db.session.get(WaveSummary, first.id))
    db.session.commit()

    [card] = overview.organisation_cards(owner)

    assert card.placed == expected
    assert card.latest == expected


def test_portfolio_rows_link_each_organisation_as_url_for_does(app: Flask) -> None:
    owner = create_user()
    organisation = create_organisation("Acme <&> Ltd", owner)
    wave = placed_wave(organisation, "Baseline")
    with app.test_request_context("/workspace/portfolio"):
        for organisation_id in (1, 10, 1234567):
            assert organisation_link().format(organisation_id) == url_for(
                "workspace.organisation", organisation_id=organisation_id
            )
        [row] = rows(overview.organisation_cards(owner), "en")
    placed = overview.organisation_cards(owner)[0].placed
    assert placed is not None and placed.type is not None and placed.score is not None
    assert row == (
        f"/workspace/organisations/{organisation.id}",
        "Acme <&> Ltd",
        "Baseline",
        wave.created_on.isoformat(),
        placed.type.name.get("en"),
        f"{placed.score:.1f}",
    )


def test_without_counts_the_cards_are_the_same_but_for_what_waves_wait_for(app: Flask) -> None:
    owner = create_user()
    organisation = create_organisation("Acme", owner)
    placed_wave(organisation, "First")
    create_assessment(organisation, name="Second", threshold=3)

    [full] = overview.organisation_cards(owner)
    [lean] = overview.organisation_cards(owner, counts=False)

    assert full.latest is not None and lean.latest is not None
    assert full.latest.waiting_for() == [("marketing", 3), ("sales", 3)]
    assert lean.latest.needed is None
    with pytest.raises(ValueError, match="counts=False"):
        lean.latest.waiting_for()
    assert lean.placed is not None and full.placed is not None
    assert (lean.placed.assessment, lean.placed.score, lean.placed.type) == (
        full.placed.assessment,
        full.placed.score,
        full.placed.type,
    )
