""" "Do we need to be more aligned?" on the shipped question bank.

Each row of the DOMAIN table (stay / move up, per type) is checked on both
columns. Reasons are compared with the reason texts of the bank's own
conditions, never with literal prose.
"""

from __future__ import annotations

from functools import cache

import pytest

from scoring import Recommendation, advise, score_responses, target_type
from scoring.advisor import Context
from scoring.model import Bank, LocalText, RelationshipType, Response, Side
from survey.bank import load_default_bank

FACTORS = (
    "company_size",
    "marketing_mainly_sales_support",
    "evident_conflicts",
    "duplicated_or_dropped_work",
    "competition_for_resources",
    "customised_during_sale",
    "commoditising_market",
    "shortening_life_cycles",
    "shared_responsibility_culture",
    "common_reporting_line",
    "sales_cycle",
    "common_funnel_possible",
)


@cache
def bank() -> Bank:
    return load_default_bank()


def t(type_id: str) -> RelationshipType:
    return bank().type(type_id)


def reason(type_id: str, kind: str, factor: str) -> LocalText:
    """The reason text the shipped bank gives for ``factor`` in a rule's stay_if/move_if."""
    (rule,) = [r for r in bank().advisor_rules if r.type_id == type_id]
    conditions = rule.stay_if if kind == "stay" else rule.move_if
    (condition,) = [c for c in conditions if c.factor == factor]
    return condition.reason


def context(**answers: bool | str) -> Context:
    """Every advisor question unanswered except ``answers``."""
    unknown = set(answers) - set(FACTORS)
    assert not unknown, unknown
    return {factor: answers.get(factor) for factor in FACTORS}


# --- the shipped bank says what the brief says --------------------------------


def test_shipped_bank_has_the_advisor_factors_and_rules() -> None:
    factors = {f.id: f.choices for f in bank().context_factors}
    assert set(factors) == set(FACTORS)
    assert factors["company_size"] == ("small", "medium", "large")
    assert factors["sales_cycle"] == ("short", "long")
    assert factors["evident_conflicts"] == ()

    rules = {
        r.type_id: (
            [(c.factor, c.equals) for c in r.stay_if],
            [(c.factor, c.equals) for c in r.move_if],
        )
        for r in bank().advisor_rules
    }
    assert rules == {
        "undefined": (
            [("company_size", "small"), ("marketing_mainly_sales_support", True)],
            [
                ("evident_conflicts", True),
                ("duplicated_or_dropped_work", True),
                ("competition_for_resources", True),
            ],
        ),
        "defined": (
            [
                ("customised_during_sale", False),
                ("shortening_life_cycles", False),
                ("commoditising_market", False),
            ],
            [
                ("duplicated_or_dropped_work", True),
                ("commoditising_market", True),
                ("customised_during_sale", True),
                ("shortening_life_cycles", True),
            ],
        ),
        "aligned": (
            [
                ("shared_responsibility_culture", False),
                ("common_reporting_line", False),
                ("sales_cycle", "short"),
            ],
            [
                ("common_funnel_possible", True),
                ("shortening_life_cycles", True),
                ("sales_cycle", "long"),
                ("customised_during_sale", True),
            ],
        ),
    }
    assert [x.id for x in bank().types] == ["undefined", "defined", "aligned", "integrated"]


# --- Undefined -------------------------------------------------------------------


UNDEFINED_STAY = context(
    company_size="small",
    marketing_mainly_sales_support=True,
    evident_conflicts=False,
    duplicated_or_dropped_work=False,
    competition_for_resources=False,
)


def test_undefined_stay_row_targets_undefined() -> None:
    target, reasons = target_type(bank(), UNDEFINED_STAY)
    assert target == t("undefined")
    assert reasons == (
        reason("undefined", "stay", "company_size"),
        reason("undefined", "stay", "marketing_mainly_sales_support"),
    )


def test_undefined_stay_row_tells_an_undefined_organisation_to_hold() -> None:
    advice = advise(bank(), t("undefined"), UNDEFINED_STAY)
    assert advice.target == t("undefined")
    assert advice.current == t("undefined")
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None
    assert advice.context_missing is False
    assert advice.reasons == (
        reason("undefined", "stay", "company_size"),
        reason("undefined", "stay", "marketing_mainly_sales_support"),
    )


def test_undefined_stay_row_tells_a_defined_organisation_to_hold_too() -> None:
    advice = advise(bank(), t("defined"), UNDEFINED_STAY)
    assert advice.target == t("undefined")
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None


def test_undefined_move_row_conflicts_and_duplicated_work() -> None:
    ctx = context(evident_conflicts=True, duplicated_or_dropped_work=True)
    target, _ = target_type(bank(), ctx)
    assert bank().type_index(target.id) >= bank().type_index("defined")
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.recommendation is Recommendation.MOVE_UP
    # one step at a time: the next type up, not the target
    assert advice.next_step == t("defined")
    assert advice.context_missing is False


def test_undefined_move_row_with_defined_stay_row_targets_defined() -> None:
    ctx = context(
        evident_conflicts=True,
        duplicated_or_dropped_work=True,
        customised_during_sale=False,
        shortening_life_cycles=False,
        commoditising_market=False,
    )
    target, reasons = target_type(bank(), ctx)
    # undefined: 2 reasons to move, 0 to stay → past it;
    # defined: 1 to move (duplicated work) against 3 to stay → target
    assert target == t("defined")
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("undefined", "move", "duplicated_or_dropped_work"),
        reason("defined", "stay", "customised_during_sale"),
        reason("defined", "stay", "shortening_life_cycles"),
        reason("defined", "stay", "commoditising_market"),
    )
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.target == t("defined")
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("defined")
    assert advice.reasons == reasons


@pytest.mark.parametrize(
    "mover", ["evident_conflicts", "duplicated_or_dropped_work", "competition_for_resources"]
)
def test_each_undefined_move_trigger_alone_moves_past_undefined(mover: str) -> None:
    ctx = context(**{mover: True})
    target, reasons = target_type(bank(), ctx)
    assert target != t("undefined")
    assert reasons[0] == reason("undefined", "move", mover)
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("defined")


def test_one_reason_to_move_against_one_to_stay_moves_up() -> None:
    # 1 ≥ 1: the tie goes to moving up
    ctx = context(company_size="small", evident_conflicts=True, commoditising_market=False)
    target, reasons = target_type(bank(), ctx)
    assert target == t("defined")
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("defined", "stay", "commoditising_market"),
    )


def test_one_reason_to_move_against_two_to_stay_stays() -> None:
    ctx = context(company_size="small", marketing_mainly_sales_support=True, evident_conflicts=True)
    target, reasons = target_type(bank(), ctx)
    assert target == t("undefined")
    # the outnumbered reason to move is not given as a reason
    assert reasons == (
        reason("undefined", "stay", "company_size"),
        reason("undefined", "stay", "marketing_mainly_sales_support"),
    )


def test_a_medium_company_is_not_a_reason_to_stay() -> None:
    ctx = context(company_size="medium", marketing_mainly_sales_support=False)
    target, reasons = target_type(bank(), ctx)
    # nothing argues either way → the bottom type, with no reasons
    assert target == t("undefined")
    assert reasons == ()


# --- Defined ---------------------------------------------------------------------

DEFINED_STAY = context(
    evident_conflicts=True,
    customised_during_sale=False,
    shortening_life_cycles=False,
    commoditising_market=False,
)


def test_defined_stay_row_targets_defined_and_a_defined_organisation_holds() -> None:
    target, reasons = target_type(bank(), DEFINED_STAY)
    assert target == t("defined")
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("defined", "stay", "customised_during_sale"),
        reason("defined", "stay", "shortening_life_cycles"),
        reason("defined", "stay", "commoditising_market"),
    )
    advice = advise(bank(), t("defined"), DEFINED_STAY)
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None
    assert advice.reasons == reasons


def test_defined_stay_row_tells_an_undefined_organisation_to_move_up() -> None:
    advice = advise(bank(), t("undefined"), DEFINED_STAY)
    assert advice.target == t("defined")
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("defined")


@pytest.mark.parametrize(
    "trigger",
    [
        "duplicated_or_dropped_work",
        "commoditising_market",
        "customised_during_sale",
        "shortening_life_cycles",
    ],
)
def test_each_defined_move_trigger_moves_a_defined_organisation_up(trigger: str) -> None:
    # conflicts get past Undefined; no shared culture and separate reporting keep it at
    # Aligned (1 reason to move there at most, against 2 to stay).
    ctx = context(
        evident_conflicts=True,
        shared_responsibility_culture=False,
        common_reporting_line=False,
        **{trigger: True},
    )
    target, reasons = target_type(bank(), ctx)
    assert target == t("aligned")
    assert reason("defined", "move", trigger) in reasons
    assert reasons[-2:] == (
        reason("aligned", "stay", "shared_responsibility_culture"),
        reason("aligned", "stay", "common_reporting_line"),
    )
    advice = advise(bank(), t("defined"), ctx)
    assert advice.target == t("aligned")
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("aligned")


def test_commoditising_market_reasons_in_order() -> None:
    ctx = context(
        evident_conflicts=True,
        commoditising_market=True,
        shared_responsibility_culture=False,
        common_reporting_line=False,
    )
    _, reasons = target_type(bank(), ctx)
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("defined", "move", "commoditising_market"),
        reason("aligned", "stay", "shared_responsibility_culture"),
        reason("aligned", "stay", "common_reporting_line"),
    )


# --- Aligned ---------------------------------------------------------------------

ALIGNED_STAY = context(
    evident_conflicts=True,
    commoditising_market=True,
    shared_responsibility_culture=False,
    common_reporting_line=False,
    sales_cycle="short",
)


def test_aligned_stay_row_targets_aligned_and_an_aligned_organisation_holds() -> None:
    target, reasons = target_type(bank(), ALIGNED_STAY)
    assert target == t("aligned")
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("defined", "move", "commoditising_market"),
        reason("aligned", "stay", "shared_responsibility_culture"),
        reason("aligned", "stay", "common_reporting_line"),
        reason("aligned", "stay", "sales_cycle"),
    )
    advice = advise(bank(), t("aligned"), ALIGNED_STAY)
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None
    assert advice.reasons == reasons


def test_aligned_stay_row_tells_a_defined_organisation_to_move_up() -> None:
    advice = advise(bank(), t("defined"), ALIGNED_STAY)
    assert advice.target == t("aligned")
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("aligned")


ALIGNED_MOVE = context(
    evident_conflicts=True,
    common_funnel_possible=True,
    shortening_life_cycles=True,
    sales_cycle="long",
)


def test_aligned_move_row_targets_integrated() -> None:
    target, reasons = target_type(bank(), ALIGNED_MOVE)
    # undefined: conflicts (1 vs 0); defined: shortening life cycles (1 vs 0);
    # aligned: funnel, shortening, long cycle (3 vs 0) → Integrated
    assert target == t("integrated")
    assert reasons == (
        reason("undefined", "move", "evident_conflicts"),
        reason("defined", "move", "shortening_life_cycles"),
        reason("aligned", "move", "common_funnel_possible"),
        reason("aligned", "move", "shortening_life_cycles"),
        reason("aligned", "move", "sales_cycle"),
    )
    advice = advise(bank(), t("aligned"), ALIGNED_MOVE)
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("integrated")


def test_aligned_move_row_outweighs_two_reasons_to_stay() -> None:
    ctx = context(
        evident_conflicts=True,
        shared_responsibility_culture=False,
        common_reporting_line=False,
        common_funnel_possible=True,
        shortening_life_cycles=True,
        sales_cycle="long",
    )
    target, _ = target_type(bank(), ctx)
    # aligned: 3 to move against 2 to stay → Integrated
    assert target == t("integrated")
    advice = advise(bank(), t("integrated"), ctx)
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None


def test_aligned_move_row_loses_to_three_reasons_to_stay() -> None:
    ctx = context(
        evident_conflicts=True,
        commoditising_market=True,
        shared_responsibility_culture=False,
        common_reporting_line=False,
        sales_cycle="short",
        common_funnel_possible=True,
    )
    target, _ = target_type(bank(), ctx)
    # aligned: 1 to move (funnel) against 3 to stay → Aligned
    assert target == t("aligned")


# --- at or above the target ---------------------------------------------------------


@pytest.mark.parametrize("current", ["defined", "aligned", "integrated"])
def test_at_or_above_target_holds(current: str) -> None:
    advice = advise(bank(), t(current), DEFINED_STAY)
    assert advice.target == t("defined")
    assert advice.current == t(current)
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None


# --- no context -----------------------------------------------------------------------


NO_CONTEXTS = [None, {}, context(), dict.fromkeys(FACTORS)]


@pytest.mark.parametrize("ctx", NO_CONTEXTS)
@pytest.mark.parametrize(
    ("current", "expected_target"),
    [("undefined", "defined"), ("defined", "aligned"), ("aligned", "integrated")],
)
def test_without_context_the_next_type_up_is_recommended(
    ctx: Context | None, current: str, expected_target: str
) -> None:
    advice = advise(bank(), t(current), ctx)
    assert advice.context_missing is True
    assert advice.target == t(expected_target)
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t(expected_target)
    assert advice.reasons == ()


@pytest.mark.parametrize("ctx", NO_CONTEXTS)
def test_without_context_integrated_stays_integrated(ctx: Context | None) -> None:
    advice = advise(bank(), t("integrated"), ctx)
    assert advice.context_missing is True
    assert advice.target == t("integrated")
    assert advice.recommendation is Recommendation.HOLD
    assert advice.next_step is None


def test_a_single_answer_is_enough_context() -> None:
    advice = advise(bank(), t("defined"), context(company_size="large"))
    assert advice.context_missing is False
    # nothing argues for moving past Undefined → hold
    assert advice.target == t("undefined")
    assert advice.recommendation is Recommendation.HOLD


# --- not placed ----------------------------------------------------------------------


@pytest.mark.parametrize("ctx", [None, ALIGNED_MOVE, DEFINED_STAY])
def test_not_placed_gets_no_recommendation(ctx: Context | None) -> None:
    advice = advise(bank(), None, ctx)
    assert advice.current is None
    assert advice.recommendation is None
    assert advice.next_step is None


def test_not_placed_still_gets_the_target() -> None:
    advice = advise(bank(), None, DEFINED_STAY)
    assert advice.target == t("defined")
    assert advice.context_missing is False


# --- wired into score_responses -----------------------------------------------------------


def uniform(side: Side, value: int) -> Response:
    """Every item of the shipped bank scored ``value`` (reverse items answered 6 − value)."""
    return Response(
        side=side,
        answers={i.id: (6 - value if i.reverse else value) for i in bank().items},
    )


def test_score_responses_passes_the_context_to_the_advisor() -> None:
    answers = [uniform(Side.MARKETING, 2), uniform(Side.SALES, 3)]
    result = score_responses(bank(), answers, threshold=1, context=ALIGNED_STAY)
    # every item mean 2 and 3 → sides 40 and 60 → organisation 50 → Defined
    assert result.score == 50.0
    assert result.type == t("defined")
    assert result.advice.current == t("defined")
    assert result.advice.target == t("aligned")
    assert result.advice.recommendation is Recommendation.MOVE_UP
    assert result.advice.next_step == t("aligned")
    assert result.advice.context_missing is False
    assert result.advice.reasons[-1] == reason("aligned", "stay", "sales_cycle")


def test_score_responses_without_context_says_it_is_missing() -> None:
    answers = [uniform(Side.MARKETING, 5), uniform(Side.SALES, 4)]
    result = score_responses(bank(), answers, threshold=1)
    # sides 100 and 80 → 90 → Integrated → nothing above: hold
    assert result.score == 90.0
    assert result.type == t("integrated")
    assert result.advice.context_missing is True
    assert result.advice.recommendation is Recommendation.HOLD
    assert result.advice.target == t("integrated")


# --- rows nobody answered do not hold an organisation back ---------------------------


def test_a_context_that_only_describes_higher_rows_is_not_stuck_at_undefined() -> None:
    # Nothing about the Undefined row is answered; the Defined and Aligned rows argue
    # for moving up, so the target is Integrated.
    answers = context(
        common_funnel_possible=True,
        sales_cycle="long",
        shortening_life_cycles=True,
        customised_during_sale=True,
        commoditising_market=True,
    )
    target, reasons = target_type(bank(), answers)
    assert target == t("integrated")
    assert reason("aligned", "move", "common_funnel_possible") in reasons
    advice = advise(bank(), t("defined"), answers)
    assert advice.recommendation is Recommendation.MOVE_UP
    assert advice.next_step == t("aligned")


def test_only_the_aligned_row_answered_stays_aligned() -> None:
    answers = context(shared_responsibility_culture=False, common_reporting_line=False)
    target, reasons = target_type(bank(), answers)
    assert target == t("aligned")
    assert reasons == (
        reason("aligned", "stay", "shared_responsibility_culture"),
        reason("aligned", "stay", "common_reporting_line"),
    )
