"""Simulated respondents: the demo organisation, and a fast bulk path for benchmarks.

The demo tells a familiar story: marketing says sales does not follow up its
leads, sales says the leads are poor and the material is of little use; six
months later both sides rate the relationship higher and agree more. The story
is data (the ``DEMO_*`` tendencies below); ids the bank does not have are
simply not used, so the demo still works, less pointedly, with another bank.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from flask import current_app
from sqlalchemy import insert, select

from scoring import Bank, Item, Side, is_counted
from scoring import Response as ScoringResponse
from scoring.model import HIGHEST_ANSWER, LOWEST_ANSWER
from survey.extensions import db
from survey.models import Answer, Assessment, Organisation, Response, User, today
from survey.services.assessments import create_assessment, create_organisation
from survey.services.banks import current_bank
from survey.services.context import ContextAnswers, ContextError, parse_context

DEMO_ORGANISATION = "Northwind Demo"
BASELINE_WAVE = "Baseline"
FOLLOW_UP_WAVE = "After 6 months"
#: Complete respondents per side (a few more incomplete ones are added and excluded).
DEMO_RESPONDENTS: Mapping[Side, int] = MappingProxyType({Side.MARKETING: 8, Side.SALES: 24})
INCOMPLETE_PER_SIDE = 1
#: Share of items an incomplete respondent answered: too few for the response to count.
INCOMPLETE_SHARE = 0.4
DEMO_SEED = 2006
FOLLOW_UP_DAYS = 182


@dataclass(frozen=True)
class Tendency:
    """How one side tends to rate practices, on the scored scale (5 = works well).

    A reverse item's tendency is also on the scored scale: a low value means the
    side agrees with the problem the item describes.
    """

    base: float = 3.0
    dimensions: Mapping[str, float] = field(default_factory=dict)
    items: Mapping[str, float] = field(default_factory=dict)

    def mean_for(self, item: Item) -> float:
        if item.id in self.items:
            return self.items[item.id]
        return self.dimensions.get(item.dimension, self.base)

    def improved(self, lift: float, closing: float) -> Tendency:
        """After work on the relationship: views move ``closing`` of the way to the
        side's overall view (so the sides disagree less) and then up by ``lift``."""

        def moved(value: float) -> float:
            return self.base + (value - self.base) * (1 - closing) + lift

        return Tendency(
            base=self.base + lift,
            dimensions={key: moved(value) for key, value in self.dimensions.items()},
            items={key: moved(value) for key, value in self.items.items()},
        )


@dataclass(frozen=True)
class Profile:
    """Both sides' tendencies in one wave, and how much single answers scatter."""

    marketing: Tendency
    sales: Tendency
    #: Standard deviation of one answer around its tendency.
    answer_spread: float = 0.8
    #: Standard deviation of one respondent's overall leaning (some people rate higher).
    respondent_spread: float = 0.35
    #: Chance of a "don't know" for any one item.
    dont_know: float = 0.04

    def tendency(self, side: Side) -> Tendency:
        return self.marketing if side is Side.MARKETING else self.sales

    def improved(self, lift: float, closing: float) -> Profile:
        return Profile(
            marketing=self.marketing.improved(lift, closing),
            sales=self.sales.improved(lift, closing),
            answer_spread=self.answer_spread,
            respondent_spread=self.respondent_spread,
            dont_know=self.dont_know,
        )


# The demo's story, as data. Keys are dimension and item ids of the shipped bank.
DEMO_BASELINE = Profile(
    marketing=Tendency(
        base=2.7,
        dimensions={
            "roles_and_handoffs": 2.1,
            "feedback_and_insight": 2.1,
            "shared_language": 3.3,
            "joint_planning": 2.9,
            "culture_and_trust": 2.4,
        },
        items={
            "leads_followed_up_in_time": 1.5,
            "campaign_feedback_loop": 1.7,
            "collateral_useful_in_sales": 3.9,
            "competitor_intelligence_shared": 3.8,
        },
    ),
    sales=Tendency(
        base=2.6,
        dimensions={
            "roles_and_handoffs": 3.2,
            "feedback_and_insight": 3.1,
            "shared_language": 2.3,
            "joint_planning": 2.2,
            "culture_and_trust": 2.2,
        },
        items={
            "leads_followed_up_in_time": 4.1,
            "campaign_feedback_loop": 3.6,
            "lead_quality_blame": 1.4,
            "collateral_useful_in_sales": 1.8,
            "competitor_intelligence_shared": 1.9,
        },
    ),
)
DEMO_FOLLOW_UP = DEMO_BASELINE.improved(lift=0.65, closing=0.6)

#: The advisor's answers for the demo: a mid-sized firm with open friction and short,
#: simple sales, for which Aligned is the place to aim for.
DEMO_CONTEXT: Mapping[str, bool | str] = MappingProxyType(
    {
        "company_size": "medium",
        "marketing_mainly_sales_support": False,
        "evident_conflicts": True,
        "duplicated_or_dropped_work": True,
        "competition_for_resources": True,
        "customised_during_sale": True,
        "commoditising_market": False,
        "shortening_life_cycles": False,
        "shared_responsibility_culture": False,
        "common_reporting_line": False,
        "sales_cycle": "short",
        "common_funnel_possible": False,
    }
)


def _on_scale(value: float) -> int:
    return min(HIGHEST_ANSWER, max(LOWEST_ANSWER, round(value)))


def simulate_answers(
    bank: Bank, side: Side, rng: random.Random, profile: Profile
) -> dict[str, int | None]:
    """One simulated respondent of ``side``: item id → 1–5, or ``None`` for "don't know"."""
    tendency = profile.tendency(side)
    leaning = rng.gauss(0.0, profile.respondent_spread)
    answers: dict[str, int | None] = {}
    for item in bank.items:
        if rng.random() < profile.dont_know:
            answers[item.id] = None
            continue
        scored = _on_scale(rng.gauss(tendency.mean_for(item) + leaning, profile.answer_spread))
        answers[item.id] = LOWEST_ANSWER + HIGHEST_ANSWER - scored if item.reverse else scored
    return answers


def leave_unanswered(
    answers: Mapping[str, int | None], rng: random.Random, keep_share: float
) -> dict[str, int | None]:
    """The same answers with all but ``keep_share`` of them turned into "don't know"."""
    item_ids = list(answers)
    kept = set(rng.sample(item_ids, round(len(item_ids) * keep_share)))
    return {item_id: answers[item_id] if item_id in kept else None for item_id in item_ids}


def bulk_insert_responses(
    assessment: Assessment,
    rows: Iterable[tuple[Side, Mapping[str, int | None]]],
    bank: Bank | None = None,
    *,
    submitted_on: dt.date | None = None,
) -> int:
    """Insert many responses with a few multi-row statements (the caller commits).

    Each response counts or not exactly as with ``add_response``. Returns how many
    responses were inserted.
    """
    bank = bank or current_bank()
    rows = list(rows)
    unknown = {item_id for _side, answers in rows for item_id in answers} - {
        item.id for item in bank.items
    }
    if unknown:
        raise ValueError(f"unknown item ids: {', '.join(sorted(unknown))}")
    if not rows:
        return 0
    if assessment.id is None:
        db.session.flush()
    day = submitted_on or today()
    response_ids = db.session.scalars(
        insert(Response).returning(Response.id, sort_by_parameter_order=True),
        [
            {
                "assessment_id": assessment.id,
                "side": Side(side).value,
                "counted": is_counted(bank, ScoringResponse(side=Side(side), answers=answers)),
                "submitted_on": day,
            }
            for side, answers in rows
        ],
    ).all()
    _insert_answers(
        (response_id, item_id, value)
        for response_id, (_side, answers) in zip(response_ids, rows, strict=True)
        for item_id, value in answers.items()
    )
    db.session.expire(assessment, ["responses"])
    return len(rows)


def _insert_answers(rows: Iterable[tuple[int, str, int | None]]) -> None:
    connection = db.session.connection()
    if connection.dialect.name == "postgresql" and connection.dialect.driver == "psycopg":
        # COPY is about three times faster than executemany for 400,000 rows.
        driver_connection: Any = connection.connection.driver_connection
        with (
            driver_connection.cursor() as cursor,
            cursor.copy(
                f"COPY {Answer.__table__.name} (response_id, item_id, value) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
        return
    values = [{"response_id": r, "item_id": i, "value": v} for r, i, v in rows]
    if values:
        # Core insert: one executemany, without the ORM's per-row bookkeeping.
        connection.execute(insert(Answer.__table__), values)


def demo_context(bank: Bank) -> ContextAnswers:
    """The demo's advisor answers that fit ``bank``."""
    usable: ContextAnswers = {}
    for factor_id, value in DEMO_CONTEXT.items():
        try:
            usable.update(parse_context({factor_id: value}, bank))
        except ContextError:
            continue
    return usable


def _wave_rows(
    bank: Bank, rng: random.Random, profile: Profile
) -> list[tuple[Side, dict[str, int | None]]]:
    rows: list[tuple[Side, dict[str, int | None]]] = []
    for side, number in DEMO_RESPONDENTS.items():
        rows.extend((side, simulate_answers(bank, side, rng, profile)) for _ in range(number))
        for _ in range(INCOMPLETE_PER_SIDE):
            answers = simulate_answers(bank, side, rng, profile)
            rows.append((side, leave_unanswered(answers, rng, INCOMPLETE_SHARE)))
    rng.shuffle(rows)  # respondents of both sides arrive mixed, as they would
    return rows


def create_demo(
    bank: Bank | None = None,
    *,
    rng: random.Random | None = None,
    name: str = DEMO_ORGANISATION,
    owner: User | None = None,
) -> Organisation:
    """Add the demo organisation with two waves of simulated answers (the caller commits).

    The same ``rng`` seed gives the same answers. The threshold is low enough for
    both sides of the demo to be shown.
    """
    bank = bank or current_bank()
    rng = rng or random.Random(DEMO_SEED)
    threshold = min(current_app.config["DEFAULT_THRESHOLD"], min(DEMO_RESPONDENTS.values()))
    context = demo_context(bank)
    organisation = create_organisation(name, owner)
    follow_up_start = today() - dt.timedelta(days=14)
    waves: Sequence[tuple[str, Profile, dt.date]] = (
        (BASELINE_WAVE, DEMO_BASELINE, follow_up_start - dt.timedelta(days=FOLLOW_UP_DAYS)),
        (FOLLOW_UP_WAVE, DEMO_FOLLOW_UP, follow_up_start),
    )
    for wave, profile, started in waves:
        assessment = create_assessment(
            organisation, name=wave, threshold=threshold, context=context
        )
        assessment.created_on = started
        bulk_insert_responses(
            assessment,
            _wave_rows(bank, rng, profile),
            bank,
            submitted_on=started + dt.timedelta(days=rng.randint(1, 10)),
        )
    db.session.flush()
    return organisation


def find_demo() -> Organisation | None:
    """The demo organisation made by :func:`create_demo`, if there is one."""
    return db.session.scalar(
        select(Organisation)
        .where(Organisation.name == DEMO_ORGANISATION, Organisation.owner_id.is_(None))
        .order_by(Organisation.id)
        .limit(1)
    )


def has_organisations() -> bool:
    return db.session.scalar(select(Organisation.id).limit(1)) is not None


__all__ = [
    "DEMO_ORGANISATION",
    "Profile",
    "Tendency",
    "bulk_insert_responses",
    "create_demo",
    "demo_context",
    "find_demo",
    "has_organisations",
    "leave_unanswered",
    "simulate_answers",
]
