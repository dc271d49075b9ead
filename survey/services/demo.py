"""Simulated respondents: the demo organisation of ``flask demo``.

The demo tells a familiar story: marketing says sales does not follow up its
leads, sales says the leads are poor and the material is of little use; six
months later both sides rate the relationship higher and agree more. The story
is data (``survey.services.demo_scenario``); this module draws answers from it
and stores them through the same bulk path as imports.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Mapping

from flask import current_app
from sqlalchemy import select

from scoring import Bank, Owner, Side
from scoring.model import FUNNEL_PREFIX, HIGHEST_ANSWER, LOWEST_ANSWER, funnel_question
from survey.extensions import db
from survey.models import Organisation, User, today
from survey.services.assessments import create_assessment, create_organisation
from survey.services.audit import organisation_target
from survey.services.banks import current_bank
from survey.services.demo_scenario import (
    ANSWERING_DAYS,
    DemoScenario,
    DemoWave,
    Profile,
    current_scenario,
    demo_path,
    read_scenario,
)
from survey.services.organisations import active_account
from survey.services.responses import store_responses
from survey.services.unit_of_work import unit_of_work

# --------------------------------------------------------------------------- answers


def _on_scale(value: float) -> int:
    return min(HIGHEST_ANSWER, max(LOWEST_ANSWER, round(value)))


def simulate_answers(
    bank: Bank, side: Side, rng: random.Random, profile: Profile
) -> dict[str, int | None]:
    """One simulated respondent of ``side``: item id → 1–5, or ``None`` for "don't know".

    When the bank has a funnel, each stage's answer (``funnel:<stage id>``) is the
    owner code the side believes in (1 marketing, 2 sales, 3 both, 4 nobody), now
    and then another owner (``profile.funnel_noise``) or ``None``.
    """
    tendency = profile.tendency(side)
    leaning = rng.gauss(0.0, profile.respondent_spread)
    answers: dict[str, int | None] = {}
    for item in bank.items:
        if rng.random() < profile.dont_know:
            answers[item.id] = None
            continue
        scored = _on_scale(rng.gauss(tendency.mean_for(item) + leaning, profile.answer_spread))
        answers[item.id] = LOWEST_ANSWER + HIGHEST_ANSWER - scored if item.reverse else scored
    for stage in bank.funnel.stages if bank.funnel is not None else ():
        key = funnel_question(stage.id)
        if rng.random() < profile.dont_know:
            answers[key] = None
            continue
        owner = tendency.owner_for(stage)
        if rng.random() < profile.funnel_noise:
            owner = rng.choice([other for other in Owner if other is not owner])
        answers[key] = owner.value
    return answers


def leave_unanswered(
    answers: Mapping[str, int | None], rng: random.Random, keep_share: float
) -> dict[str, int | None]:
    """The same answers with all but ``keep_share`` of the items turned into "don't know".

    The respondent stopped before the funnel: its stages are all "don't know".
    """
    item_ids = [key for key in answers if not key.startswith(FUNNEL_PREFIX)]
    kept = set(rng.sample(item_ids, round(len(item_ids) * keep_share)))
    return {key: answers[key] if key in kept else None for key in answers}


def _wave_rows(
    bank: Bank, rng: random.Random, wave: DemoWave, excluded_share: float
) -> list[tuple[Side, dict[str, int | None]]]:
    rows: list[tuple[Side, dict[str, int | None]]] = []
    for side in Side:
        rows.extend(
            (side, simulate_answers(bank, side, rng, wave.profile))
            for _ in range(wave.respondents[side])
        )
        for _ in range(wave.excluded[side]):
            answers = simulate_answers(bank, side, rng, wave.profile)
            rows.append((side, leave_unanswered(answers, rng, excluded_share)))
    rng.shuffle(rows)  # respondents of both sides arrive mixed, as they would
    return rows


def create_demo(
    bank: Bank | None = None,
    *,
    rng: random.Random | None = None,
    name: str | None = None,
    owner: User | None = None,
    scenario: DemoScenario | None = None,
) -> Organisation:
    """Add the demo organisation with its waves of simulated answers (the caller commits).

    ``scenario`` defaults to :func:`current_scenario`; a scenario that does not fit
    the bank raises :class:`DemoScenarioError` before anything is added. The same
    ``rng`` seed (by default the scenario's) gives the same answers. Each wave's
    threshold is low enough for both of its sides to be shown.
    """
    bank = bank or current_bank()
    scenario = scenario or current_scenario(bank)
    rng = rng or random.Random(scenario.seed)
    organisation = create_organisation(name or scenario.organisation, owner)
    for wave in scenario.waves:
        started = today() - dt.timedelta(days=wave.days_before_today)
        threshold = min(current_app.config["DEFAULT_THRESHOLD"], *wave.respondents.values())
        assessment = create_assessment(
            organisation, name=wave.name, threshold=threshold, context=scenario.context
        )
        assessment.created_on = started
        rows = _wave_rows(bank, rng, wave, scenario.excluded_share)
        answered_on = started + dt.timedelta(days=rng.randint(1, ANSWERING_DAYS))
        store_responses(assessment, rows, bank, submitted_on=min(answered_on, today()))
    db.session.flush()
    return organisation


def create_demo_for(owner_email: str | None, *, if_empty: bool) -> tuple[Organisation | None, bool]:
    """The demo organisation and whether it was just made (``flask demo``).

    With ``if_empty`` and organisations already there, nothing is made: the result
    is the existing demo organisation, if any. ``owner_email`` must name an active
    account (``WorkspaceError`` otherwise).
    """
    with unit_of_work() as work:
        owner = active_account(owner_email)
        if if_empty and has_organisations():
            work.discard()
            return find_demo(), False
        organisation = create_demo(owner=owner)
        work.audit("demo.create", organisation_target(organisation.id))
    return organisation, True


def find_demo() -> Organisation | None:
    """The demo organisation made by :func:`create_demo`, if there is one."""
    name = read_scenario(demo_path()).organisation
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.name == name, Organisation.owner_id.is_(None))
        .order_by(Organisation.id)
        .limit(1)
    )


def has_organisations() -> bool:
    return db.session.scalar(select(Organisation.id).limit(1)) is not None


__all__ = [
    "create_demo",
    "create_demo_for",
    "find_demo",
    "has_organisations",
    "leave_unanswered",
    "simulate_answers",
]
