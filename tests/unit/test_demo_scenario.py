"""The demo scenario (demo.yaml): the shipped one fits the bank and tells its story;
a broken one says which file and which key are wrong."""

from __future__ import annotations

import copy
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from scoring import Bank, Owner, Response, Side, score_responses
from survey.bank import load_default_bank, parse_bank
from survey.services.demo import simulate_answers
from survey.services.demo_scenario import (
    DemoScenario,
    DemoScenarioError,
    check_scenario,
    load_scenario,
    parse_scenario,
    read_scenario,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "demo.yaml"
SOURCE = "demo.yaml"


@pytest.fixture(scope="module")
def bank() -> Bank:
    return load_default_bank()


def shipped() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load(SHIPPED.read_text(encoding="utf-8"))
    return copy.deepcopy(document)


def problems_of(document: object, bank: Bank) -> list[str]:
    with pytest.raises(DemoScenarioError) as caught:
        check_scenario(parse_scenario(yaml.safe_dump(document), SOURCE), bank, SOURCE)
    return list(caught.value.problems)


# --------------------------------------------------------------------------- the shipped scenario


def test_shipped_scenario_fits_the_shipped_bank(bank: Bank) -> None:
    scenario = load_scenario(bank, SHIPPED)
    assert scenario.organisation == "Northwind Demo"
    assert [wave.name for wave in scenario.waves] == ["Baseline", "After 6 months"]
    for wave in scenario.waves:
        assert wave.respondents == {Side.MARKETING: 8, Side.SALES: 24}
        assert wave.excluded == {Side.MARKETING: 1, Side.SALES: 1}
    assert scenario.context["company_size"] == "medium"
    assert scenario.context["evident_conflicts"] is True
    assert scenario.context["sales_cycle"] == "short"


def _simulated_wave(scenario: DemoScenario, index: int, bank: Bank, seed: int) -> Any:
    rng = random.Random(seed)
    wave = scenario.waves[index]
    responses = [
        Response(side=side, answers=simulate_answers(bank, side, rng, wave.profile))
        for side in Side
        for _ in range(wave.respondents[side])
    ]
    return score_responses(bank, responses, threshold=1)


@pytest.mark.parametrize("seed", [1, 2006])
def test_shipped_story_goes_from_defined_with_gaps_to_aligned(bank: Bank, seed: int) -> None:
    scenario = load_scenario(bank, SHIPPED)
    baseline = _simulated_wave(scenario, 0, bank, seed)
    follow_up = _simulated_wave(scenario, 1, bank, seed)
    assert baseline.type.id == "defined"
    assert follow_up.type.id == "aligned"
    # Real perception gaps at first, fewer once the sides worked on the relationship.
    assert len(baseline.flagged_items) >= 4
    assert len(follow_up.flagged_items) < len(baseline.flagged_items)


@pytest.mark.parametrize("seed", [1, 2006])
def test_shipped_story_places_the_handoff_apart_then_together(bank: Bank, seed: int) -> None:
    scenario = load_scenario(bank, SHIPPED)
    baseline = _simulated_wave(scenario, 0, bank, seed).funnel
    follow_up = _simulated_wave(scenario, 1, bank, seed).funnel
    assert baseline is not None and follow_up is not None
    handoff = {side: stage.id if stage else None for side, stage in baseline.handoff.items()}
    # Marketing hands buyers over after brand preference; sales sees it let go after
    # brand awareness.
    assert handoff == {Side.MARKETING: "purchase_intention", Side.SALES: "brand_consideration"}
    assert baseline.handoff_apart
    assert [s.stage.id for s in baseline.disagreements] == [
        "brand_consideration",
        "brand_preference",
        "customer_advocacy",
    ]
    # Six months later both place it at the same stage; one smaller difference is left.
    assert not follow_up.handoff_apart
    assert [s.stage.id for s in follow_up.disagreements] == ["customer_loyalty"]
    loyalty = follow_up.stages[6]
    assert (loyalty.marketing.leader, loyalty.sales.leader) == (Owner.BOTH, Owner.SALES)


def test_funnel_answers_use_the_owner_codes(bank: Bank) -> None:
    scenario = load_scenario(bank, SHIPPED)
    assert bank.funnel is not None
    rng = random.Random(7)
    answers = [
        simulate_answers(bank, Side.SALES, rng, scenario.waves[0].profile) for _ in range(200)
    ]
    keys = {f"funnel:{stage.id}" for stage in bank.funnel.stages}
    assert all(keys <= set(one) for one in answers)
    codes = {one[key] for one in answers for key in keys}
    assert codes == {None, 1, 2, 3, 4}
    # Mostly the side's belief, now and then another owner or "don't know".
    said = [one["funnel:brand_preference"] for one in answers]
    assert 0.75 < said.count(Owner.SALES.value) / len(said) < 0.95


# --------------------------------------------------------------------------- against the bank


def test_an_unknown_item_is_named_with_file_wave_and_side(bank: Bank) -> None:
    document = shipped()
    document["waves"][0]["sides"]["marketing"]["items"]["leads_followed_up"] = 2.0
    assert problems_of(document, bank) == [
        "demo.yaml: waves[0] (Baseline): sides.marketing.items: 'leads_followed_up' is not "
        "an item of the bank (did you mean 'leads_followed_up_in_time'?)"
    ]


def test_an_unknown_funnel_stage_and_owner_are_named(bank: Bank) -> None:
    document = shipped()
    document["waves"][0]["sides"]["sales"]["funnel"]["brand_preferences"] = "sales"
    assert problems_of(document, bank) == [
        "demo.yaml: waves[0] (Baseline): sides.sales.funnel: 'brand_preferences' is not "
        "a funnel stage of the bank (did you mean 'brand_preference'?)"
    ]
    document = shipped()
    document["waves"][1]["sides"]["marketing"]["funnel"]["purchase"] = "finance"
    assert problems_of(document, bank) == [
        "demo.yaml: waves[1] (After 6 months): sides.marketing.funnel.purchase: 'finance' is "
        "not an owner of a stage (the owners: marketing, sales, both, nobody)"
    ]


def test_funnel_beliefs_need_a_bank_with_a_funnel() -> None:
    document = yaml.safe_load((ROOT / "questions.yaml").read_text(encoding="utf-8"))
    del document["funnel"]
    without_funnel = parse_bank(yaml.safe_dump(document, allow_unicode=True))
    problems = problems_of(shipped(), without_funnel)
    assert problems[0] == (
        "demo.yaml: waves[0] (Baseline): sides.marketing.funnel: the bank has no funnel"
    )
    assert len(problems) == 4  # each side of each wave


def test_unknown_dimension_and_bad_context_are_reported_together(bank: Bank) -> None:
    document = shipped()
    document["waves"][1]["sides"]["sales"]["dimensions"]["pricing"] = 3.0
    document["context"]["company_size"] = "huge"
    document["context"]["firm_age"] = 12
    problems = problems_of(document, bank)
    assert problems[0] == (
        "demo.yaml: waves[1] (After 6 months): sides.sales.dimensions: 'pricing' is not "
        "a dimension of the bank"
    )
    assert problems[1] == (
        "demo.yaml: context: company_size: 'huge' is not one of the choices (small, medium, large)"
    )
    assert problems[2].startswith("demo.yaml: context: firm_age: unknown factor")
    assert len(problems) == 3


def test_an_excluded_share_the_bank_would_count_is_refused(bank: Bank) -> None:
    items = len(yaml.safe_load((ROOT / "questions.yaml").read_text(encoding="utf-8"))["items"])
    document = shipped()
    document["answers"]["excluded_share"] = 0.9
    # 90% answered is well above the two thirds that make a response count.
    assert problems_of(document, bank) == [
        f"demo.yaml: answers.excluded_share: 0.9 is too high for the bank: a respondent "
        f"who answers {round(items * 0.9)} of its {items} items is counted, not excluded"
    ]


def test_a_scenario_for_another_bank_is_refused_by_this_one(bank: Bank) -> None:
    document = shipped()
    document["waves"] = [document["waves"][0]]
    document["waves"][0]["sides"]["sales"]["items"] = {"pipeline_review": 2.0}
    document["context"] = {"region": "north"}
    problems = problems_of(document, bank)
    assert problems[0] == (
        "demo.yaml: waves[0] (Baseline): sides.sales.items: 'pipeline_review' is not "
        "an item of the bank"
    )
    assert problems[1].startswith("demo.yaml: context: region: unknown factor")


# --------------------------------------------------------------------------- the file's shape


def _set(document: dict[str, Any], path: str, value: object) -> None:
    *parents, last = path.split("/")
    target: Any = document
    for part in parents:
        target = target[int(part)] if part.isdigit() else target[part]
    target[int(last) if last.isdigit() else last] = value


@pytest.mark.parametrize(
    ("path", "value", "problem"),
    [
        ("seed", True, "seed: must be a whole number (got True)"),
        ("organisation", "  ", "organisation: must not be empty (got '  ')"),
        ("answers/dont_know", 1.5, "answers.dont_know: must be less than 1 (got 1.5)"),
        ("answers/answer_spread", "wide", "answers.answer_spread: must be a number (got 'wide')"),
        ("answers/colour", "red", "answers.colour: unknown key"),
        ("waves", [], "waves: must not be empty (got [])"),
        (
            "waves/0/sides/marketing/base",
            7,
            "waves[0] (Baseline): sides.marketing.base: must be at most 5 (got 7)",
        ),
        (
            "waves/0/sides/sales/dimensions/joint_planning",
            0.5,
            "waves[0] (Baseline): sides.sales.dimensions.joint_planning: must be at least 1 "
            "(got 0.5)",
        ),
        (
            "waves/1/sides/sales/respondents",
            0,
            "waves[1] (After 6 months): sides.sales.respondents: must be at least 1 (got 0)",
        ),
        (
            "waves/1/sides/sales/excluded",
            -1,
            "waves[1] (After 6 months): sides.sales.excluded: must be at least 0 (got -1)",
        ),
        (
            "waves/0/sides/partners",
            {"respondents": 3, "base": 3},
            "waves[0] (Baseline): sides.partners: 'partners' is not a side "
            "(the sides: marketing, sales)",
        ),
        (
            "waves/0/days_before_today",
            -3,
            "waves[0] (Baseline): days_before_today: must be at least 0 (got -3)",
        ),
    ],
)
def test_shape_problems_name_the_key(bank: Bank, path: str, value: object, problem: str) -> None:
    document = shipped()
    _set(document, path, value)
    assert problems_of(document, bank) == [f"demo.yaml: {problem}"]


def test_a_missing_key_and_a_missing_side_are_named(bank: Bank) -> None:
    document = shipped()
    del document["seed"]
    del document["waves"][1]["sides"]["marketing"]
    assert problems_of(document, bank) == [
        "demo.yaml: seed: missing",
        "demo.yaml: waves[1] (After 6 months): sides: marketing is missing "
        "(a wave simulates both sides)",
    ]


def test_waves_are_listed_oldest_first_with_distinct_names(bank: Bank) -> None:
    document = shipped()
    document["waves"][1]["name"] = "Baseline"
    document["waves"][1]["days_before_today"] = 400
    assert problems_of(document, bank) == [
        "demo.yaml: waves[1] (Baseline): name: 'Baseline' is used by an earlier wave",
        "demo.yaml: waves[1] (Baseline): days_before_today: must be fewer than the previous "
        "wave's (196); waves are listed oldest first",
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("", "demo.yaml: the file is empty"),
        ("- one\n- two\n", "demo.yaml: the document must be a mapping"),
        ("seed: 1\nseed: 2\n", "demo.yaml: line 2: duplicate key 'seed'"),
        ("waves: [\n", "demo.yaml: line 2: YAML syntax error"),
    ],
)
def test_unreadable_documents(text: str, problem: str) -> None:
    with pytest.raises(DemoScenarioError) as caught:
        parse_scenario(text, SOURCE)
    (line,) = caught.value.problems
    assert line.startswith(problem)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(DemoScenarioError) as caught:
        read_scenario(tmp_path / "none.yaml")
    assert caught.value.problems == (
        f"{tmp_path / 'none.yaml'}: cannot read file: No such file or directory",
    )
