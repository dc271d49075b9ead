"""The scoring rules of ``scoring.rules``, one or more tests per rule.

Every expected number is worked out by hand; the arithmetic is in the comments.
"""

from __future__ import annotations

import copy
import dataclasses
import math
from types import MappingProxyType

import pytest

from scoring import (
    DEFAULT_THRESHOLD,
    ItemTally,
    Side,
    Status,
    Tallies,
    is_counted,
    own_view,
    place_score,
    score_assessment,
    score_responses,
    tally_responses,
)
from tests.unit.scoring_factories import (
    M,
    S,
    item,
    items,
    make_bank,
    move,
    repeat,
    response,
    responses_from_rows,
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
    with pytest.raises(ValueError):
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
    assert result.advice.recommendation is None


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


def test_item_gap_is_marketing_minus_sales_and_flagged_from_one() -> None:
    x, y, z, w = gap_assessment().items
    # x: 4.0 − 3.0 = 1.0 → flagged (exactly at the limit)
    assert x.gap == 1.0
    assert x.flagged is True
    # y: 3.9 − 3.0 = 0.9 → not flagged
    assert y.gap == pytest.approx(0.9)
    assert y.flagged is False
    # z: 2.0 − 4.0 = −2.0 → flagged too
    assert z.gap == -2.0
    assert z.flagged is True
    # w: 4.1 − 3.5 = 0.6 → not flagged
    assert w.gap == pytest.approx(0.6)
    assert w.flagged is False


def test_flagged_items_lists_exactly_the_flagged_ones() -> None:
    result = gap_assessment()
    assert [r.item.id for r in result.flagged_items] == ["x", "z"]


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
    assert a.flagged is True


def test_gap_of_minus_one_is_flagged() -> None:
    bank = make_bank(items("a"))
    (a,) = score_responses(bank, [response(M, a=2), response(S, a=3)], threshold=1).items
    # 2 − 3 = −1.0
    assert a.gap == -1.0
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
    assert result.hidden_sides == (S,)
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
    assert result.hidden_sides == (M,)


@pytest.mark.parametrize("threshold", [0, -1])
def test_threshold_below_one_is_an_error(threshold: int) -> None:
    bank = threshold_bank()
    with pytest.raises(ValueError):
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
    assert (b1.marketing_mean, b1.sales_mean, b1.gap, b1.flagged) == (1.0, 2.0, -1.0, True)
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
    expected = Tallies(
        items={
            # raw answers are summed (reverse scoring happens later): r 2 + 1 = 3, 4 + 1 = 5
            (M, "a"): ItemTally(count=2, total=9, total_squares=41),
            (M, "r"): ItemTally(count=2, total=3, total_squares=5),
            (M, "c"): ItemTally(count=1, total=3, total_squares=9),
            (S, "a"): ItemTally(count=1, total=2, total_squares=4),
            (S, "c"): ItemTally(count=1, total=2, total_squares=4),
        },
        counted={M: 2, S: 1},
        excluded={M: 0, S: 1},
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
    # sd of 4, 5, 3: mean 4, (0 + 1 + 1)/2 = 1 → 1.0
    assert result.items[0].marketing_sd == pytest.approx(1.0)
    assert result.items[1].marketing_sd == 0.0


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
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.score = 100.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.items[0].gap = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.sides[M].score = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.dimensions[0].combined = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.moves[0].score = 0.0  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.advice.target = result.advice.target  # type: ignore[misc]
    with pytest.raises(TypeError):
        result.sides[S] = result.sides[M]  # type: ignore[index]
    assert isinstance(result.sides, MappingProxyType)
    assert isinstance(result.items, tuple) and isinstance(result.dimensions, tuple)


def test_tallies_are_read_only() -> None:
    bank = make_bank(items("a"))
    tallies = tally_responses(bank, [response(M, a=4)])
    with pytest.raises(TypeError):
        tallies.items[(M, "a")] = ItemTally()  # type: ignore[index]
    with pytest.raises(TypeError):
        tallies.counted[M] = 10  # type: ignore[index]


# --- answer range ---------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6, -1, 10])
def test_answer_outside_the_scale_is_an_error(bad: int) -> None:
    bank = make_bank(items("a", "b", "c"))
    with pytest.raises(ValueError):
        score_responses(
            bank, [response(M, a=bad, b=3, c=3), response(S, a=3, b=3, c=3)], threshold=1
        )
    with pytest.raises(ValueError):
        tally_responses(bank, [response(S, a=3, b=3, c=bad)])
    with pytest.raises(ValueError):
        own_view(bank, response(M, a=3, b=bad, c=None))


def test_side_enum_values() -> None:
    assert Side("marketing") is M and Side("sales") is S
    assert M.other is S and S.other is M


def test_answer_outside_the_scale_in_an_incomplete_response_is_an_error() -> None:
    bank = make_bank(items(*SIX))
    # 3 of 6 answered → the response would not count, but 6 is not an answer at all;
    # own_view rejects the same response with ValueError
    incomplete = response(M, a=6, b=3, c=3)
    with pytest.raises(ValueError):
        own_view(bank, incomplete)
    with pytest.raises(ValueError):
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
