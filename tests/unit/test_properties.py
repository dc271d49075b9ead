"""Properties of the scoring core that must hold for any bank and any answers."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from fractions import Fraction
from functools import cache

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scoring import (
    NextSteps,
    Side,
    Verdict,
    advise,
    is_counted,
    place_organisation,
    read_row,
    score_responses,
    tally_responses,
)
from scoring.model import Bank, Response
from scoring.tallies import rounded_ratio
from survey.bank import load_bank
from tests.conftest import FIXTURE_BANK
from tests.unit.scoring_factories import condition, factor, item, make_bank, move, rule

PROPERTY_SETTINGS = settings(max_examples=200, deadline=None, database=None)

ANSWER = st.one_of(st.none(), st.integers(min_value=1, max_value=5))
VALUE = st.integers(min_value=1, max_value=5)


def other_side(side: Side) -> Side:
    return Side.SALES if side is Side.MARKETING else Side.MARKETING


@st.composite
def banks(draw: st.DrawFn) -> Bank:
    """1–6 items over 1–3 dimensions, some reversed, with a move for every lower type."""
    count = draw(st.integers(min_value=1, max_value=6))
    dimension_count = draw(st.integers(min_value=1, max_value=3))
    bank_items = [
        item(
            f"i{n}",
            f"d{draw(st.integers(min_value=1, max_value=dimension_count))}",
            reverse=draw(st.booleans()),
        )
        for n in range(count)
    ]
    dimensions = sorted({it.dimension for it in bank_items})
    moves = [
        move(f"{type_id}_{d}", type_id, d)
        for type_id in ("undefined", "defined", "aligned")
        for d in dimensions
    ]
    return make_bank(bank_items, dimensions, moves)


def responses_for(bank: Bank, answer: st.SearchStrategy[int | None]) -> st.SearchStrategy[Response]:
    return st.builds(
        Response,
        side=st.sampled_from(Side),
        answers=st.fixed_dictionaries({it.id: answer for it in bank.items}),
    )


# --- scores stay on the 20–100 scale ---------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_scores_lie_between_20_and_100(data: st.DataObject) -> None:
    bank = data.draw(banks())
    answers = data.draw(st.lists(responses_for(bank, ANSWER), max_size=12))
    threshold = data.draw(st.integers(min_value=1, max_value=3))
    result = score_responses(bank, answers, threshold=threshold)
    if result.is_placed:
        assert result.score is not None
        assert 20 <= result.score <= 100
        assert result.type is not None
        assert result.type.lower <= result.score <= result.type.upper
    for side in Side:
        summary = result.sides[side]
        if summary.visible and summary.score is not None:
            assert 20 <= summary.score <= 100
    for dimension in result.dimensions:
        for value in (dimension.marketing, dimension.sales, dimension.combined):
            assert value is None or 20 <= value <= 100


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_placement_alone_is_the_whole_results_placement(data: st.DataObject) -> None:
    """What a wave's stored summary keeps (``place_organisation``) is what its report shows."""
    bank = data.draw(banks())
    answers = data.draw(st.lists(responses_for(bank, ANSWER), max_size=12))
    threshold = data.draw(st.integers(min_value=1, max_value=3))
    result = score_responses(bank, answers, threshold=threshold)
    placement = place_organisation(bank, tally_responses(bank, answers), threshold=threshold)
    assert placement.type == result.type
    assert (None if placement.score is None else float(placement.score)) == result.score
    assert placement.interval == result.score_interval
    assert placement.likely == result.likely_types


# --- swapping the sides negates every gap ------------------------------------------


def swapped(response: Response) -> Response:
    return Response(side=other_side(response.side), answers=response.answers)


def _negated(value: float | None) -> float | None:
    return None if value is None else -value


@PROPERTY_SETTINGS
@given(data=st.data())
def test_swapping_sides_negates_every_gap(data: st.DataObject) -> None:
    bank = data.draw(banks())
    answers = data.draw(st.lists(responses_for(bank, ANSWER), min_size=1, max_size=12))
    threshold = data.draw(st.integers(min_value=1, max_value=3))
    before = score_responses(bank, answers, threshold=threshold)
    after = score_responses(bank, [swapped(r) for r in answers], threshold=threshold)

    for old, new in zip(before.items, after.items, strict=True):
        assert (new.gap is None) == (old.gap is None)
        if old.gap is not None:
            assert new.gap == pytest.approx(-old.gap, abs=1e-9)
        assert new.flagged == old.flagged
        assert (new.marketing_mean, new.sales_mean) == (old.sales_mean, old.marketing_mean)
    for old_d, new_d in zip(before.dimensions, after.dimensions, strict=True):
        assert (new_d.gap is None) == (old_d.gap is None)
        if old_d.gap is not None:
            assert new_d.gap == pytest.approx(-old_d.gap, abs=1e-9)
    # the organisation score weighs both sides equally, so it does not move
    if before.score is None:
        assert after.score is None
    else:
        assert after.score == pytest.approx(before.score)


def test_swapping_sides_negates_a_known_gap() -> None:
    # a concrete anchor for the property: marketing 5, sales 2 → gap 3; swapped → −3
    bank = make_bank([item("a")])
    pair = [Response(Side.MARKETING, {"a": 5}), Response(Side.SALES, {"a": 2})]
    (a,) = score_responses(bank, pair, threshold=1).items
    (b,) = score_responses(bank, [swapped(r) for r in pair], threshold=1).items
    assert (a.gap, b.gap) == (3.0, -3.0)


# --- a response equal to the means changes nothing ------------------------------


@dataclass(frozen=True)
class SideDesign:
    centres: tuple[int, ...]
    #: Per mirrored pair of responses, the offset of each item from its centre.
    offsets: tuple[tuple[int, ...], ...]
    with_centre_response: bool

    def responses(self, side: Side, item_ids: tuple[str, ...]) -> list[Response]:
        rows: list[tuple[int, ...]] = []
        for pair in self.offsets:
            rows.append(tuple(c - d for c, d in zip(self.centres, pair, strict=True)))
            rows.append(tuple(c + d for c, d in zip(self.centres, pair, strict=True)))
        if self.with_centre_response or not rows:
            rows.append(self.centres)
        return [Response(side, dict(zip(item_ids, row, strict=True))) for row in rows]


@st.composite
def side_designs(draw: st.DrawFn, size: int) -> SideDesign:
    """Answers whose every item mean is the integer centre (2, 3 or 4) of mirrored pairs."""
    centres = tuple(draw(st.lists(st.sampled_from((2, 3, 4)), min_size=size, max_size=size)))
    offsets = tuple(
        draw(
            st.lists(
                st.tuples(*[st.integers(min_value=-1, max_value=1) for _ in range(size)]),
                max_size=3,
            )
        )
    )
    return SideDesign(centres, offsets, draw(st.booleans()))


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_response_equal_to_the_means_keeps_the_placement(data: st.DataObject) -> None:
    bank = data.draw(banks())
    ids = tuple(it.id for it in bank.items)
    designs = {side: data.draw(side_designs(len(ids))) for side in Side}
    answers = [r for side in Side for r in designs[side].responses(side, ids)]
    before = score_responses(bank, answers, threshold=1)
    assert before.is_placed

    side = data.draw(st.sampled_from(Side))
    # raw answers equal to the raw means (reverse items: 6 − c scores the scored mean 6 − c)
    extra = Response(side, dict(zip(ids, designs[side].centres, strict=True)))
    after = score_responses(bank, [*answers, extra], threshold=1)

    assert after.type == before.type
    assert after.score == before.score
    assert [r.mean(side) for r in after.items] == [r.mean(side) for r in before.items]


# --- a hidden side reveals nothing ---------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_hidden_side_reveals_nothing(data: st.DataObject) -> None:
    bank = data.draw(banks())
    threshold = data.draw(st.integers(min_value=2, max_value=5))
    hidden = data.draw(st.sampled_from(Side))
    hidden_count = data.draw(st.integers(min_value=1, max_value=threshold - 1))
    visible_count = data.draw(st.integers(min_value=threshold, max_value=threshold + 2))

    complete = responses_for(bank, VALUE)
    visible_answers = [
        Response(other_side(hidden), r.answers)
        for r in data.draw(st.lists(complete, min_size=visible_count, max_size=visible_count))
    ]

    def hidden_answers() -> list[Response]:
        drawn = data.draw(st.lists(complete, min_size=hidden_count, max_size=hidden_count))
        return [Response(hidden, r.answers) for r in drawn]

    first, second = hidden_answers(), hidden_answers()
    context = data.draw(
        st.one_of(st.none(), st.fixed_dictionaries({"evident_conflicts": st.booleans()}))
    )
    result_a = score_responses(bank, visible_answers + first, threshold=threshold, context=context)
    result_b = score_responses(bank, second + visible_answers, threshold=threshold, context=context)
    assert result_a == result_b
    assert result_a.sides[hidden].visible is False
    assert result_a.sides[hidden].needed == threshold - hidden_count


def test_a_hidden_side_reveals_nothing_concrete() -> None:
    # one marketing response of 1s or of 5s under threshold 2: identical results
    bank = make_bank([item("a"), item("b")])
    sales = [Response(Side.SALES, {"a": 3, "b": 3})] * 2
    low = score_responses(bank, [*sales, Response(Side.MARKETING, {"a": 1, "b": 1})], threshold=2)
    high = score_responses(bank, [*sales, Response(Side.MARKETING, {"a": 5, "b": 5})], threshold=2)
    assert low == high
    assert low.sides[Side.SALES].score == 60.0
    # whereas with threshold 1 the two differ
    assert score_responses(
        bank, [*sales, Response(Side.MARKETING, {"a": 1, "b": 1})], threshold=1
    ) != score_responses(bank, [*sales, Response(Side.MARKETING, {"a": 5, "b": 5})], threshold=1)


# --- no item mean rests on fewer answers than the threshold -------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_no_shown_item_mean_rests_on_fewer_answers_than_the_threshold(
    data: st.DataObject,
) -> None:
    bank = data.draw(banks())
    threshold = data.draw(st.integers(min_value=1, max_value=4))
    answers = data.draw(st.lists(responses_for(bank, ANSWER), max_size=14))
    result = score_responses(bank, answers, threshold=threshold)
    counted = [r for r in answers if is_counted(bank, r)]
    for item_result in result.items:
        for side in Side:
            if item_result.mean(side) is None:
                continue
            answered = sum(
                1
                for r in counted
                if r.side is side and r.answers.get(item_result.item.id) is not None
            )
            assert answered >= threshold


# --- the advisor ------------------------------------------------------------------------


@cache
def shipped_bank() -> Bank:
    return load_bank(FIXTURE_BANK)


def shipped_contexts() -> st.SearchStrategy[dict[str, bool | str | None]]:
    bank = shipped_bank()
    return st.fixed_dictionaries(
        {
            factor.id: st.one_of(
                st.none(),
                st.sampled_from(factor.choices) if factor.choices else st.booleans(),
            )
            for factor in bank.context_factors
        }
    )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_adding_a_no_never_turns_move_up_into_stay(data: st.DataObject) -> None:
    bank = shipped_bank()
    context = data.draw(shipped_contexts())
    unanswered = [f.id for f in bank.context_factors if f.is_yes_no and context[f.id] is None]
    if not unanswered:
        return
    factor_id = data.draw(st.sampled_from(unanswered))
    for current in bank.types:
        before = advise(bank, current, context)
        after = advise(bank, current, {**context, factor_id: False})
        if before.verdict is Verdict.MOVE_UP:
            assert after.verdict is Verdict.MOVE_UP
            assert after.reasons_to_move == before.reasons_to_move
            assert after.reasons_to_stay == before.reasons_to_stay


CONTEXT_FACTORS = [factor(f"f{n}") for n in range(4)]


@st.composite
def advised_banks(draw: st.DrawFn) -> Bank:
    """A random bank (see :func:`banks`) with random yes/no rules for its lower types."""
    base = draw(banks())
    rules = [
        rule(
            type_id,
            stay=[
                condition(f.id, draw(st.booleans())) for f in CONTEXT_FACTORS if draw(st.booleans())
            ],
            move=[
                condition(f.id, draw(st.booleans())) for f in CONTEXT_FACTORS if draw(st.booleans())
            ],
        )
        for type_id in ("undefined", "defined", "aligned")
    ]
    return dataclasses.replace(
        base, context_factors=tuple(CONTEXT_FACTORS), advisor_rules=tuple(rules)
    )


def yes_no_contexts() -> st.SearchStrategy[dict[str, bool | str | None]]:
    return st.fixed_dictionaries(
        {f.id: st.one_of(st.none(), st.booleans()) for f in CONTEXT_FACTORS}
    )


@PROPERTY_SETTINGS
@given(data=st.data())
def test_a_no_counts_only_where_the_row_names_it(data: st.DataObject) -> None:
    bank = data.draw(advised_banks())
    context = data.draw(yes_no_contexts())
    factor_id = data.draw(st.sampled_from([f.id for f in CONTEXT_FACTORS]))
    assume(context[factor_id] is None)
    for current in bank.types[:-1]:
        (row,) = [r for r in bank.advisor_rules if r.type_id == current.id]
        if any(c.factor == factor_id and c.equals is False for c in row.stay_if):
            continue  # this row says explicitly that a "no" is a reason to stay
        before = advise(bank, current, context)
        after = advise(bank, current, {**context, factor_id: False})
        if before.verdict is Verdict.MOVE_UP:
            assert after.verdict is Verdict.MOVE_UP


@PROPERTY_SETTINGS
@given(data=st.data())
def test_stay_never_lists_a_move_towards_a_higher_type(data: st.DataObject) -> None:
    bank = data.draw(advised_banks())
    answers = data.draw(st.lists(responses_for(bank, VALUE), min_size=2, max_size=10))
    answers += [Response(side, {it.id: 3 for it in bank.items}) for side in Side]
    context = data.draw(yes_no_contexts())
    result = score_responses(bank, answers, threshold=1, context=context)
    assert result.type is not None
    current = bank.type_index(result.type.id)
    if result.advice.verdict is Verdict.STAY:
        assert result.moves == ()
        assert result.next_steps is NextSteps.STRENGTHEN
        assert result.advice.target == result.type
        assert result.advice.next_step is None
        for ranked in result.strengthening:
            # a move of the transition into the current type, from the one below
            assert bank.type_index(ranked.move.from_type) == current - 1
    if result.advice.verdict is Verdict.MOVE_UP:
        assert result.strengthening == ()
        assert all(m.move.from_type == result.type.id for m in result.moves)
        assert result.advice.target is not None
        assert bank.type_index(result.advice.target.id) > current


@PROPERTY_SETTINGS
@given(data=st.data())
def test_the_target_never_passes_a_row_that_does_not_say_move_up(data: st.DataObject) -> None:
    bank = data.draw(advised_banks())
    context = data.draw(yes_no_contexts())
    current = data.draw(st.sampled_from(bank.types))
    target = advise(bank, current, context).target
    if target is None:
        return
    for passed in bank.types[bank.type_index(current.id) : bank.type_index(target.id)]:
        assert read_row(bank, passed, context).verdict is Verdict.MOVE_UP


# --- intervals ---------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(data=st.data())
def test_more_of_the_same_responses_never_widen_an_interval(data: st.DataObject) -> None:
    bank = data.draw(banks())
    answers = data.draw(st.lists(responses_for(bank, VALUE), min_size=4, max_size=10))
    answers += [Response(side, {it.id: 3 for it in bank.items}) for side in Side] * 2
    once = score_responses(bank, answers, threshold=2)
    twice = score_responses(bank, answers * 2, threshold=2)
    assert once.score == twice.score
    pairs = [(once.score_interval, twice.score_interval)]
    pairs += [(once.sides[side].interval, twice.sides[side].interval) for side in Side]
    for before, after in pairs:
        assert before is not None and after is not None
        assert after.high - after.low <= before.high - before.low + 1e-9
    assert once.score_interval is not None and once.score is not None
    assert once.score_interval.low <= once.score <= once.score_interval.high


@PROPERTY_SETTINGS
@given(
    numerator=st.integers(min_value=-(10**12), max_value=10**12),
    denominator=st.integers(min_value=1, max_value=10**6),
)
def test_a_respondents_score_rounds_as_the_exact_fraction_does(
    numerator: int, denominator: int
) -> None:
    assert rounded_ratio(numerator, denominator) == round(Fraction(numerator, denominator))
    assert rounded_ratio(2 * denominator + denominator, 2 * denominator) == 2  # 1.5 → 2
    assert rounded_ratio(5, 2) == 2 and rounded_ratio(7, 2) == 4  # half to even
