"""The tallies kept at write time always agree with the stored answers, on every database.

Random sequences of single submissions, imports and threshold rises are stored
through the services; afterwards the kept ledgers must equal (1) what the pure
rule gives for the same sequence and (2) a replay of the stored answers, which
is what ``flask tallies check`` does.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask
from flask.testing import FlaskCliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring import Side
from scoring.model import Response as ScoringResponse
from scoring.release import Ledger, contribution, receive
from survey.bank import load_bank
from survey.extensions import db
from survey.models import WaveSummary
from survey.services import ledgers, releases
from survey.services.banks import bank_of
from survey.services.responses import store_response, store_responses
from survey.services.unit_of_work import unit_of_work
from tests.conftest import FIXTURE_BANK, create_assessment, uniform_answers

ITEMS = [item.id for item in load_bank(FIXTURE_BANK).items]
MOSTLY_UNKNOWN = st.one_of(st.none(), st.none(), st.integers(min_value=1, max_value=5))
ANSWERS = st.fixed_dictionaries({item: MOSTLY_UNKNOWN for item in ITEMS[:6]}).map(
    lambda head: {**dict.fromkeys(ITEMS, 4), **head}
) | st.just({item: None for item in ITEMS})  # a response that does not count


@dataclass(frozen=True)
class Submit:
    side: Side
    answers: dict[str, int | None]


@dataclass(frozen=True)
class Import:
    rows: list[tuple[Side, dict[str, int | None]]]


@dataclass(frozen=True)
class Raise:
    by: int


SUBMIT = st.builds(Submit, st.sampled_from(Side), ANSWERS)
IMPORT = st.builds(Import, st.lists(st.tuples(st.sampled_from(Side), ANSWERS), max_size=12))
EVENTS = st.lists(
    st.one_of(SUBMIT, SUBMIT, SUBMIT, IMPORT, st.builds(Raise, st.integers(1, 2))), max_size=25
)


@settings(
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(start=st.integers(min_value=1, max_value=4), events=EVENTS)
def test_kept_tallies_match_the_rule_and_a_replay_of_the_answers(
    app: Flask, start: int, events: list[Submit | Import | Raise]
) -> None:
    assessment = create_assessment(threshold=start)
    bank = bank_of(assessment)
    expected = {side: Ledger() for side in Side}
    for event in events:
        with unit_of_work():
            if isinstance(event, Raise):
                assessment.threshold += event.by
                ledgers.refresh_summary(assessment, bank)
                continue
            rows = [(event.side, event.answers)] if isinstance(event, Submit) else event.rows
            if isinstance(event, Submit):
                store_response(assessment, event.side, event.answers, bank)
            else:
                store_responses(assessment, event.rows, bank)
        for side, answers in rows:
            given_ = contribution(bank, ScoringResponse(side, answers))
            expected[side] = receive(expected[side], given_, assessment.threshold)

    published = ledgers.published_ledgers([assessment.id])[assessment.id]
    for side in Side:
        assert published[side].released == expected[side].released
        assert published[side].groups == expected[side].groups
        assert published[side].pending.counted == expected[side].pending.counted
    stored = db.session.get(WaveSummary, assessment.id)
    if stored is not None:  # the placement kept for the lists is the published one's
        fresh = ledgers.summaries_of([assessment])[assessment.id]
        assert (stored.placed, stored.type_id, stored.score, stored.score_low) == (
            fresh.placed,
            fresh.type_id,
            fresh.score,
            fresh.score_low,
        )
        assert stored.score_high == fresh.score_high

    kept = releases.stored_state(assessment.id)
    with unit_of_work() as work:
        releases.rebuild(assessment, bank)
        assert releases.stored_state(assessment.id) == kept
        work.discard()
    db.session.remove()


def test_the_placement_kept_at_a_release_is_the_published_one(app: Flask) -> None:
    """A single response that completes a group stores the wave's placement for the
    workspace's lists, from the ledger it has just written and the other side's."""
    assessment = create_assessment(threshold=2)
    bank = bank_of(assessment)
    for side, value in ((Side.SALES, 2), (Side.SALES, 3), (Side.MARKETING, 5)):
        with unit_of_work():
            store_response(assessment, side, uniform_answers(value), bank)
    with unit_of_work():  # completes marketing's group: a release in this request
        store_response(assessment, Side.MARKETING, uniform_answers(4), bank)
    stored = db.session.get(WaveSummary, assessment.id)
    fresh = ledgers.summaries_of([assessment])[assessment.id]
    assert stored is not None and stored.placed
    assert (stored.type_id, stored.score, stored.score_low, stored.score_high) == (
        fresh.type_id,
        fresh.score,
        fresh.score_low,
        fresh.score_high,
    )


def test_the_tallies_command_finds_and_repairs_a_damaged_ledger(
    app: Flask, runner: FlaskCliRunner
) -> None:
    assessment = create_assessment(threshold=2)
    bank = bank_of(assessment)
    with unit_of_work():
        store_responses(assessment, [(Side.SALES, uniform_answers(4))] * 5, bank)
    assert "agree" in runner.invoke(args=["tallies", "check"]).output

    with unit_of_work():  # damage: a released tally loses an answer
        ledger = ledgers.published_ledgers([assessment.id])[assessment.id][Side.SALES]
        broken = dict(ledger.released.answers)
        broken[(ITEMS[0], 4)] -= 1
        releases.write_ledger(
            assessment.id,
            Side.SALES,
            Ledger(
                released=type(ledger.released)(
                    counted=ledger.released.counted,
                    excluded=ledger.released.excluded,
                    answers=broken,
                    scores=ledger.released.scores,
                ),
                pending=ledger.pending,
                groups=ledger.groups,
            ),
            {},
        )
    checked = runner.invoke(args=["tallies", "check"])
    assert checked.exit_code == 1
    assert f"assessments {assessment.id}" in checked.output
    assert (
        "Rebuilt the tallies of 1 waves (1 had differed)"
        in runner.invoke(args=["tallies", "rebuild"]).output
    )
    assert runner.invoke(args=["tallies", "check"]).exit_code == 0
