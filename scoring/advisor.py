"""Do we need to be more aligned? A target type from the organisation's context.

Not every organisation should climb to the top. The bank's advisor rules say,
for each type but the top one, which facts argue for staying and which for
moving up. The advisor walks the types from the bottom:

* past a type when at least one reason to move up holds and the reasons to
  move up are at least as many as the reasons to stay;
* past a type when none of its questions was answered: with no evidence about
  that step, the answers about the steps above it decide;
* otherwise that type is the target, with the reasons to stay that hold.

An organisation already at or above the target is told to hold and strengthen
what it has, not to move up. Without any context the advisor recommends the
next type up and says that the context is missing. Unanswered questions in a
context count as neither for nor against.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from scoring.model import Bank, Condition, LocalText, RelationshipType

#: Answers to the advisor's questions: factor id → yes/no or a choice; ``None`` = not answered.
Context = Mapping[str, bool | str | None]


class Recommendation(StrEnum):
    MOVE_UP = "move_up"
    HOLD = "hold"


@dataclass(frozen=True)
class Advice:
    """The type worth aiming for, and why."""

    target: RelationshipType
    #: Where the organisation stands now; ``None`` while it is not placed.
    current: RelationshipType | None
    #: ``None`` while the organisation is not placed.
    recommendation: Recommendation | None
    #: The type to move to next when moving up.
    next_step: RelationshipType | None
    reasons: tuple[LocalText, ...]
    context_missing: bool


def _holds(condition: Condition, context: Context) -> bool:
    value = context.get(condition.factor)
    return value is not None and value == condition.equals


def _answered(condition: Condition, context: Context) -> bool:
    return context.get(condition.factor) is not None


def target_type(bank: Bank, context: Context) -> tuple[RelationshipType, tuple[LocalText, ...]]:
    """The type the context argues for, with the reasons that led there."""
    rules = {rule.type_id: rule for rule in bank.advisor_rules}
    reasons: list[LocalText] = []
    for relationship_type in bank.types[:-1]:
        rule = rules.get(relationship_type.id)
        if rule is None:
            return relationship_type, tuple(reasons)
        to_move = [c.reason for c in rule.move_if if _holds(c, context)]
        to_stay = [c.reason for c in rule.stay_if if _holds(c, context)]
        if to_move and len(to_move) >= len(to_stay):
            reasons.extend(to_move)
            continue
        if not any(_answered(c, context) for c in (*rule.stay_if, *rule.move_if)):
            continue
        return relationship_type, (*reasons, *to_stay)
    return bank.types[-1], tuple(reasons)


def _has_context(context: Context | None) -> bool:
    return context is not None and any(value is not None for value in context.values())


def advise(bank: Bank, current: RelationshipType | None, context: Context | None) -> Advice:
    """Recommend a target type for an organisation now at ``current``."""
    if not _has_context(context):
        target = bank.types[0] if current is None else bank.next_type(current.id) or current
        recommendation = None
        if current is not None:
            recommendation = (
                Recommendation.MOVE_UP if target is not current else Recommendation.HOLD
            )
        return Advice(
            target=target,
            current=current,
            recommendation=recommendation,
            next_step=target if recommendation is Recommendation.MOVE_UP else None,
            reasons=(),
            context_missing=True,
        )

    assert context is not None
    target, reasons = target_type(bank, context)
    if current is None:
        return Advice(target, None, None, None, reasons, context_missing=False)
    if bank.type_index(current.id) >= bank.type_index(target.id):
        return Advice(target, current, Recommendation.HOLD, None, reasons, context_missing=False)
    return Advice(
        target,
        current,
        Recommendation.MOVE_UP,
        bank.next_type(current.id),
        reasons,
        context_missing=False,
    )
