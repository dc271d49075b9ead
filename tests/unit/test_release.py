"""Publication in whole groups (``scoring.release``): no published figure moves on a few people.

The attack these tests stand for: read the results, wait for one more response,
read again, subtract. Every published number is a function of the released part
of each side's ledger, so it is enough to show that between ANY two readings the
released part of a side is either unchanged or grew by at least a whole group —
for the side as a whole and for every single question.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from types import MappingProxyType

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Side, score_assessment
from scoring.model import Bank, Response
from scoring.release import (
    DONT_KNOW,
    Ledger,
    contribution,
    empty_ledgers,
    receive,
    release_due,
    released_tallies,
    replay,
    take_in,
)
from tests.unit.scoring_factories import item, make_bank, response

PROPERTY = settings(max_examples=150, deadline=None, database=None)
BANK = make_bank([item("a", "d1"), item("b", "d1"), item("c", "d2", reverse=True)])


def answers(a: int | None, b: int | None = 3, c: int | None = 3) -> Response:
    return response(Side.SALES, a=a, b=b, c=c)


def feed(ledger: Ledger, rows: list[Response], threshold: int = 5) -> Ledger:
    for row in rows:
        ledger = receive(ledger, contribution(BANK, row), threshold)
    return ledger


# --- the rules, one example each ------------------------------------------------


def test_nothing_is_released_before_a_whole_group() -> None:
    ledger = feed(Ledger(), [answers(4)] * 4)
    assert ledger.released.counted == 0
    assert ledger.pending.counted == 4
    assert not release_due(ledger, 5)


def test_the_fifth_response_releases_the_group() -> None:
    ledger = feed(Ledger(), [answers(4)] * 5)
    assert (ledger.released.counted, ledger.pending.counted, ledger.groups) == (5, 0, 1)
    assert ledger.released.answered("a") == 5


def test_a_sixth_response_moves_nothing_that_is_published() -> None:
    five = feed(Ledger(), [answers(4)] * 5)
    six = feed(five, [answers(1)])
    assert six.released == five.released
    assert six.pending.counted == 1


def test_an_item_most_of_a_group_did_not_answer_keeps_its_released_figures() -> None:
    first = feed(Ledger(), [answers(4)] * 5)
    # The next group: 5 people, only 2 of whom answered item a.
    second = feed(first, [answers(2)] * 2 + [answers(None)] * 3)
    assert second.released.counted == 10
    assert second.released.answered("a") == 5  # still the first group's five answers
    assert second.pending.answered("a") == 2
    # Item a moves again only once its own answers make a whole group.
    third = feed(second, [answers(5)] * 3 + [answers(None)] * 2)
    assert third.released.answered("a") == 10


def test_excluded_responses_are_shown_only_with_a_released_group() -> None:
    excluded = response(Side.SALES, a=4, b=None, c=None)  # one of three: does not count
    ledger = feed(Ledger(), [excluded])
    assert (ledger.released.excluded, ledger.pending.excluded) == (0, 1)
    ledger = feed(ledger, [answers(4)] * 5)
    assert (ledger.released.excluded, ledger.released.counted) == (1, 5)


def test_replaying_the_groups_rebuilds_the_same_ledger() -> None:
    rows = [answers(4)] * 5 + [answers(2)] * 2 + [answers(None)] * 3 + [answers(1)] * 2
    live = feed(Ledger(), rows)
    contributions = [contribution(BANK, row) for row in rows]
    rebuilt = replay([(5, contributions[:5]), (5, contributions[5:10])], contributions[10:])
    assert rebuilt == live


def test_dont_know_is_kept_apart_from_the_scale() -> None:
    ledger = feed(Ledger(), [answers(None)] * 5)
    assert ledger.released.answers.get(("a", DONT_KNOW)) is None  # not enough answers to move
    assert ledger.pending.answers[("a", DONT_KNOW)] == 5


# --- the property: two readings never differ by fewer than a group -------------------


@dataclass(frozen=True)
class Arrival:
    side: Side
    answers: dict[str, int | None]


@dataclass(frozen=True)
class RaiseThreshold:
    by: int


ANSWER = st.one_of(st.none(), st.none(), st.integers(min_value=1, max_value=5))
ARRIVAL = st.builds(
    Arrival,
    side=st.sampled_from(Side),
    answers=st.fixed_dictionaries({"a": ANSWER, "b": ANSWER, "c": ANSWER}),
)
EVENTS = st.lists(
    st.one_of(ARRIVAL, ARRIVAL, ARRIVAL, ARRIVAL, st.builds(RaiseThreshold, st.integers(1, 3))),
    max_size=60,
)


def readings(bank: Bank, start: int, events: list[Arrival | RaiseThreshold]) -> list[tuple]:
    """(threshold, ledgers) after every event: what anyone could have read at that moment."""
    threshold, ledgers = start, dict(empty_ledgers())
    seen = [(threshold, dict(ledgers))]
    for event in events:
        if isinstance(event, RaiseThreshold):
            threshold += event.by  # thresholds may only go up once responses exist
        else:
            given = contribution(bank, Response(event.side, event.answers))
            ledgers[event.side] = receive(ledgers[event.side], given, threshold)
        seen.append((threshold, dict(ledgers)))
    return seen


@PROPERTY
@given(start=st.integers(min_value=1, max_value=6), events=EVENTS)
def test_every_change_between_two_readings_rests_on_a_whole_group(
    start: int, events: list[Arrival | RaiseThreshold]
) -> None:
    seen = readings(BANK, start, events)
    for (_, before), (_, after) in itertools.combinations(seen, 2):
        for side in Side:
            old, new = before[side].released, after[side].released
            if old != new:
                assert new.counted - old.counted >= start
            for question in ("a", "b", "c"):
                old_answers = {k: v for k, v in old.answers.items() if k[0] == question}
                new_answers = {k: v for k, v in new.answers.items() if k[0] == question}
                if old_answers != new_answers:
                    assert new.answered(question) - old.answered(question) >= start


@PROPERTY
@given(start=st.integers(min_value=1, max_value=6), events=EVENTS)
def test_published_figures_are_equal_wherever_the_released_parts_are(
    start: int, events: list[Arrival | RaiseThreshold]
) -> None:
    seen = readings(BANK, start, events)
    for (t1, before), (t2, after) in itertools.pairwise(seen):
        if t1 != t2:
            continue
        unchanged = all(before[side].released == after[side].released for side in Side)
        first = score_assessment(BANK, released_tallies(BANK, before), threshold=t1)
        second = score_assessment(BANK, released_tallies(BANK, after), threshold=t2)
        if unchanged:
            assert first == second


@PROPERTY
@given(start=st.integers(min_value=1, max_value=6), events=EVENTS)
def test_a_replay_of_the_stored_groups_agrees_with_the_live_ledger(
    start: int, events: list[Arrival | RaiseThreshold]
) -> None:
    """What the rebuild command does: groups in order with their thresholds, then the rest."""
    threshold, ledgers = start, dict(empty_ledgers())
    groups: dict[Side, list[tuple[int, list]]] = {side: [] for side in Side}
    pending: dict[Side, list] = {side: [] for side in Side}
    for event in events:
        if isinstance(event, RaiseThreshold):
            threshold += event.by
            continue
        given = contribution(BANK, Response(event.side, event.answers))
        pending[event.side].append(given)
        before = ledgers[event.side].groups
        ledgers[event.side] = receive(ledgers[event.side], given, threshold)
        if ledgers[event.side].groups > before:
            groups[event.side].append((threshold, pending[event.side]))
            pending[event.side] = []
    for side in Side:
        assert replay(groups[side], pending[side]) == ledgers[side]


# --- taking in several responses at once (imports, the demo) ---------------------------


def test_taking_in_a_batch_assigns_each_response_its_group() -> None:
    rows = [contribution(BANK, answers(4)) for _ in range(12)]
    intake = take_in(Ledger(), MappingProxyType({}), rows, 5)
    assert intake.groups == (1,) * 5 + (2,) * 5 + (None, None)
    assert intake.releases == ((1, 5), (2, 5))
    assert intake.waiting_joined == 1
    assert intake.ledger == feed(Ledger(), [answers(4)] * 12)


def test_responses_waiting_before_a_batch_join_its_first_release() -> None:
    waiting = feed(Ledger(), [answers(4)] * 3)
    intake = take_in(waiting, MappingProxyType({}), [contribution(BANK, answers(2))] * 2, 5)
    assert intake.groups == (1, 1)
    assert intake.ledger.released.counted == 5


def test_a_batch_keeps_the_answers_its_last_release_held_back() -> None:
    rows = [answers(4)] * 5 + [answers(2)] * 2 + [answers(None)] * 3 + [answers(1)]
    intake = take_in(Ledger(), MappingProxyType({}), [contribution(BANK, r) for r in rows], 5)
    assert intake.carried == {("a", 2): 2, ("a", DONT_KNOW): 3}
    # what waits: the held-back answers plus the last, unreleased response
    assert intake.ledger.pending.answered("a") == 3
