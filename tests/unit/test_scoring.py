"""The scoring rules of ``scoring.rules``, one or more tests per rule.

Every expected number is worked out by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

import copy
import dataclasses
import itertools
import math
from collections import Counter
from types import MappingProxyType

import pytest

from scoring import (
    DEFAULT_THRESHOLD,
    WHOLE_BANK,
    Interval,
    ItemTally,
    NextSteps,
    RespondentTally,
    Side,
    SideStatus,
    Status,
    Tallies,
    is_counted,
    own_view,
    place_score,
    respondent_scores,
    score_assessment,
    score_responses,
    tally_responses,
)
from scoring.advisor import Verdict
from scoring.model import Response
from tests.unit.scoring_factories import (
    M,
    S,
    condition,
    factor,
    item,
    items,
    make_bank,
    move,
    repeat,
    response,
    responses_from_rows,
    rule,
)

# --- bands ---------------------------------------------------------------------

BANK_FOR_BANDS = make_bank(items("a"))


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        (20, "undefined"),
        (20.0, "undefined"),
        (39.999, "undefined"),
        (40.0, "defined"),
        (59.99, "defined"),
        (60, "aligned"),
        (79.99, "aligned"),
        (80.0, "integrated"),
        (99.99, "integrated"),
        (100, "integrated"),
    ],
)
def test_place_score_band_edges(score: float, expected: str) -> None:
    assert place_score(BANK_FOR_BANDS, score).id == expected


@pytest.mark.parametrize("score", [0, 19.999, 100.001, 120, -20])
def test_place_score_outside_every_band_is_an_error(score: float) -> None:
    with pytest.raises(ValueError, match="outside every band"):
        place_score(BANK_FOR_BANDS, score)


def test_band_edge_reached_through_scoring_is_the_upper_type() -> None:
    # One item, both sides answer 2 → item means 2 → side scores 40 → organisation 40.
    bank = make_bank(items("a"))
    result = score_responses(bank, [response(M, a=2), response(S, a=2)], threshold=1)
    assert result.score == 40.0
    assert result.type is not None and result.type.id == "defined"


# --- reverse items -----------------------------------------------------------


def test_reverse_item_scores_six_minus_value() -> None:
    bank = make_bank([item("n"), item("r", reverse=True)])
    answers = [
        response(M, n=4, r=2),
        response(M, n=5, r=2),
        response(S, n=2, r=5),
    ]
    result = score_responses(bank, answers, threshold=1)
    n, r = result.items
    # marketing: n = (4+5)/2 = 4.5; r answers 2, 2 score 6−2 = 4 → mean 4
    assert n.marketing_mean == 4.5
    assert r.marketing_mean == 4.0
    # sales: n = 2; r answer 5 scores 6−5 = 1
    assert n.sales_mean == 2.0
    assert r.sales_mean == 1.0
    # gap r = 4 − 1 = 3, gap n = 4.5 − 2 = 2.5
    assert r.gap == 3.0
    assert n.gap == 2.5
    # marketing side = 20 × (4.5 + 4)/2 = 85; sales = 20 × (2 + 1)/2 = 30
    assert result.sides[M].score == 85.0
    assert result.sides[S].score == 30.0
    # organisation = (85 + 30)/2 = 57.5 → Defined
    assert result.score == 57.5
    assert result.type is not None and result.type.id == "defined"


def test_reverse_item_does_not_change_the_spread() -> None:
    bank = make_bank([item("n"), item("r", reverse=True)])
    answers = [response(M, n=3, r=1), response(M, n=3, r=5), response(S, n=3, r=3)]
    result = score_responses(bank, answers, threshold=1)
    r = result.items[1]
    # answers 1 and 5 score 5 and 1: mean 3, sd sqrt(((5−3)² + (1−3)²)/1) = sqrt(8)
    assert r.marketing_mean == 3.0
    assert r.marketing_sd == pytest.approx(math.sqrt(8))


# --- don't know --------------------------------------------------------------


def test_dont_know_is_left_out_of_item_means() -> None:
    bank = make_bank(items("a", "b", "c"))
    answers = [
        response(M, a=4, b=None, c=2),
        response(M, a=2, b=None, c=4),
        response(M, a=None, b=None, c=3),  # only 1 of 3 answered → not counted
        response(S, a=5, b=5, c=5),
        response(S, a=None, b=5, c=5),
    ]
    result = score_responses(bank, answers, threshold=1)
    a, b, c = result.items
    # marketing a: 4, 2 → 3 (the don't-know is not a zero); c: 2, 4 → 3
    assert a.marketing_mean == 3.0
    assert c.marketing_mean == 3.0
    # b: only don't-know on the marketing side → no mean, no gap, not flagged
    assert b.marketing_mean is None
    assert b.marketing_sd is None
    assert b.gap is None
    assert b.flagged is False
    assert b.sales_mean == 5.0
    # sales a: only one 5 (the other said don't know) → 5
    assert a.sales_mean == 5.0
    assert a.sales_sd is None
    # marketing side from a and c only: 20 × (3 + 3)/2 = 60; sales 20 × 5 = 100
    assert result.sides[M].score == 60.0
    assert result.sides[S].score == 100.0
    assert result.sides[M].excluded == 1
    # organisation (60 + 100)/2 = 80 → Integrated
    assert result.score == 80.0
    assert result.type is not None and result.type.id == "integrated"


def test_dimension_with_only_dont_know_items_has_no_score_for_that_side() -> None:
    bank = make_bank([item("a", "d1"), item("b", "d1"), item("x", "d2")])
    answers = [response(M, a=4, b=2, x=None), response(S, a=3, b=3, x=1)]
    result = score_responses(bank, answers, threshold=1)
    d1, d2 = result.dimensions
    # d1 marketing 20 × (4+2)/2 = 60, sales 20 × 3 = 60
    assert (d1.marketing, d1.sales, d1.combined, d1.gap) == (60.0, 60.0, 60.0, 0.0)
    # d2: marketing has nothing → only the sales value, no combined score or gap
    assert (d2.marketing, d2.sales, d2.combined, d2.gap) == (None, 20.0, None, None)


# --- incomplete responses ----------------------------------------------------

SIX = ("a", "b", "c", "d", "e", "f")


@pytest.mark.parametrize(
    ("answered", "counted"),
    [(6, True), (5, True), (4, True), (3, False), (1, False), (0, False)],
)
def test_six_item_bank_needs_four_answers(answered: int, counted: bool) -> None:
    bank = make_bank(items(*SIX))
    answers = {item_id: (3 if i < answered else None) for i, item_id in enumerate(SIX)}
    assert is_counted(bank, response(M, **answers)) is counted


@pytest.mark.parametrize(("answered", "counted"), [(3, True), (2, True), (1, False)])
def test_three_item_bank_needs_two_answers(answered: int, counted: bool) -> None:
    bank = make_bank(items("a", "b", "c"))
    answers = {item_id: (3 if i < answered else None) for i, item_id in enumerate("abc")}
    assert is_counted(bank, response(S, **answers)) is counted


def test_answers_to_unknown_items_do_not_make_a_response_count() -> None:
    bank = make_bank(items("a", "b", "c"))
    # one real answer plus two answers to items the bank does not have → 1 of 3
    assert is_counted(bank, response(M, a=4, zz=5, yy=5)) is False


def test_excluded_responses_are_counted_but_change_no_score() -> None:
    bank = make_bank([item("a", "d1"), item("b", "d1"), item("c", "d2"), *items("d", "e", "f")])
    complete = [
        response(M, a=4, b=4, c=4, d=4, e=None, f=None),  # 4 of 6 → counts
        response(S, a=2, b=2, c=2, d=2, e=2, f=2),
    ]
    incomplete = [
        response(M, a=1, b=1, c=1, d=None, e=None, f=None),  # 3 of 6 → excluded
        response(S, a=5, b=None, c=None, d=None, e=None, f=5),  # 2 of 6 → excluded
        response(S),  # nothing answered → excluded
    ]
    without = score_responses(bank, complete, threshold=1)
    result = score_responses(bank, complete + incomplete, threshold=1)

    assert result.sides[M].counted == 1
    assert result.sides[M].excluded == 1
    assert result.sides[S].counted == 1
    assert result.sides[S].excluded == 2
    # marketing: a–d answered 4 → 20 × 4 = 80; sales all 2 → 40; organisation 60 → Aligned
    assert result.sides[M].score == 80.0
    assert result.sides[S].score == 40.0
    assert result.score == 60.0
    assert result.type is not None and result.type.id == "aligned"
    # e and f: marketing said don't know, the 1s and 5s of excluded responses do not appear
    assert result.items[0].marketing_mean == 4.0
    assert result.items[5].marketing_mean is None
    assert result.items[5].sales_mean == 2.0
    # and nothing but the excluded counts differs from scoring the complete responses alone
    assert result.items == without.items
    assert result.dimensions == without.dimensions
    assert result.moves == without.moves
    assert result.advice == without.advice
    assert without.sides[M].excluded == 0


def test_side_with_only_excluded_responses_is_missing() -> None:
    bank = make_bank(items("a", "b", "c"))
    answers = [response(M, a=5, b=5, c=5), response(S, a=1)]
    result = score_responses(bank, answers, threshold=1)
    assert result.status is Status.WAITING
    assert result.missing_sides == (S,)
    assert result.sides[S].counted == 0
    assert result.sides[S].excluded == 1
    assert result.sides[S].score is None
    assert result.items[0].sales_mean is None


# --- side score is the mean of item means ------------------------------------


def test_side_score_is_mean_of_item_means_not_of_all_answers() -> None:
    bank = make_bank(items("a", "b", "c"))
    marketing = [
        response(M, a=5, b=None, c=3),
        response(M, a=5, b=None, c=3),
        response(M, a=5, b=1, c=3),
    ]
    result = score_responses(bank, [*marketing, response(S, a=3, b=3, c=3)], threshold=1)
    # item means: a = 5 (three answers), b = 1 (one answer), c = 3
    assert [r.marketing_mean for r in result.items] == [5.0, 1.0, 3.0]
    # side = 20 × (5 + 1 + 3)/3 = 60
    # (the mean of all seven answers, (15 + 1 + 9)/7 = 25/7, would give 71.43)
    assert result.sides[M].score == 60.0
    # organisation (60 + 60)/2 = 60 → Aligned
    assert result.score == 60.0


def test_side_score_is_mean_of_item_means_not_of_dimension_scores() -> None:
    bank = make_bank([item("a", "d1"), item("b", "d1"), item("c", "d2")])
    answers = [response(M, a=5, b=3, c=1), response(S, a=3, b=3, c=4)]
    result = score_responses(bank, answers, threshold=1)
    d1, d2 = result.dimensions
    # d1 marketing 20 × (5+3)/2 = 80, sales 20 × 3 = 60 → combined 70, gap 20
    assert (d1.marketing, d1.sales, d1.combined, d1.gap) == (80.0, 60.0, 70.0, 20.0)
    # d2 marketing 20 × 1 = 20, sales 20 × 4 = 80 → combined 50, gap −60
    assert (d2.marketing, d2.sales, d2.combined, d2.gap) == (20.0, 80.0, 50.0, -60.0)
    assert d1.score(M) == 80.0 and d2.score(S) == 80.0
    # marketing side 20 × (5+3+1)/3 = 60 (not the mean of 80 and 20, which is 50)
    assert result.sides[M].score == 60.0
    # sales side 20 × (3+3+4)/3 = 200/3 = 66.67
    assert result.sides[S].score == pytest.approx(66.6666667)
    # organisation (60 + 66.67)/2 = 63.33 → Aligned
    assert result.score == pytest.approx(63.3333333)
    assert result.type is not None and result.type.id == "aligned"


# --- organisation score ------------------------------------------------------


def test_organisation_score_weighs_both_sides_equally() -> None:
    bank = make_bank(items("a"))
    answers = repeat(5, M, a=5) + repeat(10, S, a=1)
    result = score_responses(bank, answers)  # default threshold 5: both sides visible
    # marketing 20 × 5 = 100, sales 20 × 1 = 20 → (100 + 20)/2 = 60 → Aligned
    # (pooling the 15 answers: 20 × (25 + 10)/15 = 46.67 → Defined)
    assert result.sides[M].score == 100.0
    assert result.sides[S].score == 20.0
    assert result.score == 60.0
    assert result.type is not None and result.type.id == "aligned"
    assert result.status is Status.PLACED
    assert result.is_placed


def test_one_side_missing_waits_and_shows_the_other_side() -> None:
    bank = make_bank(items("a", "b"), moves=[move("m", "defined", "d1")])
    result = score_responses(bank, [response(M, a=3, b=2)], threshold=1)
    assert result.status is Status.WAITING
    assert not result.is_placed
    assert result.missing_sides == (S,)
    assert result.score is None
    assert result.type is None
    assert result.next_type is None
    assert result.moves == ()
    # marketing side 20 × (3 + 2)/2 = 50 still shown
    assert result.sides[M].score == 50.0
    assert result.sides[M].visible is True
    assert result.sides[S].score is None
    assert result.sides[S].needed == 1
    assert result.advice.verdict is None
    assert result.next_steps is None
    assert result.strengthening == ()


def test_no_responses_at_all_names_both_sides_missing() -> None:
    bank = make_bank(items("a"))
    result = score_responses(bank, [])
    assert result.status is Status.WAITING
    assert result.missing_sides == (M, S)
    assert result.sides[M].needed == DEFAULT_THRESHOLD == 5


# --- perception gaps ---------------------------------------------------------


def gap_assessment():  # type: ignore[no-untyped-def]
    bank = make_bank([item("x", "d1"), item("y", "d1"), item("z", "d2"), item("w", "d2")])
    ids = ("x", "y", "z", "w")
    marketing = responses_from_rows(
        M,
        ids,
        # x: ten 4s → 4.0; y: nine 4s and a 3 → 39/10 = 3.9; z: ten 2s → 2.0;
        # w: nine 4s and a 5 → 41/10 = 4.1
        [(4, 4, 2, 4)] * 9 + [(4, 3, 2, 5)],
    )
    sales = responses_from_rows(
        S,
        ids,
        # x: 2 and 4 → 3.0; y: 3, 3 → 3.0; z: 4, 4 → 4.0; w: 3, 4 → 3.5
        [(2, 3, 4, 3), (4, 3, 4, 4)],
    )
    return score_responses(bank, marketing + sales, threshold=1)


def test_item_gap_is_marketing_minus_sales() -> None:
    x, y, z, w = gap_assessment().items
    # x: 4.0 − 3.0 = 1.0, large (exactly at the limit)
    assert x.gap == 1.0
    assert x.large_gap is True
    # y: 3.9 − 3.0 = 0.9, not large
    assert y.gap == pytest.approx(0.9)
    assert y.large_gap is False
    # z: 2.0 − 4.0 = −2.0, large too
    assert z.gap == -2.0
    assert z.large_gap is True
    # w: 4.1 − 3.5 = 0.6
    assert w.gap == pytest.approx(0.6)
    assert w.large_gap is False


def test_a_large_gap_resting_on_two_answers_is_not_flagged() -> None:
    x, _y, z, _w = gap_assessment().items
    # x: marketing ten 4s, sales 2 and 4 (variance 2): se ≈ 1, t ≈ 1 with about one
    # degree of freedom: a gap of 1.0 this noisy is no finding.
    assert x.p_value is not None and x.p_value > 0.3
    assert x.flagged is False
    # z: −2.0 on two sales answers of 4: not convincing after the adjustment either
    assert z.q_value is not None and z.q_value > 0.1
    assert z.flagged is False
    assert gap_assessment().flagged_items == ()


FLAG_ROWS = {
    # x: marketing nine 4s and a 5 (4.1, variance 0.1), sales nine 3s and a 4 (3.1, 0.1)
    "x": ([4] * 9 + [5], [3] * 9 + [4]),
    # z: marketing six 5s and four 1s (3.4, variance 4.267), sales seven 1s and three 5s
    # (2.2, variance 3.733)
    "z": ([5] * 6 + [1] * 4, [1] * 7 + [5] * 3),
    # y: marketing as x (4.1), sales eight 3s and two 4s (3.2, variance 1.6/9 ≈ 0.178)
    "y": ([4] * 9 + [5], [3] * 8 + [4] * 2),
}


def flag_responses(*item_ids: str) -> list[Response]:
    """Ten answers a side to each of ``item_ids`` (see :data:`FLAG_ROWS`)."""
    return [
        response(side, **{i: FLAG_ROWS[i][index][row] for i in item_ids})
        for index, side in enumerate((M, S))
        for row in range(10)
    ]


def test_a_gap_is_flagged_only_when_large_and_unlikely_to_be_chance() -> None:
    # Two items, too few to fit a prior for their variances: plain Welch.
    # x: gap 1.0, se = √(0.01 + 0.01) ≈ 0.1414, t ≈ 7.07 with 18 degrees of freedom.
    # z: gap 1.2, se = √(0.4267 + 0.3733) ≈ 0.894, t ≈ 1.342, df ≈ 17.9 → p ≈ 0.197.
    x, z = score_responses(make_bank(items("x", "z")), flag_responses("x", "z")).items
    assert (x.marketing_mean, x.sales_mean) == pytest.approx((4.1, 3.1))
    assert (z.marketing_mean, z.sales_mean) == pytest.approx((3.4, 2.2))
    assert x.p_value == pytest.approx(1.3e-6, rel=0.2)
    assert z.p_value == pytest.approx(0.197, abs=0.003)
    # Benjamini–Hochberg over the two: q_z = 0.197 × 2/2, q_x = 2 × p_x
    assert z.q_value == pytest.approx(z.p_value)
    assert x.q_value == pytest.approx(2 * x.p_value)
    # x is large and convincing; z is large but could be chance
    assert (x.flagged, z.flagged) == (True, False)
    assert (x.large_gap, z.large_gap) == (True, True)


def test_a_convincing_gap_below_one_point_is_not_flagged() -> None:
    # y: gap 0.9, t = 0.9/√(0.01 + 0.0178) ≈ 5.4: no accident, but below the 1.0 limit
    (y,) = score_responses(make_bank(items("y")), flag_responses("y")).items
    assert y.gap == pytest.approx(0.9)
    assert y.q_value is not None and y.q_value < 0.001
    assert (y.large_gap, y.flagged) == (False, False)


def test_swapped_sides_flag_a_gap_of_minus_one() -> None:
    swapped = [response(S if r.side is M else M, **r.answers) for r in flag_responses("x", "z")]
    x, _z = score_responses(make_bank(items("x", "z")), swapped).items
    assert x.gap == pytest.approx(-1.0)
    assert x.flagged is True


def test_a_single_answer_per_side_cannot_be_flagged() -> None:
    bank = make_bank(items("a"))
    (a,) = score_responses(bank, [response(M, a=1), response(S, a=5)], threshold=1).items
    # 1 − 5 = −4.0: large, but with one answer a side there is no spread to test it with
    assert a.gap == -4.0
    assert a.large_gap is True
    assert a.p_value is None
    assert a.flagged is False


def test_the_false_discovery_rate_is_held_across_the_bank() -> None:
    # a: marketing 5, 4, 5, 3, 5 (4.4, variance 0.8); sales 3, 4, 3, 2, 3 (3.0, variance 0.5):
    # gap 1.4, se = √(0.16 + 0.1) ≈ 0.51, t ≈ 2.75, df ≈ 7.6 → p between 0.02 and 0.05.
    a_marketing, a_sales = (5, 4, 5, 3, 5), (3, 4, 3, 2, 3)
    alone = make_bank(items("a"))
    answers = [response(M, a=v) for v in a_marketing] + [response(S, a=v) for v in a_sales]
    (a,) = score_responses(alone, answers).items
    assert a.p_value is not None and 0.02 < a.p_value < 0.05
    assert a.flagged is True
    # Nine more items on which both sides answer exactly alike (p = 1): among ten tests,
    # q_a = min(10 × p_a / 1, …, 10 × 1 / 10) = 10 × p_a > 0.1 → a is no longer flagged.
    # (With ten items each side's variances are also moderated towards a common value,
    # which moves p_a a little but keeps it between 0.01 and 0.05.)
    others = [f"o{n}" for n in range(9)]
    bank = make_bank(items("a", *others))
    answers = [
        response(side, a=value, **dict.fromkeys(others, 2 + index % 3))
        for side, values in ((M, a_marketing), (S, a_sales))
        for index, value in enumerate(values)
    ]
    first = score_responses(bank, answers).items[0]
    assert first.p_value is not None and 0.01 < first.p_value < 0.05
    assert first.q_value == pytest.approx(10 * first.p_value)
    assert first.flagged is False


def test_item_variances_are_moderated_across_the_bank() -> None:
    """A fourth item whose own variance is small by chance is not trusted on its own.

    Plain Welch on d (marketing 4, 4, 4, 4, 5 = 4.2, variance 0.2; sales 3, 3, 3, 3, 4 =
    3.2, variance 0.2): t = 1/√0.08 = 3.54 with 8 degrees of freedom, p ≈ 0.0077. Three
    other items have variance 2.5 (answers 1, 2, 3, 4, 5) on both sides, so each side's
    prior pulls d's variance up, and its p-value with it.
    """
    spread = {f"o{n}": (1, 2, 3, 4, 5) for n in range(3)}
    rows = {"d": ((4, 4, 4, 4, 5), (3, 3, 3, 3, 4)), **{k: (v, v) for k, v in spread.items()}}
    answers = [
        response(side, **{i: rows[i][index][row] for i in rows})
        for index, side in enumerate((M, S))
        for row in range(5)
    ]
    (alone,) = score_responses(
        make_bank(items("d")), [response(r.side, d=r.answers["d"]) for r in answers]
    ).items
    together = score_responses(make_bank(items("d", *spread)), answers).items[0]
    assert alone.p_value is not None and together.p_value is not None
    assert alone.p_value == pytest.approx(0.0077, abs=0.0005)
    assert together.p_value > 5 * alone.p_value


def test_gap_of_exactly_one_is_flagged_despite_decimal_means() -> None:
    # marketing: nine 4s and a 5 → 4.1; sales: nine 3s and a 4 → 3.1; gap exactly 1.0
    # (in floating point 4.1 − 3.1 = 0.9999999999999996)
    bank = make_bank(items("a"))
    answers = [response(M, a=4)] * 9 + [response(M, a=5)]
    answers += [response(S, a=3)] * 9 + [response(S, a=4)]
    (a,) = score_responses(bank, answers).items
    assert a.marketing_mean == pytest.approx(4.1)
    assert a.sales_mean == pytest.approx(3.1)
    assert a.gap == pytest.approx(1.0)
    assert a.large_gap is True
    assert a.flagged is True


def test_dimension_gap_is_on_the_20_to_100_scale() -> None:
    d1, d2 = gap_assessment().dimensions
    # d1 marketing 20 × (4.0 + 3.9)/2 = 79, sales 20 × (3 + 3)/2 = 60 → gap 19
    assert d1.marketing == pytest.approx(79.0)
    assert d1.sales == 60.0
    assert d1.gap == pytest.approx(19.0)
    # d2 marketing 20 × (2.0 + 4.1)/2 = 61, sales 20 × (4 + 3.5)/2 = 75 → gap −14
    assert d2.marketing == pytest.approx(61.0)
    assert d2.sales == 75.0
    assert d2.gap == pytest.approx(-14.0)
    assert d2.combined == pytest.approx(68.0)


def test_sample_standard_deviation_per_side() -> None:
    x, y, _z, _w = gap_assessment().items
    # sales x: 2 and 4, mean 3 → sqrt((1 + 1)/(2 − 1)) = sqrt(2) ≈ 1.41421
    assert x.sales_sd == pytest.approx(1.41421, abs=1e-5)
    assert x.sd(S) == pytest.approx(1.41421, abs=1e-5)
    # sales y: 3, 3 → 0
    assert y.sales_sd == 0.0
    # marketing y: nine 4s and a 3, mean 3.9 → (9 × 0.01 + 0.81)/9 = 0.1 → sd 0.316228
    assert y.marketing_sd == pytest.approx(0.316228, abs=1e-6)
    # marketing x: ten 4s → 0
    assert x.marketing_sd == 0.0


def test_single_answer_has_no_standard_deviation() -> None:
    bank = make_bank(items("a"))
    (a,) = score_responses(
        bank, [response(M, a=4), response(S, a=2), response(S, a=5)], threshold=1
    ).items
    assert a.marketing_sd is None
    # sales 2, 5 → mean 3.5 → sqrt((2.25 + 2.25)/1) = sqrt(4.5) ≈ 2.12132
    assert a.sales_sd == pytest.approx(2.12132, abs=1e-5)


# --- anonymity threshold ------------------------------------------------------


def threshold_bank():  # type: ignore[no-untyped-def]
    return make_bank(
        [item("a", "d1"), item("b", "d1"), item("c", "d2")],
        moves=[move("m1", "undefined", "d1"), move("m2", "defined", "d2")],
    )


def test_side_under_default_threshold_is_hidden() -> None:
    bank = threshold_bank()
    answers = repeat(5, M, a=3, b=2, c=1) + repeat(4, S, a=5, b=5, c=5)
    result = score_responses(bank, answers)  # default threshold 5
    assert result.threshold == 5
    sales = result.sides[S]
    assert sales.visible is False
    assert sales.counted == 4
    assert sales.needed == 1
    assert sales.score is None
    assert [side for side in Side if not result.sides[side].visible] == [S]
    # marketing stays visible: 20 × (3 + 2 + 1)/3 = 40
    assert result.sides[M].visible is True
    assert result.sides[M].needed == 0
    assert result.sides[M].score == 40.0
    for r in result.items:
        assert r.sales_mean is None
        assert r.sales_sd is None
        assert r.gap is None
        assert r.flagged is False
    assert [r.marketing_mean for r in result.items] == [3.0, 2.0, 1.0]
    for d in result.dimensions:
        assert d.sales is None
        assert d.combined is None
        assert d.gap is None
    assert [d.marketing for d in result.dimensions] == [50.0, 20.0]
    assert result.score is None
    assert result.type is None
    assert result.next_type is None
    assert result.moves == ()
    assert result.status is Status.WAITING
    # the side has answers, so it is hidden rather than missing
    assert result.missing_sides == ()


def test_side_at_the_threshold_is_shown() -> None:
    bank = threshold_bank()
    answers = repeat(5, M, a=3, b=2, c=1) + repeat(5, S, a=5, b=5, c=5)
    result = score_responses(bank, answers)
    # sales 100, marketing 40 → 70 → Aligned
    assert result.sides[S].visible is True
    assert result.sides[S].score == 100.0
    assert result.score == 70.0
    assert result.type is not None and result.type.id == "aligned"


def test_threshold_one_shows_a_single_response() -> None:
    bank = threshold_bank()
    result = score_responses(
        bank, [response(M, a=4, b=4, c=4), response(S, a=2, b=2, c=2)], threshold=1
    )
    # (80 + 40)/2 = 60 → Aligned
    assert result.sides[M].visible and result.sides[S].visible
    assert result.score == 60.0
    assert result.type is not None and result.type.id == "aligned"


def test_needed_counts_the_missing_responses() -> None:
    bank = threshold_bank()
    answers = repeat(2, M, a=3, b=3, c=3) + repeat(7, S, a=3, b=3, c=3)
    result = score_responses(bank, answers, threshold=6)
    assert result.sides[M].needed == 4  # 6 − 2
    assert result.sides[S].needed == 0
    assert [side for side in Side if not result.sides[side].visible] == [M]


@pytest.mark.parametrize("threshold", [0, -1])
def test_threshold_below_one_is_an_error(threshold: int) -> None:
    bank = threshold_bank()
    with pytest.raises(ValueError, match="threshold must be at least 1"):
        score_responses(bank, [response(M, a=3, b=3, c=3)], threshold=threshold)


# --- moves ---------------------------------------------------------------------

MOVE_BANK = make_bank(
    [
        item("a1", "d1"),
        item("a2", "d1"),
        item("b1", "d2"),
        item("b2", "d2"),
        item("c1", "d3"),
        item("c2", "d3"),
    ],
    moves=[
        move("u_first", "undefined", "d2"),
        move("z_fix_d1", "defined", "d1"),
        move("y_fix_d3", "defined", "d3"),
        move("x_fix_d2_d3", "defined", "d2", "d3"),
        move("w_fix_d2", "defined", "d2"),
        move("b_also_d3", "defined", "d3"),
        move("a_aligned", "aligned", "d2"),
    ],
)
MOVE_IDS = ("a1", "a2", "b1", "b2", "c1", "c2")


def defined_result():  # type: ignore[no-untyped-def]
    answers = responses_from_rows(M, MOVE_IDS, [(4, 3, 1, 3, 3, 2)])
    answers += responses_from_rows(S, MOVE_IDS, [(2, 3, 2, 2, 3, 2)])
    return score_responses(MOVE_BANK, answers, threshold=1)


def test_defined_organisation_is_placed_as_defined() -> None:
    result = defined_result()
    # marketing 20 × 16/6 = 53.33, sales 20 × 14/6 = 46.67 → 50 → Defined
    assert result.score == pytest.approx(50.0)
    assert result.type is not None and result.type.id == "defined"
    assert result.next_type is not None and result.next_type.id == "aligned"
    # combined item means: a1 3, a2 3, b1 1.5, b2 2.5, c1 3, c2 2
    # dimensions combined: d1 (3.5 + 2.5)/2 × 20 = 60, d2 40, d3 50
    assert [d.combined for d in result.dimensions] == [60.0, 40.0, 50.0]


def test_moves_are_the_defined_ones_weakest_first_ties_in_catalogue_order() -> None:
    moves = defined_result().moves
    # w_fix_d2 40; x_fix_d2_d3 (40 + 50)/2 = 45; y_fix_d3 50; b_also_d3 50 (after y in the
    # catalogue); z_fix_d1 60. Undefined and aligned moves are left out.
    assert [m.move.id for m in moves] == [
        "w_fix_d2",
        "x_fix_d2_d3",
        "y_fix_d3",
        "b_also_d3",
        "z_fix_d1",
    ]
    assert [m.score for m in moves] == pytest.approx([40.0, 45.0, 50.0, 50.0, 60.0])


def test_move_reasons_are_the_two_weakest_items_of_its_dimensions() -> None:
    by_id = {m.move.id: m for m in defined_result().moves}
    # combined item means: a1 3, a2 3, b1 1.5, b2 2.5, c1 3, c2 2
    assert [r.item.id for r in by_id["w_fix_d2"].reasons] == ["b1", "b2"]
    # d2 + d3: b1 1.5, c2 2, b2 2.5, c1 3
    assert [r.item.id for r in by_id["x_fix_d2_d3"].reasons] == ["b1", "c2"]
    assert [r.item.id for r in by_id["y_fix_d3"].reasons] == ["c2", "c1"]
    # a1 and a2 tie at 3 → bank order
    assert [r.item.id for r in by_id["z_fix_d1"].reasons] == ["a1", "a2"]


def test_move_reasons_carry_both_sides_and_the_gap() -> None:
    moves = defined_result().moves
    b1, c2 = moves[1].reasons
    # b1: marketing 1, sales 2 → gap −1 (flagged)
    # (large, but one answer a side cannot be tested, so not flagged)
    assert (b1.marketing_mean, b1.sales_mean, b1.gap, b1.flagged) == (1.0, 2.0, -1.0, False)
    # c2: 2 and 2 → gap 0
    assert (c2.marketing_mean, c2.sales_mean, c2.gap, c2.flagged) == (2.0, 2.0, 0.0, False)
    a1, _a2 = moves[4].reasons
    # a1: marketing 4, sales 2 → gap 2
    assert (a1.mean(M), a1.mean(S), a1.gap) == (4.0, 2.0, 2.0)


def test_integrated_organisation_has_no_next_type_and_no_moves() -> None:
    answers = repeat(1, M, **dict.fromkeys(MOVE_IDS, 5)) + repeat(
        1, S, **dict.fromkeys(MOVE_IDS, 4)
    )
    result = score_responses(MOVE_BANK, answers, threshold=1)
    # (100 + 80)/2 = 90 → Integrated
    assert result.score == 90.0
    assert result.type is not None and result.type.id == "integrated"
    assert result.next_type is None
    assert result.moves == ()


def test_undefined_organisation_gets_the_undefined_moves() -> None:
    answers = repeat(1, M, **dict.fromkeys(MOVE_IDS, 1)) + repeat(
        1, S, **dict.fromkeys(MOVE_IDS, 2)
    )
    result = score_responses(MOVE_BANK, answers, threshold=1)
    # (20 + 40)/2 = 30 → Undefined
    assert result.score == 30.0
    assert result.type is not None and result.type.id == "undefined"
    assert result.next_type is not None and result.next_type.id == "defined"
    assert [m.move.id for m in result.moves] == ["u_first"]
    # d2 combined (20 + 40)/2 = 30; reasons b1, b2 (tie at 1.5 → bank order)
    assert result.moves[0].score == 30.0
    assert [r.item.id for r in result.moves[0].reasons] == ["b1", "b2"]


def test_aligned_organisation_gets_the_aligned_moves() -> None:
    answers = repeat(1, M, **dict.fromkeys(MOVE_IDS, 4)) + repeat(
        1, S, **dict.fromkeys(MOVE_IDS, 3)
    )
    result = score_responses(MOVE_BANK, answers, threshold=1)
    # (80 + 60)/2 = 70 → Aligned
    assert result.type is not None and result.type.id == "aligned"
    assert [m.move.id for m in result.moves] == ["a_aligned"]
    assert result.moves[0].score == 70.0


# --- own view -----------------------------------------------------------------


def test_own_view_of_a_single_response() -> None:
    bank = make_bank([item("a"), item("b", reverse=True), item("c")])
    view = own_view(bank, response(S, a=4, b=2, c=None))
    # a 4, b reverse 6 − 2 = 4 → 20 × 4 = 80 → Integrated; 2 of 3 answered → counted
    assert view.counted is True
    assert view.score == 80.0
    assert view.type is not None and view.type.id == "integrated"


def test_own_view_of_an_incomplete_response_is_not_counted() -> None:
    bank = make_bank(items("a", "b", "c"))
    view = own_view(bank, response(M, a=None, b=2, c=None))
    # only b = 2 → 40 → Defined, but 1 of 3 is not enough to count
    assert view.counted is False
    assert view.score == 40.0
    assert view.type is not None and view.type.id == "defined"


def test_own_view_all_dont_know_has_no_score() -> None:
    bank = make_bank(items("a", "b", "c"))
    view = own_view(bank, response(M, a=None, b=None, c=None))
    assert view.counted is False
    assert view.score is None
    assert view.type is None


# --- tallies, purity, immutability -------------------------------------------


def test_tally_responses_matches_hand_made_tallies() -> None:
    bank = make_bank([item("a"), item("r", reverse=True), item("c")])
    answers = [
        response(M, a=4, r=2, c=None),
        response(M, a=5, r=1, c=3),
        response(S, a=2, r=None, c=2),
        response(S, a=1, r=None, c=None),  # 1 of 3 → excluded
    ]
    # Respondents' own scores (scored values, so r = 6 − answer), in millionths:
    # marketing (4 + 4)/2 = 4 and (5 + 5 + 3)/3 = 13/3 → 4_333_333; sales (2 + 2)/2 = 2.
    first, second, sales = 4_000_000, 4_333_333, 2_000_000
    marketing_tally = RespondentTally(2, first + second, first**2 + second**2)
    sales_tally = RespondentTally(1, sales, sales**2)
    expected = Tallies(
        items={
            # raw answers are summed (reverse scoring happens later): r 2 + 1 = 3, 4 + 1 = 5
            (M, "a"): ItemTally(count=2, total=9, total_squares=41),
            (M, "r"): ItemTally(count=2, total=3, total_squares=5),
            (M, "c"): ItemTally(count=1, total=3, total_squares=9, dont_know=1),
            (S, "a"): ItemTally(count=1, total=2, total_squares=4),
            (S, "r"): ItemTally(dont_know=1),
            (S, "c"): ItemTally(count=1, total=2, total_squares=4),
        },
        counted={M: 2, S: 1},
        excluded={M: 0, S: 1},
        respondents={
            (M, WHOLE_BANK): marketing_tally,
            (M, "d1"): marketing_tally,
            (S, WHOLE_BANK): sales_tally,
            (S, "d1"): sales_tally,
        },
    )
    assert tally_responses(bank, answers) == expected


def test_score_assessment_from_hand_made_tallies() -> None:
    bank = make_bank([item("a"), item("r", reverse=True)])
    tallies = Tallies(
        items={
            # marketing a: 4, 5, 3 → 12, squares 50; r: 2, 2, 2 → raw 6, scores 4
            (M, "a"): ItemTally(count=3, total=12, total_squares=50),
            (M, "r"): ItemTally(count=3, total=6, total_squares=12),
            # sales a: 1, 1, 1; r: 5, 5, 5 → scores 1
            (S, "a"): ItemTally(count=3, total=3, total_squares=3),
            (S, "r"): ItemTally(count=3, total=15, total_squares=75),
        },
        counted={M: 3, S: 3},
        excluded={M: 0, S: 2},
    )
    result = score_assessment(bank, tallies, threshold=3)
    # marketing 20 × (4 + 4)/2 = 80; sales 20 × (1 + 1)/2 = 20; organisation 50
    assert result.sides[M].score == 80.0
    assert result.sides[S].score == 20.0
    assert result.sides[S].excluded == 2
    assert result.score == 50.0
    # sd of 4, 5, 3 would be 1.0, but three answers are fewer than twice the threshold
    assert result.items[0].marketing_sd is None
    assert result.items[1].marketing_sd is None
    # no respondent tallies: no intervals, and the shown counts come from the item tallies
    assert result.sides[M].interval is None and result.score_interval is None
    assert result.items[0].answered(M) == 3 and result.items[0].dont_know(M) == 0
    at_one = score_assessment(bank, tallies, threshold=1)
    # sample sd of 4, 5, 3: mean 4, (0 + 1 + 1)/2 = 1 → 1.0; of 2, 2, 2: 0
    assert at_one.items[0].marketing_sd == pytest.approx(1.0)
    assert at_one.items[1].marketing_sd == 0.0


def test_score_assessment_does_not_mutate_its_inputs() -> None:
    def build():  # type: ignore[no-untyped-def]
        return make_bank([item("a"), item("r", reverse=True)], moves=[move("m", "defined", "d1")])

    bank = build()
    items_map = {
        (M, "a"): ItemTally(count=2, total=7, total_squares=25),
        (M, "r"): ItemTally(count=2, total=4, total_squares=8),
        (S, "a"): ItemTally(count=2, total=5, total_squares=13),
        (S, "r"): ItemTally(count=2, total=6, total_squares=18),
    }
    tallies = Tallies(items=items_map, counted={M: 2, S: 2}, excluded={M: 1, S: 0})
    context = {"some_factor": True}
    before = copy.deepcopy((tallies, context))
    result = score_assessment(bank, tallies, threshold=2, context=context)
    # marketing a 7/2 = 3.5, r raw 2 → 4: 20 × 3.75 = 75; sales a 2.5, r raw 3 → 3: 55 → 65
    assert result.score == 65.0
    assert (tallies, context) == before
    assert dict(tallies.items) == dict(before[0].items)
    assert bank == build()


def test_score_responses_does_not_mutate_responses() -> None:
    bank = make_bank(items("a", "b"))
    answers = [response(M, a=4, b=None), response(M, a=3, b=2), response(S, a=1, b=5)]
    before = copy.deepcopy(answers)
    score_responses(bank, answers, threshold=1)
    assert answers == before


def test_results_are_frozen() -> None:
    bank = make_bank(items("a"), moves=[move("m", "aligned", "d1")])
    result = score_responses(bank, [response(M, a=4), response(S, a=3)], threshold=1)
    assert result.moves, "an aligned organisation should get the aligned move"
    with pytest.raises(dataclasses.FrozenInstanceError, match="'score'"):
        result.score = 100.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="'gap'"):
        result.items[0].gap = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="'score'"):
        result.sides[M].score = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="'combined'"):
        result.dimensions[0].combined = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="'score'"):
        result.moves[0].score = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError, match="'target'"):
        result.advice.target = result.advice.target  # type: ignore[misc]
    with pytest.raises(TypeError, match="does not support item assignment"):
        result.sides[S] = result.sides[M]  # type: ignore[index]
    assert isinstance(result.sides, MappingProxyType)
    assert isinstance(result.items, tuple) and isinstance(result.dimensions, tuple)


def test_tallies_are_read_only() -> None:
    bank = make_bank(items("a"))
    tallies = tally_responses(bank, [response(M, a=4)])
    with pytest.raises(TypeError, match="does not support item assignment"):
        tallies.items[(M, "a")] = ItemTally()  # type: ignore[index]
    with pytest.raises(TypeError, match="does not support item assignment"):
        tallies.counted[M] = 10  # type: ignore[index]


# --- answer range ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, 10])
def test_answer_outside_the_scale_is_an_error(bad: int) -> None:
    bank = make_bank(items("a", "b", "c"))
    with pytest.raises(ValueError, match="outside 1–5"):
        score_responses(
            bank, [response(M, a=bad, b=3, c=3), response(S, a=3, b=3, c=3)], threshold=1
        )
    with pytest.raises(ValueError, match="outside 1–5"):
        tally_responses(bank, [response(S, a=3, b=3, c=bad)])
    with pytest.raises(ValueError, match="outside 1–5"):
        own_view(bank, response(M, a=3, b=bad, c=None))


def test_side_enum_values() -> None:
    assert Side("marketing") is M and Side("sales") is S


def test_answer_outside_the_scale_in_an_incomplete_response_is_an_error() -> None:
    bank = make_bank(items(*SIX))
    # 3 of 6 answered → the response would not count, but 6 is not an answer at all;
    # own_view rejects the same response with ValueError
    incomplete = response(M, a=6, b=3, c=3)
    with pytest.raises(ValueError, match="outside 1–5"):
        own_view(bank, incomplete)
    with pytest.raises(ValueError, match="outside 1–5"):
        score_responses(bank, [incomplete], threshold=1)


def test_an_item_answered_by_fewer_than_the_threshold_counts_as_unanswered() -> None:
    bank = make_bank([item("a"), item("b"), item("c")])
    # five marketing responses: four say "don't know" to a, one answers 1; b and c are 4
    marketing = [response(M, a=None, b=4, c=4)] * 4 + [response(M, a=1, b=4, c=4)]
    sales = [response(S, a=3, b=3, c=3)] * 5
    result = score_responses(bank, [*marketing, *sales], threshold=5)
    a = result.items[0]
    # one person's answer to a would be readable as the mean: it is left out
    assert a.marketing_mean is None and a.marketing_sd is None
    assert a.gap is None and a.flagged is False
    assert a.sales_mean == 3.0
    # marketing side score from b and c only: 20 × 4 = 80 (with a it would be 20 × 3 = 60)
    assert result.sides[M].score == 80.0
    # organisation (80 + 60) / 2 = 70
    assert result.score == 70.0


# --- respondents' own scores ------------------------------------------------------------


def test_respondent_scores_per_scope_in_millionths() -> None:
    bank = make_bank([item("a", "d1"), item("r", "d1", reverse=True), item("c", "d2")])
    scores = respondent_scores(bank, response(M, a=5, r=4, c=None))
    # a 5, r 6 − 4 = 2 → (5 + 2)/2 = 3.5; d2 has no answer and is left out
    assert scores == {WHOLE_BANK: 3_500_000, "d1": 3_500_000}
    assert list(scores) == [WHOLE_BANK, "d1"]
    scores = respondent_scores(bank, response(S, a=1, r=None, c=2))
    # whole bank (1 + 2)/2 = 1.5; d1 1; d2 2
    assert scores == {WHOLE_BANK: 1_500_000, "d1": 1_000_000, "d2": 2_000_000}


def test_respondent_scores_round_half_to_even() -> None:
    ids = [f"i{n}" for n in range(128)]
    bank = make_bank(items(*ids))
    # 127 answers of 1 and one of 2: 129/128 = 1.0078125 → 1_007_812.5 → 1_007_812 (even)
    answers = dict.fromkeys(ids, 1) | {"i0": 2}
    assert respondent_scores(bank, response(M, **answers)) == {
        WHOLE_BANK: 1_007_812,
        "d1": 1_007_812,
    }
    # 131/128 → 1_023_437.5 → 1_023_438 (even)
    answers = dict.fromkeys(ids, 1) | {"i0": 2, "i1": 2, "i2": 2}
    assert respondent_scores(bank, response(M, **answers))[WHOLE_BANK] == 1_023_438


# --- intervals ------------------------------------------------------------------------------


def interval_result():  # type: ignore[no-untyped-def]
    """One item; five answers a side, so each respondent's own score is their answer.

    Marketing 2, 3, 4, 4, 2: side 20 × 3 = 60; respondents' sd 1 (squares 1+0+1+1+1 = 4,
    /4) → se = 20 × 1/√5 = 8.944; t(0.975, 4) = 2.7764 → 60 ± 24.83.
    Sales 3, 3, 3, 4, 2: side 60; sd √0.5 → se = 20 × √(0.5/5) = 6.325 → 60 ± 17.56.
    Organisation 60, se = ½ √(80 + 40) = 5.477, Welch–Satterthwaite
    df = 120² / (80²/4 + 40²/4) = 7.2; t(0.975, 7.2) ≈ 2.3515 (between 2.3646 for 7 and
    2.3060 for 8 degrees of freedom) → 60 ± 12.88.
    """
    bank = make_bank(items("a"))
    answers = [response(M, a=v) for v in (2, 3, 4, 4, 2)]
    answers += [response(S, a=v) for v in (3, 3, 3, 4, 2)]
    return score_responses(bank, answers)


def test_side_intervals_from_the_respondents_own_scores() -> None:
    result = interval_result()
    marketing, sales = result.sides[M], result.sides[S]
    assert marketing.score == 60.0 and sales.score == 60.0
    assert marketing.interval is not None and sales.interval is not None
    assert (marketing.interval.low, marketing.interval.high) == pytest.approx(
        (60 - 24.832, 60 + 24.832), abs=0.002
    )
    assert (sales.interval.low, sales.interval.high) == pytest.approx(
        (60 - 17.560, 60 + 17.560), abs=0.002
    )


def test_organisation_interval_combines_both_sides() -> None:
    result = interval_result()
    assert result.score == 60.0
    assert result.score_interval is not None
    half = (result.score_interval.high - result.score_interval.low) / 2
    assert half == pytest.approx(12.88, abs=0.01)
    # 60 is exactly the lower edge of Aligned and the interval reaches well into Defined
    assert result.type is not None and result.type.id == "aligned"
    assert [t.id for t in result.likely_types] == ["defined", "aligned"]
    assert result.placement_settled is False


def test_intervals_widen_as_responses_fall() -> None:
    bank = make_bank(items("a"))
    few = [response(M, a=v) for v in (2, 3, 4)] + [response(S, a=v) for v in (3, 4, 5)]
    many = few * 4
    narrow = score_responses(bank, many, threshold=3).score_interval
    wide = score_responses(bank, few, threshold=3).score_interval
    assert narrow is not None and wide is not None
    assert wide.low < narrow.low < narrow.high < wide.high


def test_an_interval_stays_on_the_scale_and_a_settled_one_has_one_type() -> None:
    bank = make_bank(items("a", "b"))
    answers = [response(M, a=5, b=5)] * 9 + [response(M, a=4, b=4)]
    answers += [response(S, a=5, b=5)] * 10
    result = score_responses(bank, answers)
    marketing = result.sides[M]
    # marketing 20 × 4.9 = 98; its interval would pass 100 and is cut there
    assert marketing.score == pytest.approx(98.0)
    assert marketing.interval is not None and marketing.interval.high == 100.0
    # sales all 5: no spread at all, so an interval of no width at 100
    assert result.sides[S].interval == Interval(100.0, 100.0)
    assert [t.id for t in result.likely_types] == ["integrated"]
    assert result.placement_settled is True


def test_no_interval_from_a_single_respondent() -> None:
    bank = make_bank(items("a"))
    result = score_responses(bank, [response(M, a=2), response(S, a=4)], threshold=1)
    assert result.sides[M].interval is None
    assert result.score_interval is None
    assert result.likely_types == (result.type,)
    assert result.placement_settled is True


# --- each side's own type -------------------------------------------------------------------


def test_each_side_is_placed_on_its_own_and_the_distance_is_counted() -> None:
    bank = make_bank(items("a", "b"))
    result = score_responses(bank, [response(M, a=5, b=5), response(S, a=2, b=2)], threshold=1)
    # marketing 100 → Integrated, sales 40 → Defined, organisation 70 → Aligned
    assert result.sides[M].type is not None and result.sides[M].type.id == "integrated"
    assert result.sides[S].type is not None and result.sides[S].type.id == "defined"
    assert result.type is not None and result.type.id == "aligned"
    assert result.sides_apart == 2
    close = score_responses(bank, [response(M, a=4, b=4), response(S, a=3, b=4)], threshold=1)
    # 80 → Integrated, 70 → Aligned: one band apart
    assert close.sides_apart == 1


def test_no_side_types_while_waiting() -> None:
    bank = make_bank(items("a"))
    result = score_responses(bank, [response(M, a=5)], threshold=1)
    assert result.sides[M].type is not None and result.sides[M].type.id == "integrated"
    assert result.sides[S].type is None
    assert result.sides_apart is None


# --- who answered, spreads and what they could give away --------------------------------


def test_each_item_counts_answers_and_dont_knows_per_side() -> None:
    bank = make_bank(items("a", "b", "c"))
    answers = [
        response(M, a=4, b=None, c=3),
        response(M, a=2, b=5, c=3),
        response(M, a=None, b=5, c=3),
        response(S, a=1, b=1, c=None),
        response(S, a=None, b=None, c=None),  # not counted: no effect on the counts
    ]
    a, b, c = score_responses(bank, answers, threshold=1).items
    assert (a.answered(M), a.dont_know(M), a.dont_know_share(M)) == (2, 1, pytest.approx(1 / 3))
    assert (b.answered(M), b.dont_know(M)) == (2, 1)
    assert (c.answered(M), c.dont_know(M), c.dont_know_share(M)) == (3, 0, 0.0)
    assert (a.answered(S), a.dont_know(S), a.dont_know_share(S)) == (1, 0, 0.0)
    assert (c.answered(S), c.dont_know(S), c.dont_know_share(S)) == (0, 1, 1.0)


def test_a_hidden_side_shows_no_counts_either() -> None:
    bank = make_bank(items("a"))
    answers = [response(M, a=4)] * 5 + [response(S, a=None), response(S, a=3)]
    (a,) = score_responses(bank, answers).items
    assert a.answered(M) == 5
    assert a.answered(S) is None and a.dont_know(S) is None and a.dont_know_share(S) is None


def test_each_side_has_its_own_spread() -> None:
    bank = make_bank(items("a"))
    answers = [response(M, a=1), response(M, a=5)] + [response(S, a=3)] * 3
    (a,) = score_responses(bank, answers, threshold=1).items
    # marketing 1 and 5 (answers of exactly 1 and 5): mean 3, sd √((4 + 4)/1) = √8
    assert a.marketing_sd == pytest.approx(math.sqrt(8))
    assert a.sd(M) == a.marketing_sd
    # sales 3, 3, 3: sd 0
    assert a.sales_sd == 0.0
    assert a.sd(S) == 0.0


def multisets(size: int) -> list[tuple[int, ...]]:
    return list(itertools.combinations_with_replacement(range(1, 6), size))


def pinned(size: int) -> int:
    """How many multisets of ``size`` answers are the only ones with their mean and sd."""
    sets = multisets(size)
    keys = Counter((sum(s), sum(v * v for v in s)) for s in sets)
    return sum(1 for s in sets if keys[(sum(s), sum(v * v for v in s))] == 1)


def test_mean_and_spread_of_five_answers_give_away_most_answer_sets() -> None:
    # 126 multisets of five answers on 1–5; the count and sum of squares (the mean and
    # the sd) single out 79 of them, so showing both would often reveal every answer.
    assert len(multisets(5)) == 126
    assert pinned(5) == 79
    # the mean alone singles out only the four most extreme sets (all 1s, four 1s and
    # a 2, and the mirror images), which the threshold already accepts
    sums = Counter(sum(s) for s in multisets(5))
    assert sum(1 for s in multisets(5) if sums[sum(s)] == 1) == 4
    # from ten answers (twice the default threshold) 181 of 1001 sets are singled out
    assert len(multisets(10)) == 1001
    assert pinned(10) == 181


@pytest.mark.parametrize(("answers", "shown"), [(5, False), (9, False), (10, True), (12, True)])
def test_a_spread_is_shown_from_twice_the_threshold_of_answers(answers: int, shown: bool) -> None:
    bank = make_bank(items("a", "b", "c"))
    rows = [(1 + n % 5, 3, 3) for n in range(answers)]
    marketing = responses_from_rows(M, ("a", "b", "c"), rows)
    sales = responses_from_rows(S, ("a", "b", "c"), [(3, 3, 3)] * 5)
    a = score_responses(bank, marketing + sales, threshold=5).items[0]
    # the rule hides exactly the spreads of 5 to 9 answers, of which the test above
    # shows that most would pin down the answers
    assert (a.marketing_sd is not None) is shown
    assert a.marketing_mean is not None
    assert a.sales_sd is None  # five sales answers: hidden too


def test_a_side_whose_every_item_is_hidden_has_its_own_status() -> None:
    bank = make_bank(items("a", "b", "c", "d", "e", "f"))
    marketing = [
        response(M, a=4, b=4, c=4, d=4),
        response(M, c=4, d=4, e=4, f=4),
        response(M, a=4, b=4, e=4, f=4),
    ]
    sales = [response(S, a=3, b=3, c=3, d=3, e=3, f=3)] * 3
    result = score_responses(bank, marketing + sales, threshold=3)
    summary = result.sides[M]
    # three counted responses reach the threshold, but each item has only two answers
    assert summary.counted == 3 and summary.visible is True and summary.needed == 0
    assert summary.score is None
    assert summary.status is SideStatus.NO_ITEM_SHOWN
    assert result.sides[S].status is SideStatus.SHOWN
    assert result.status is Status.WAITING
    assert all(r.marketing_mean is None for r in result.items)
    assert [r.answered(M) for r in result.items] == [2] * 6


def test_a_side_below_the_threshold_has_too_few_responses() -> None:
    bank = make_bank(items("a"))
    result = score_responses(bank, [response(M, a=3)], threshold=2)
    assert result.sides[M].status is SideStatus.TOO_FEW_RESPONSES
    assert result.sides[S].status is SideStatus.TOO_FEW_RESPONSES


# --- exact orderings ---------------------------------------------------------------------------


def test_move_reasons_tie_exactly_and_keep_bank_order() -> None:
    """a and b both combine to exactly 13/10; in floating point a gives 1.3 and b
    (6/5 + 7/5)/2 = 1.2999999999999998, which used to put b first."""
    bank = make_bank(
        [item("a", "d1"), item("b", "d1"), item("c", "d1")],
        moves=[move("m", "defined", "d1")],
    )
    # marketing (1 + 6/5 + 5)/3 → 48, sales (8/5 + 7/5 + 5)/3 → 53.3: Defined
    marketing = responses_from_rows(M, ("a", "b", "c"), [(1, 1, 5)] * 4 + [(1, 2, 5)])  # a 1, b 6/5
    sales = responses_from_rows(
        S, ("a", "b", "c"), [(1, 1, 5), (1, 1, 5), (2, 1, 5), (2, 2, 5), (2, 2, 5)]
    )  # a 8/5, b 7/5
    result = score_responses(bank, marketing + sales, threshold=1)
    a, b, _c = result.items
    assert (a.marketing_mean, a.sales_mean) == (1.0, 1.6)
    assert (b.marketing_mean, b.sales_mean) == (1.2, 1.4)
    assert (a.marketing_mean + a.sales_mean) / 2 > (b.marketing_mean + b.sales_mean) / 2
    (ranked,) = result.moves
    assert [r.item.id for r in ranked.reasons] == ["a", "b"]


def test_moves_without_a_scored_dimension_go_last() -> None:
    bank = make_bank(
        [item("a1", "d1"), item("a2", "d1"), item("b1", "d2")],
        moves=[move("first_unscored", "defined", "d2"), move("second_scored", "defined", "d1")],
    )
    # sales says "don't know" to b1, so d2 has no combined score
    answers = [response(M, a1=3, a2=3, b1=3), response(S, a1=2, a2=2, b1=None)]
    result = score_responses(bank, answers, threshold=1)
    assert result.type is not None and result.type.id == "defined"
    assert [m.move.id for m in result.moves] == ["second_scored", "first_unscored"]
    assert [m.score for m in result.moves] == [50.0, None]
    assert result.moves[1].reasons == ()


# --- the respondent's own view at the ends of the scale --------------------------------------


def test_own_view_at_the_ends_of_the_scale() -> None:
    bank = make_bank([item("a"), item("b"), item("r", reverse=True)])
    lowest = own_view(bank, response(M, a=1, b=1, r=5))
    # 1, 1 and the reverse 5 scoring 1 → 20 × 1 = 20 → Undefined
    assert (lowest.counted, lowest.score) == (True, 20.0)
    assert lowest.type is not None and lowest.type.id == "undefined"
    highest = own_view(bank, response(S, a=5, b=5, r=1))
    # 5, 5 and the reverse 1 scoring 5 → 100 → Integrated
    assert (highest.counted, highest.score) == (True, 100.0)
    assert highest.type is not None and highest.type.id == "integrated"


# --- next steps follow the advice ----------------------------------------------------------------

ADVISED_BANK = make_bank(
    [item("a", "d1"), item("b", "d2")],
    moves=[
        move("into_defined", "undefined", "d1"),
        move("into_aligned_d2", "defined", "d2"),
        move("into_aligned_d1", "defined", "d1"),
        move("into_integrated", "aligned", "d1"),
    ],
    context_factors=[factor("stay_here"), factor("move_on")],
    advisor_rules=[
        rule(type_id, stay=[condition("stay_here")], move=[condition("move_on")])
        for type_id in ("undefined", "defined", "aligned")
    ],
)


def advised(marketing: int, sales: int, **context: bool):  # type: ignore[no-untyped-def]
    answers = [response(M, a=marketing, b=marketing - 1), response(S, a=sales, b=sales - 1)]
    return score_responses(ADVISED_BANK, answers, threshold=1, context=context)


def test_move_up_lists_only_the_moves_to_the_next_type() -> None:
    # marketing a 4, b 3 → 70; sales a 3, b 2 → 50; organisation 60 → Aligned
    result = advised(4, 3, move_on=True)
    assert result.type is not None and result.type.id == "aligned"
    assert result.advice.verdict is Verdict.MOVE_UP
    assert result.next_steps is NextSteps.MOVE_UP
    assert [m.move.id for m in result.moves] == ["into_integrated"]
    assert result.strengthening == ()


def test_stay_lists_the_moves_into_the_current_type_weakest_first() -> None:
    result = advised(4, 3, stay_here=True)
    assert result.advice.verdict is Verdict.STAY
    assert result.next_steps is NextSteps.STRENGTHEN
    assert result.moves == ()
    # d2 combined (60 + 40)/2 = 50 is weaker than d1 (80 + 60)/2 = 70
    assert [m.move.id for m in result.strengthening] == ["into_aligned_d2", "into_aligned_d1"]
    assert [m.score for m in result.strengthening] == [50.0, 70.0]


def test_undecided_lists_both() -> None:
    result = advised(4, 3)
    assert result.advice.verdict is Verdict.UNDECIDED
    assert result.next_steps is NextSteps.BOTH
    assert [m.move.id for m in result.moves] == ["into_integrated"]
    assert [m.move.id for m in result.strengthening] == ["into_aligned_d2", "into_aligned_d1"]


def test_staying_at_the_bottom_type_has_nothing_to_strengthen_from() -> None:
    # marketing a 2, b 1 → 30; sales a 2, b 1 → 30 → Undefined
    result = advised(2, 2, stay_here=True)
    assert result.type is not None and result.type.id == "undefined"
    assert result.next_steps is NextSteps.STRENGTHEN
    assert result.moves == () and result.strengthening == ()


def test_the_top_type_strengthens_itself() -> None:
    # marketing a 5, b 4 → 90; sales the same → Integrated
    result = advised(5, 5, move_on=True)
    assert result.type is not None and result.type.id == "integrated"
    assert result.advice.verdict is Verdict.STAY
    assert result.next_steps is NextSteps.STRENGTHEN
    assert [m.move.id for m in result.strengthening] == ["into_integrated"]
    assert result.moves == ()


def test_an_unplaced_wave_has_no_advice_and_no_steps() -> None:
    answers = [response(M, a=4, b=3)]
    result = score_responses(
        ADVISED_BANK, answers, threshold=1, context={"move_on": True, "stay_here": False}
    )
    assert result.status is Status.WAITING
    assert result.advice.verdict is None
    assert result.advice.target is None
    assert result.advice.reasons_to_move == ()
    assert result.next_steps is None
    assert result.moves == () and result.strengthening == ()
