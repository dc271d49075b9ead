"""The questionnaire in pages: one page per dimension, the buying funnel, a last page to send.

A dimension with more than :data:`MOST_PER_PAGE` statements is split into even
parts. Statements are numbered across the whole questionnaire, in bank order. When
the bank has a funnel, one page before the last asks who leads each of its stages
(its questions are ``funnel:<stage id>``); a page needs every question answered,
"Don't know" included, before Next, whether it holds statements or stages.
This module turns a bank, a side and a draft's answers into what the page
templates show; the views in ``routes.py`` decide which page to show.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from flask import render_template, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from scoring import Bank, Side
from scoring.model import FUNNEL_PREFIX, funnel_question
from survey.i18n import current_locale
from survey.models import Assessment
from survey.respond.forms import ANSWER_LABELS, CARRY_PREFIX, OPEN_ANSWER, OWNER_LABELS
from survey.services.banks import per_bank
from survey.services.comments import COMMENT_MAX
from survey.services.drafts import (
    DRAFT_DAYS,
    SENT_DAYS,
    answers_needed_to_count,
    estimated_minutes,
    funnel_keys,
    statements_answered,
)
from survey.services.organisations import IDENTIFIABLE_BELOW
from survey.services.responses import DONT_KNOW

#: More statements than this on one dimension are split over several pages.
MOST_PER_PAGE = 6


@dataclass(frozen=True)
class Step:
    """One page: the statements of (part of) a dimension, the funnel's stages (``funnel``,
    whose ``item_ids`` are the stages' question ids), or nothing on the last page."""

    number: int
    dimension_id: str | None
    item_ids: tuple[str, ...]
    part: int = 1
    parts: int = 1
    funnel: bool = False

    @property
    def is_last(self) -> bool:
        return not self.item_ids


@dataclass(frozen=True)
class Question:
    number: int
    item_id: str
    text: str
    value: str | None
    missing: bool
    focus: bool


@dataclass(frozen=True)
class StageQuestion:
    """One stage of the buyer's journey on the funnel page: who leads it?"""

    key: str
    stage_id: str
    name: str
    description: str
    value: str | None
    missing: bool
    focus: bool


@dataclass(frozen=True)
class MissingLink:
    """An entry of the error summary: a statement of this page without an answer, or
    another page with some, and where to go."""

    href: str
    label: str


def _split(item_ids: Sequence[str]) -> list[tuple[str, ...]]:
    """As few parts as fit :data:`MOST_PER_PAGE`, their sizes differing by one at most."""
    count = math.ceil(len(item_ids) / MOST_PER_PAGE)
    if count == 0:
        return []
    size, longer = divmod(len(item_ids), count)
    parts, start = [], 0
    for number in range(count):
        end = start + size + (1 if number < longer else 0)
        parts.append(tuple(item_ids[start:end]))
        start = end
    return parts


@per_bank
def steps_of(bank: Bank) -> tuple[Step, ...]:
    """Every page of the questionnaire, in order; the last one sends."""
    steps: list[Step] = []
    for dimension in bank.dimensions:
        chunks = _split([item.id for item in bank.items_in(dimension.id)])
        for part, chunk in enumerate(chunks, start=1):
            steps.append(Step(len(steps) + 1, dimension.id, chunk, part, len(chunks)))
    stages = funnel_keys(bank)
    if stages:
        steps.append(Step(len(steps) + 1, None, tuple(stages), funnel=True))
    steps.append(Step(len(steps) + 1, None, ()))
    return tuple(steps)


def step_of(steps: Sequence[Step], item_id: str) -> Step:
    return next(step for step in steps if item_id in step.item_ids)


def resume_point(steps: Sequence[Step], answers: Mapping[str, str]) -> tuple[Step, str | None]:
    """The first page with a statement not answered yet, and that statement."""
    for step in steps:
        for item_id in step.item_ids:
            if item_id not in answers:
                return step, item_id
    return steps[-1], None


@per_bank
def numbers_of(bank: Bank) -> Mapping[str, int]:
    """Item id → its number as shown (bank order, which is page order)."""
    return MappingProxyType({item.id: number for number, item in enumerate(bank.items, start=1)})


def survey_context(assessment: Assessment, side: Side, token: str, bank: Bank) -> dict[str, Any]:
    """What every survey page may show about the survey itself."""
    return {
        "token": token,
        "assessment": assessment,
        "organisation": assessment.organisation.name,
        "side": side.value,
        "threshold": assessment.threshold,
        "identifiable": assessment.threshold < IDENTIFIABLE_BELOW,
        "total": len(bank.items),
        "stages": len(funnel_keys(bank)),
        "needed": answers_needed_to_count(bank),
        "pages": len(steps_of(bank)),
        "has_open_question": bank.open_question is not None,
        "minutes": estimated_minutes(bank),
        "draft_days": DRAFT_DAYS,
        "sent_days": SENT_DAYS,
    }


def funnel_title() -> str:
    return _("Who leads each stage of a customer's journey?")


def _step_title(bank: Bank, step: Step, locale: str) -> str:
    if step.funnel:
        return funnel_title()
    if step.dimension_id is None:
        return ""
    return bank.dimension(step.dimension_id).title.get(locale)


def _anchor(key: str) -> str:
    """The id of a question's fieldset: ``item-<item id>`` or ``stage-<stage id>``."""
    stage = key.removeprefix(FUNNEL_PREFIX)
    return f"stage-{stage}" if stage != key else f"item-{key}"


def _missing_links(
    bank: Bank, token: str, steps: Sequence[Step], shown: Step, missing: Sequence[str]
) -> list[MissingLink]:
    """This page's statements one by one; every other page once, with how many it lacks."""
    numbers, locale = numbers_of(bank), current_locale()
    stages = {stage.id: stage for stage in bank.funnel.stages} if bank.funnel else {}
    links = [
        MissingLink(
            f"#{_anchor(key)}",
            stages[key.removeprefix(FUNNEL_PREFIX)].name.get(locale)
            if shown.funnel
            else _("Statement %(number)d", number=numbers[key]),
        )
        for key in missing
        if key in shown.item_ids
    ]
    for step in steps:
        lacking = [key for key in missing if key in step.item_ids]
        if step == shown or not lacking:
            continue
        page = url_for("respond.page", token=token, step=step.number)
        title = _step_title(bank, step, locale)
        if step.funnel:
            label = ngettext(
                "%(num)d stage on page %(step)d, “%(title)s”",
                "%(num)d stages on page %(step)d, “%(title)s”",
                len(lacking),
                step=step.number,
                title=title,
            )
        else:
            label = ngettext(
                "%(num)d statement on page %(step)d, “%(title)s”",
                "%(num)d statements on page %(step)d, “%(title)s”",
                len(lacking),
                step=step.number,
                title=title,
            )
        links.append(MissingLink(f"{page}#{_anchor(lacking[0])}", label))
    return links


def _carried(answers: Mapping[str, str], skip: Collection[str]) -> list[tuple[str, str]]:
    return [(CARRY_PREFIX + i, value) for i, value in answers.items() if i not in skip]


@dataclass(frozen=True)
class PageState:
    """What a respondent has given so far, and what the page should point out."""

    answers: Mapping[str, str]
    comment: str = ""
    missing: Sequence[str] = ()
    focus: str | None = None
    recovered: bool = False
    welcome_back: bool = False
    comment_error: str | None = None


def _common(
    bank: Bank, context: dict[str, Any], steps: Sequence[Step], step: Step, state: PageState
) -> dict[str, Any]:
    skip = set(step.item_ids)
    carried = _carried(state.answers, skip)
    if state.comment and not step.is_last:
        carried.append((CARRY_PREFIX + OPEN_ANSWER, state.comment))
    elsewhere = {key: value for key, value in state.answers.items() if key not in skip}
    return {
        **context,
        "step": step,
        "steps": len(steps),
        # The progress counts statements: the funnel's stages are not among them.
        "answered": statements_answered(bank, state.answers),
        "answered_elsewhere": statements_answered(bank, elsewhere),
        "carried": carried,
        "recovered": state.recovered,
        "welcome_back": state.welcome_back,
    }


def render_step(
    bank: Bank, side: Side, context: dict[str, Any], step: Step, state: PageState
) -> str:
    """A page of statements, with the saved answers chosen and missing ones marked."""
    steps, locale, numbers = steps_of(bank), current_locale(), numbers_of(bank)
    missing_here = [item_id for item_id in state.missing if item_id in step.item_ids]
    questions = [
        Question(
            number=numbers[item_id],
            item_id=item_id,
            text=bank.item(item_id).text_for(side).get(locale),
            value=state.answers.get(item_id),
            missing=item_id in missing_here,
            focus=item_id == state.focus and not missing_here,
        )
        for item_id in step.item_ids
    ]
    assert step.dimension_id is not None
    dimension = bank.dimension(step.dimension_id)
    return render_template(
        "respond/questions.html",
        **_common(bank, context, steps, step, state),
        title=dimension.title.get(locale),
        description=dimension.description.get(locale),
        questions=questions,
        missing=_missing_links(bank, context["token"], steps, step, state.missing),
        dont_know=DONT_KNOW,
        # Resolved once per page, not once per radio; like the lazy strings they
        # replace, these are our own translated texts and are trusted as markup.
        points=[(v, Markup(str(label))) for v, label in ANSWER_LABELS.items() if v != DONT_KNOW],
        dont_know_label=Markup(str(ANSWER_LABELS[DONT_KNOW])),
    )


def render_last(bank: Bank, side: Side, context: dict[str, Any], state: PageState) -> str:
    """The page before sending: the open question, and a warning when answers would not count."""
    steps = steps_of(bank)
    unanswered = [item.id for item in bank.items if item.id not in state.answers]
    dont_know = [item_id for item_id, value in state.answers.items() if value == DONT_KNOW]
    first_gap = step_of(steps, unanswered[0]) if unanswered else None
    first_unsure = step_of(steps, dont_know[0]) if dont_know else None
    question = bank.open_question
    stages_open = [key for key in funnel_keys(bank) if key not in state.answers]
    return render_template(
        "respond/send.html",
        **_common(bank, context, steps, steps[-1], state),
        unanswered=unanswered,
        stages_open=stages_open,
        first_stage_open=_anchor(stages_open[0]) if stages_open else None,
        funnel_step=next((step for step in steps if step.funnel), None),
        first_gap=(first_gap, unanswered[0]) if first_gap else None,
        first_unsure=(first_unsure, dont_know[0]) if first_unsure else None,
        rated=len(state.answers) - len(dont_know),
        open_question=question.text_for(side).get(current_locale()) if question else None,
        comment=state.comment,
        comment_error=state.comment_error,
        comment_max=COMMENT_MAX,
        open_answer=OPEN_ANSWER,
    )


def render_funnel(
    bank: Bank, side: Side, context: dict[str, Any], step: Step, state: PageState
) -> str:
    """The funnel page: who leads each stage today, with saved choices and missing ones marked."""
    assert bank.funnel is not None
    steps, locale = steps_of(bank), current_locale()
    missing_here = [key for key in state.missing if key in step.item_ids]
    questions = [
        StageQuestion(
            key=funnel_question(stage.id),
            stage_id=stage.id,
            name=stage.name.get(locale),
            description=stage.description.get(locale),
            value=state.answers.get(funnel_question(stage.id)),
            missing=funnel_question(stage.id) in missing_here,
            focus=funnel_question(stage.id) == state.focus and not missing_here,
        )
        for stage in bank.funnel.stages
    ]
    return render_template(
        "respond/funnel.html",
        **_common(bank, context, steps, step, state),
        title=funnel_title(),
        question=bank.funnel.question_for(side).get(locale),
        questions=questions,
        missing=_missing_links(bank, context["token"], steps, step, state.missing),
        dont_know=DONT_KNOW,
        # Our own translated texts, resolved once per page (see render_step).
        owners=[(value, Markup(str(label))) for value, label in OWNER_LABELS.items()],
        dont_know_label=Markup(str(ANSWER_LABELS[DONT_KNOW])),
    )
