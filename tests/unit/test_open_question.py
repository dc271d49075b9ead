"""The open question in the bank, how a comment is counted, and how statements become pages."""

from __future__ import annotations

import json

import pytest

from scoring.model import Side
from survey.bank import bank_to_dict, load_default_bank, parse_bank
from survey.respond.pages import MOST_PER_PAGE, resume_point, steps_of
from survey.services.comments import COMMENT_MAX, CommentTooLong, check_comment, clean_comment
from tests.unit.test_bank import assert_reported, dump, en, item, problems_of, valid_bank

QUESTION = {
    "marketing": en("What could sales do?"),
    "sales": {"en": "What could marketing do?", "fr": "Que pourrait faire le marketing ?"},
}


def test_the_open_question_is_optional() -> None:
    assert parse_bank(dump(valid_bank())).open_question is None


def test_the_open_question_is_worded_per_side_and_language() -> None:
    bank = parse_bank(dump({**valid_bank(), "open_question": QUESTION}))

    assert bank.open_question is not None
    assert bank.open_question.text_for(Side.MARKETING).get() == "What could sales do?"
    assert bank.open_question.text_for(Side.SALES).get("fr") == "Que pourrait faire le marketing ?"
    assert bank.open_question.text_for(Side.MARKETING).get("fr") == "What could sales do?"
    data = bank_to_dict(bank)
    assert json.loads(json.dumps(data))["open_question"] == QUESTION
    assert "open_question" not in bank_to_dict(parse_bank(dump(valid_bank())))


def test_a_broken_open_question_is_reported() -> None:
    problems = problems_of({**valid_bank(), "open_question": {"marketing": {"fr": "Quoi ?"}}})

    assert_reported(problems, "questions.yaml: open_question.marketing: missing 'en' text")
    assert_reported(problems, "questions.yaml: open_question.sales: missing")


def test_the_shipped_bank_asks_each_side_about_the_other_team() -> None:
    question = load_default_bank().open_question
    assert question is not None
    assert "sales team" in question.text_for(Side.MARKETING).get()
    assert "marketing team" in question.text_for(Side.SALES).get()


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("  Fine as it is.  ", "Fine as it is."),
        ("one\r\ntwo\rthree", "one\ntwo\nthree"),
        ("e\u0301t\u00e9", "été"),
        ("tab\tkept\x1b\x7f\x85", "tab\tkept"),
        (None, ""),
    ],
)
def test_a_comment_is_cleaned_before_it_is_counted(typed: str | None, kept: str) -> None:
    assert clean_comment(typed) == kept


def test_the_limit_is_in_characters() -> None:
    assert check_comment("😀" * COMMENT_MAX) == "😀" * COMMENT_MAX
    with pytest.raises(CommentTooLong) as refused:
        check_comment("😀" * (COMMENT_MAX + 1))
    assert refused.value.length == COMMENT_MAX + 1


def test_a_page_per_dimension_and_long_dimensions_split_evenly() -> None:
    bank_data = valid_bank()
    bank_data["items"] += [item(f"extra_{n}", "goals") for n in range(12)]
    bank = parse_bank(dump(bank_data))

    steps = steps_of(bank)

    goals = [step for step in steps if step.dimension_id == "goals"]
    sizes = [len(step.item_ids) for step in goals]
    assert len(bank.items_in("goals")) > 2 * MOST_PER_PAGE
    assert sum(sizes) == len(bank.items_in("goals"))
    assert len(goals) == 3 and max(sizes) - min(sizes) <= 1
    assert [(step.part, step.parts) for step in goals] == [(1, 3), (2, 3), (3, 3)]
    assert all(len(step.item_ids) <= MOST_PER_PAGE for step in steps)
    assert steps[-1].is_last and steps[-1].item_ids == ()
    assert [step.number for step in steps] == list(range(1, len(steps) + 1))
    shown = [item_id for step in steps for item_id in step.item_ids]
    assert sorted(shown) == sorted(i.id for i in bank.items)


def test_resuming_finds_the_first_statement_without_an_answer() -> None:
    bank = load_default_bank()
    steps = steps_of(bank)
    ids = [i.id for i in bank.items]

    assert resume_point(steps, {}) == (steps[0], ids[0])
    answered = dict.fromkeys(ids[:7], "3")
    step, item_id = resume_point(steps, answered)
    assert item_id == ids[7]
    assert item_id in step.item_ids
    # Every statement answered: the funnel's page, at its first stage; then the last page.
    funnel = [f"funnel:{stage.id}" for stage in bank.funnel.stages] if bank.funnel else []
    if funnel:
        assert resume_point(steps, dict.fromkeys(ids, "na")) == (steps[-2], funnel[0])
    assert resume_point(steps, dict.fromkeys(ids + funnel, "na")) == (steps[-1], None)
