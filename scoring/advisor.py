"""Do we need to be more aligned? The advisor reads the row of the current type.

Not every organisation should climb to the top. The bank's advisor rules are
the rows of the decision table: for each type but the top one, the facts that
argue for staying and those that argue for moving up. For a placed
organisation the advisor reads the row of the type it is at *now*:

* **move up** when at least one reason to move holds and the reasons to move
  that hold are at least as many as the reasons to stay that hold;
* **stay** when reasons to stay hold and outnumber the reasons to move;
* **undecided** otherwise — in particular when none of the row's questions was
  answered; the advice then names the row's unanswered questions.

A reason *holds* when the context gives its factor exactly the value the
condition names. An unanswered question, or an answer the row does not name,
is neither for nor against: a "no" to a question about moving up is not a
reason to stay unless the row says so in a condition of its own.

The top type has nothing above it: its verdict is always *stay*.

**Worth aiming for** (the target): on *stay* the current type; on *move up*
the next type, and further up only while each next row's own verdict is
*move up* — never past a row whose verdict is stay or undecided; on
*undecided* there is no target. Waves that are not placed get no verdict and
no target.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from scoring.model import AdvisorRule, Bank, Condition, ContextFactor, LocalText, RelationshipType

#: Answers to the advisor's questions: factor id → yes/no or a choice; ``None`` = not answered.
Context = Mapping[str, bool | str | None]


class Verdict(StrEnum):
    MOVE_UP = "move_up"
    STAY = "stay"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class RowReading:
    """What one row of the decision table says, given a context."""

    type: RelationshipType
    verdict: Verdict
    reasons_to_move: tuple[LocalText, ...]
    reasons_to_stay: tuple[LocalText, ...]
    #: The row's questions the context leaves unanswered, in the bank's order.
    unanswered: tuple[ContextFactor, ...]


@dataclass(frozen=True)
class Advice:
    """The verdict for the organisation's current type, and why."""

    #: Where the organisation stands now; ``None`` while it is not placed.
    current: RelationshipType | None
    #: ``None`` while the organisation is not placed.
    verdict: Verdict | None
    #: The type to move to next, on *move up*.
    next_step: RelationshipType | None
    #: The type worth aiming for; ``None`` when undecided or not placed.
    target: RelationshipType | None
    reasons_to_move: tuple[LocalText, ...]
    reasons_to_stay: tuple[LocalText, ...]
    #: Questions of the current row that would decide an undecided verdict.
    missing_questions: tuple[ContextFactor, ...]
    #: No question of the bank was answered at all.
    context_missing: bool


def _holds(condition: Condition, context: Context) -> bool:
    value = context.get(condition.factor)
    return value is not None and value == condition.equals


def _rule_for(bank: Bank, type_id: str) -> AdvisorRule | None:
    for rule in bank.advisor_rules:
        if rule.type_id == type_id:
            return rule
    return None


def read_row(bank: Bank, relationship_type: RelationshipType, context: Context) -> RowReading:
    """The verdict of ``relationship_type``'s row of the decision table for ``context``."""
    rule = _rule_for(bank, relationship_type.id)
    to_move = tuple(c.reason for c in rule.move_if if _holds(c, context)) if rule else ()
    to_stay = tuple(c.reason for c in rule.stay_if if _holds(c, context)) if rule else ()
    if bank.next_type(relationship_type.id) is None:
        return RowReading(relationship_type, Verdict.STAY, (), to_stay, ())
    if to_move and len(to_move) >= len(to_stay):
        verdict = Verdict.MOVE_UP
    elif to_stay and len(to_stay) > len(to_move):
        verdict = Verdict.STAY
    else:
        verdict = Verdict.UNDECIDED
    asked = {c.factor for c in (*rule.stay_if, *rule.move_if)} if rule else set()
    unanswered = tuple(
        factor
        for factor in bank.context_factors
        if factor.id in asked and context.get(factor.id) is None
    )
    return RowReading(relationship_type, verdict, to_move, to_stay, unanswered)


def worth_aiming_for(
    bank: Bank, current: RelationshipType, context: Context
) -> RelationshipType | None:
    """The highest type the context argues for, climbing one decided row at a time."""
    verdict = read_row(bank, current, context).verdict
    if verdict is Verdict.STAY:
        return current
    if verdict is Verdict.UNDECIDED:
        return None
    target = bank.next_type(current.id)
    while target is not None and bank.next_type(target.id) is not None:
        if read_row(bank, target, context).verdict is not Verdict.MOVE_UP:
            break
        target = bank.next_type(target.id)
    return target


def has_context(context: Context | None) -> bool:
    """Whether at least one advisor question is answered."""
    return context is not None and any(value is not None for value in context.values())


def advise(bank: Bank, current: RelationshipType | None, context: Context | None) -> Advice:
    """The advice for an organisation now at ``current`` (``None``: not placed)."""
    answers: Context = context if context is not None else {}
    missing = not has_context(context)
    if current is None:
        return Advice(None, None, None, None, (), (), (), context_missing=missing)
    reading = read_row(bank, current, answers)
    return Advice(
        current=current,
        verdict=reading.verdict,
        next_step=bank.next_type(current.id) if reading.verdict is Verdict.MOVE_UP else None,
        target=worth_aiming_for(bank, current, answers),
        reasons_to_move=reading.reasons_to_move,
        reasons_to_stay=reading.reasons_to_stay,
        missing_questions=reading.unanswered if reading.verdict is Verdict.UNDECIDED else (),
        context_missing=missing,
    )
