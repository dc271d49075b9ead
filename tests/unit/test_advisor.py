""" "Do we need to be more aligned?" on the shipped question bank.

The advisor reads the row of the decision table for the type the organisation
is at now. Every row is walked in both directions (each reason to move alone,
each reason to stay alone), then the cases of issue 7, then the longer-range
target and the states without context or placement. Reasons are compared with
the reason texts of the bank's own conditions, never with literal prose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from scoring import Verdict, advise, read_row, worth_aiming_for
from scoring.advisor import Context
from scoring.model import Bank, Condition, LocalText, RelationshipType
from survey.bank import BankError, load_default_bank, parse_bank

ROOT = Path(__file__).resolve().parents[2]

ROWS = {
    "undefined": {
        "stay": [
            ("company_size", "small"),
            ("marketing_mainly_sales_support", True),
            ("informal_ties_work", True),
        ],
        "move": [
            ("evident_conflicts", True),
            ("duplicated_or_dropped_work", True),
            ("competition_for_resources", True),
        ],
    },
    "defined": {
        "stay": [("standard_products", True), ("classic_roles_still_work", True)],
        "move": [
            ("overlap_despite_roles", True),
            ("commoditising_market", True),
            ("customised_during_sale", True),
            ("shortening_life_cycles", True),
        ],
    },
    "aligned": {
        "stay": [
            ("results_owned_separately", True),
            ("separate_reporting_lines", True),
            ("sales_cycle", "short"),
        ],
        "move": [
            ("common_funnel_possible", True),
            ("sales_cycle", "long"),
            ("fast_changing_business", True),
        ],
    },
}
FACTORS = tuple(
    dict.fromkeys(
        factor for row in ROWS.values() for side in row.values() for factor, _value in side
    )
)


@cache
def bank() -> Bank:
    return load_default_bank()


def t(type_id: str) -> RelationshipType:
    return bank().type(type_id)


def conditions(type_id: str, kind: str) -> tuple[Condition, ...]:
    (rule,) = [r for r in bank().advisor_rules if r.type_id == type_id]
    return rule.stay_if if kind == "stay" else rule.move_if


def reason(type_id: str, kind: str, factor: str) -> LocalText:
    """The reason text the shipped bank gives for ``factor`` in a row's stay_if/move_if."""
    (condition,) = [c for c in conditions(type_id, kind) if c.factor == factor]
    return condition.reason


def context(**answers: bool | str) -> Context:
    """Every advisor question unanswered except ``answers``."""
    unknown = set(answers) - set(FACTORS)
    assert not unknown, unknown
    return {factor: answers.get(factor) for factor in FACTORS}


def row_questions(type_id: str) -> tuple[str, ...]:
    """The ids of a row's questions, in the bank's order of factors."""
    asked = {c.factor for kind in ("stay", "move") for c in conditions(type_id, kind)}
    return tuple(f.id for f in bank().context_factors if f.id in asked)


# --- the shipped bank holds the decision table ------------------------------------------


def test_shipped_bank_has_the_rows_of_the_decision_table() -> None:
    assert [x.id for x in bank().types] == ["undefined", "defined", "aligned", "integrated"]
    assert [f.id for f in bank().context_factors] == list(FACTORS)
    factors = {f.id: f.choices for f in bank().context_factors}
    assert factors["company_size"] == ("small", "medium", "large")
    assert factors["sales_cycle"] == ("short", "long")
    assert factors["evident_conflicts"] == ()
    rows = {
        r.type_id: {
            "stay": [(c.factor, c.equals) for c in r.stay_if],
            "move": [(c.factor, c.equals) for c in r.move_if],
        }
        for r in bank().advisor_rules
    }
    assert rows == ROWS


def test_no_shipped_condition_turns_a_no_into_a_reason() -> None:
    # Every reason is a "yes" or a choice: a "no" never argues for anything.
    for rule in bank().advisor_rules:
        for condition in (*rule.stay_if, *rule.move_if):
            assert condition.equals is not False, (rule.type_id, condition.factor)


def test_no_factor_gives_a_reason_in_two_rows_in_the_same_direction() -> None:
    for kind in ("stay", "move"):
        factors = [factor for row in ROWS.values() for factor, _ in row[kind]]
        assert len(factors) == len(set(factors)), kind


# --- every row, both directions -----------------------------------------------------------


ROW_CASES = [
    (type_id, kind, factor, value)
    for type_id, row in ROWS.items()
    for kind in ("stay", "move")
    for factor, value in row[kind]
]


@pytest.mark.parametrize(("type_id", "kind", "factor", "value"), ROW_CASES)
def test_one_reason_alone_decides_its_row(
    type_id: str, kind: str, factor: str, value: bool | str
) -> None:
    advice = advise(bank(), t(type_id), context(**{factor: value}))
    assert advice.current == t(type_id)
    assert advice.context_missing is False
    assert advice.missing_questions == ()
    if kind == "move":
        assert advice.verdict is Verdict.MOVE_UP
        assert advice.next_step == bank().next_type(type_id)
        assert advice.reasons_to_move == (reason(type_id, "move", factor),)
        assert advice.reasons_to_stay == ()
    else:
        assert advice.verdict is Verdict.STAY
        assert advice.next_step is None
        assert advice.target == t(type_id)
        assert advice.reasons_to_stay == (reason(type_id, "stay", factor),)
        assert advice.reasons_to_move == ()


@pytest.mark.parametrize("type_id", list(ROWS))
def test_a_row_with_nothing_answered_is_undecided_and_names_its_questions(type_id: str) -> None:
    # Answers to the *other* rows do not decide this one.
    others = {
        factor: value
        for other, row in ROWS.items()
        if other != type_id
        for kind in ("stay", "move")
        for factor, value in row[kind]
        if factor not in row_questions(type_id)
    }
    advice = advise(bank(), t(type_id), context(**others))
    assert advice.verdict is Verdict.UNDECIDED
    assert advice.target is None
    assert advice.next_step is None
    assert [f.id for f in advice.missing_questions] == list(row_questions(type_id))
    assert advice.context_missing is False


@pytest.mark.parametrize("type_id", list(ROWS))
def test_every_reason_to_move_against_every_reason_to_stay(type_id: str) -> None:
    row = ROWS[type_id]
    # sales_cycle sits on both sides of the Aligned row: it can only hold on one.
    movers = dict(row["move"])
    stayers = {f: v for f, v in row["stay"] if f not in movers}
    advice = advise(bank(), t(type_id), context(**movers, **stayers))
    expected = Verdict.MOVE_UP if len(movers) >= len(stayers) else Verdict.STAY
    assert advice.verdict is expected
    assert advice.reasons_to_move == tuple(reason(type_id, "move", f) for f in movers)
    assert advice.reasons_to_stay == tuple(reason(type_id, "stay", f) for f in stayers)


def test_a_tie_goes_to_moving_up() -> None:
    advice = advise(bank(), t("undefined"), context(company_size="small", evident_conflicts=True))
    assert advice.verdict is Verdict.MOVE_UP


def test_more_reasons_to_stay_win_and_both_lists_are_kept() -> None:
    ctx = context(company_size="small", marketing_mainly_sales_support=True, evident_conflicts=True)
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.verdict is Verdict.STAY
    assert advice.target == t("undefined")
    assert advice.reasons_to_stay == (
        reason("undefined", "stay", "company_size"),
        reason("undefined", "stay", "marketing_mainly_sales_support"),
    )
    # the outnumbered reason is still shown, under its own heading
    assert advice.reasons_to_move == (reason("undefined", "move", "evident_conflicts"),)


def test_no_to_every_question_about_moving_is_not_a_reason_to_stay() -> None:
    ctx = context(
        evident_conflicts=False, duplicated_or_dropped_work=False, competition_for_resources=False
    )
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.verdict is Verdict.UNDECIDED
    assert advice.reasons_to_stay == ()
    assert advice.reasons_to_move == ()
    assert [f.id for f in advice.missing_questions] == [
        "company_size",
        "marketing_mainly_sales_support",
        "informal_ties_work",
    ]


def test_a_choice_the_row_does_not_name_is_neither_for_nor_against() -> None:
    advice = advise(bank(), t("undefined"), context(company_size="medium"))
    assert advice.verdict is Verdict.UNDECIDED
    assert "company_size" not in [f.id for f in advice.missing_questions]


# --- the cases of issue 7 ---------------------------------------------------------------------


def test_large_customised_aligned_firm_with_long_sales_moves_up_to_integrated() -> None:
    ctx = context(
        company_size="large",
        customised_during_sale=True,
        sales_cycle="long",
        results_owned_separately=False,  # a shared culture
        separate_reporting_lines=False,  # one reporting line
        evident_conflicts=False,
    )
    advice = advise(bank(), t("aligned"), ctx)
    assert advice.verdict is Verdict.MOVE_UP
    assert advice.next_step == t("integrated")
    assert advice.target == t("integrated")
    assert advice.reasons_to_move == (reason("aligned", "move", "sales_cycle"),)
    assert advice.reasons_to_stay == ()


def test_only_duplicated_work_at_undefined_goes_to_defined_and_no_further() -> None:
    ctx = context(duplicated_or_dropped_work=True)
    advice = advise(bank(), t("undefined"), ctx)
    assert advice.verdict is Verdict.MOVE_UP
    assert advice.next_step == t("defined")
    assert advice.target == t("defined")
    assert advice.reasons_to_move == (reason("undefined", "move", "duplicated_or_dropped_work"),)
    # the same answer says nothing about the row of Defined
    assert read_row(bank(), t("defined"), ctx).verdict is Verdict.UNDECIDED


def test_small_support_marketing_company_with_conflicts_goes_to_defined() -> None:
    ctx = context(
        company_size="small",
        marketing_mainly_sales_support=True,
        evident_conflicts=True,
        duplicated_or_dropped_work=True,
    )
    advice = advise(bank(), t("undefined"), ctx)
    # two reasons to move against two to stay: move up, one step
    assert advice.verdict is Verdict.MOVE_UP
    assert advice.next_step == t("defined")
    assert advice.target == t("defined")
    assert len(advice.reasons_to_move) == len(advice.reasons_to_stay) == 2


def test_cut_and_dried_products_at_defined_stay() -> None:
    advice = advise(bank(), t("defined"), context(standard_products=True))
    assert advice.verdict is Verdict.STAY
    assert advice.target == t("defined")
    assert advice.next_step is None
    assert advice.reasons_to_stay == (reason("defined", "stay", "standard_products"),)


def test_answering_only_the_company_size_does_not_stop_a_higher_organisation() -> None:
    # the company size belongs to the row of Undefined; it says nothing about Aligned
    advice = advise(bank(), t("aligned"), context(company_size="small"))
    assert advice.verdict is Verdict.UNDECIDED
    assert advice.target is None
    assert [f.id for f in advice.missing_questions] == list(row_questions("aligned"))


# --- worth aiming for --------------------------------------------------------------------


def test_the_target_climbs_while_each_next_row_says_move_up() -> None:
    ctx = context(evident_conflicts=True, overlap_despite_roles=True, common_funnel_possible=True)
    assert worth_aiming_for(bank(), t("undefined"), ctx) == t("integrated")
    assert worth_aiming_for(bank(), t("defined"), ctx) == t("integrated")
    advice = advise(bank(), t("undefined"), ctx)
    # one step at a time: the next step is the next type, the target further up
    assert advice.next_step == t("defined")
    assert advice.target == t("integrated")


def test_the_target_stops_at_a_row_that_says_stay() -> None:
    ctx = context(
        evident_conflicts=True,
        overlap_despite_roles=True,
        separate_reporting_lines=True,
        results_owned_separately=True,
        common_funnel_possible=True,
    )
    # Aligned: 1 reason to move against 2 to stay
    assert read_row(bank(), t("aligned"), ctx).verdict is Verdict.STAY
    assert worth_aiming_for(bank(), t("undefined"), ctx) == t("aligned")


def test_the_target_never_jumps_past_an_undecided_row() -> None:
    # Defined is undecided; Aligned would say move up, but the walk stops before it
    ctx = context(evident_conflicts=True, common_funnel_possible=True)
    assert read_row(bank(), t("defined"), ctx).verdict is Verdict.UNDECIDED
    assert worth_aiming_for(bank(), t("undefined"), ctx) == t("defined")


def test_the_target_of_a_stay_is_the_current_type_and_of_undecided_none() -> None:
    assert worth_aiming_for(bank(), t("defined"), context(standard_products=True)) == t("defined")
    assert worth_aiming_for(bank(), t("defined"), context()) is None


# --- the top type, no context, no placement ---------------------------------------------------


@pytest.mark.parametrize("ctx", [None, {}, context(evident_conflicts=True)])
def test_the_top_type_stays(ctx: Context | None) -> None:
    advice = advise(bank(), t("integrated"), ctx)
    assert advice.verdict is Verdict.STAY
    assert advice.target == t("integrated")
    assert advice.next_step is None
    assert advice.missing_questions == ()


NO_CONTEXTS = [None, {}, context(), dict.fromkeys(FACTORS)]


@pytest.mark.parametrize("ctx", NO_CONTEXTS)
@pytest.mark.parametrize("current", list(ROWS))
def test_without_context_the_advice_names_the_questions_and_gives_no_target(
    ctx: Context | None, current: str
) -> None:
    advice = advise(bank(), t(current), ctx)
    assert advice.context_missing is True
    assert advice.verdict is Verdict.UNDECIDED
    assert advice.target is None
    assert advice.next_step is None
    assert advice.reasons_to_move == advice.reasons_to_stay == ()
    assert [f.id for f in advice.missing_questions] == list(row_questions(current))


@pytest.mark.parametrize(
    "ctx", [None, context(), context(standard_products=True), context(evident_conflicts=True)]
)
def test_an_unplaced_wave_gets_no_verdict_and_no_target(ctx: Context | None) -> None:
    advice = advise(bank(), None, ctx)
    assert advice.current is None
    assert advice.verdict is None
    assert advice.target is None
    assert advice.next_step is None
    assert advice.reasons_to_move == advice.reasons_to_stay == ()
    assert advice.missing_questions == ()
    assert advice.context_missing is (ctx is None or ctx == context())


# --- bank check: one answer may not climb two steps ---------------------------------------


def shipped_document() -> dict[str, object]:
    document: dict[str, object] = yaml.safe_load(
        (ROOT / "questions.yaml").read_text(encoding="utf-8")
    )
    return document


def problems_of(document: dict[str, object]) -> list[str]:
    with pytest.raises(BankError, match=r"questions\.yaml") as caught:
        parse_bank(yaml.safe_dump(document, allow_unicode=True), "questions.yaml")
    return list(caught.value.problems)


def test_bank_check_refuses_a_factor_that_moves_up_in_two_rows() -> None:
    document = shipped_document()
    rules = document["advisor"]["rules"]  # type: ignore[index]
    rules[1]["move_if"][0]["factor"] = "duplicated_or_dropped_work"
    assert problems_of(document) == [
        "questions.yaml: advisor.rules[1] (defined): move_if[0]: factor "
        "'duplicated_or_dropped_work' already gives a reason to move up in the row of "
        "'undefined'; one answer must not count in two rows ('undefined' and 'defined')"
    ]


def test_bank_check_refuses_a_factor_that_argues_for_staying_in_two_rows() -> None:
    document = shipped_document()
    rules = document["advisor"]["rules"]  # type: ignore[index]
    rules[2]["stay_if"].append(
        {"factor": "company_size", "equals": "large", "reason": {"en": "Big firms stay."}}
    )
    (problem,) = problems_of(document)
    assert "advisor.rules[2] (aligned): stay_if[3]: factor 'company_size'" in problem
    assert "a reason to stay in the row of 'undefined'" in problem
    assert "('undefined' and 'aligned')" in problem


def test_bank_check_allows_one_factor_on_both_sides_of_one_row() -> None:
    # sales_cycle: short argues for staying at Aligned, long for moving up from it
    aligned = next(r for r in bank().advisor_rules if r.type_id == "aligned")
    assert "sales_cycle" in {c.factor for c in aligned.stay_if}
    assert "sales_cycle" in {c.factor for c in aligned.move_if}
