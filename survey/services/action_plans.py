"""The action plan: the next-step moves leadership chose, who does what by when, how it went.

Each item names a move of the wave's own bank, an owner on the marketing side and
one on the sales side, a due date, a success measure and a status. The report of
a later wave looks back at the nearest earlier wave that has a plan and says, per
chosen move, whether the areas (dimensions) it addresses improved: it compares
the combined area scores of the two waves' *published* results, so it moves only
when a whole group of respondents has been released, like every other figure.

Owners and measures are the client's words: they appear in the report, the wave
page and the exports, never in the audit log (which names the wave and item by id).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from scoring import AssessmentResult, Dimension, Move
from survey.extensions import db
from survey.models import NAME_MAX, ActionItem, Assessment
from survey.services.audit import assessment_target
from survey.services.banks import bank_of
from survey.services.results import assessment_result
from survey.services.unit_of_work import unit_of_work

STATUSES = ("planned", "in_progress", "done", "dropped")
#: Longest success measure (a few sentences).
MEASURE_MAX = 1000
#: A change in an area's combined score (20–100) of at least this many points counts as
#: better or worse; smaller changes are "about the same" (the report shows whole points).
CHANGE_POINTS = 1.0


class ActionPlanError(ValueError):
    """An entry that cannot be saved; the message says why."""


@dataclass(frozen=True)
class Entry:
    """What a consultant enters for one chosen move."""

    move_id: str
    marketing_owner: str = ""
    sales_owner: str = ""
    due_on: dt.date | None = None
    success_measure: str = ""
    status: str = "planned"


def _target(assessment_id: int, item_id: int) -> str:
    return f"{assessment_target(assessment_id)}, action item {item_id}"


def moves_of(assessment: Assessment) -> tuple[Move, ...]:
    """The moves a wave's plan may choose from: every move of the wave's bank."""
    return bank_of(assessment).moves


def _move(assessment: Assessment, move_id: str) -> Move | None:
    return next((move for move in moves_of(assessment) if move.id == move_id), None)


def _checked(assessment: Assessment, entry: Entry) -> dict[str, Any]:
    if _move(assessment, entry.move_id) is None:
        raise ActionPlanError(f"{entry.move_id!r} is not a move of this wave's question bank")
    if entry.status not in STATUSES:
        raise ActionPlanError(f"the status must be one of {', '.join(STATUSES)}")
    values = {
        "marketing_owner": entry.marketing_owner.strip(),
        "sales_owner": entry.sales_owner.strip(),
        "success_measure": entry.success_measure.strip(),
    }
    for column in ("marketing_owner", "sales_owner"):
        if len(values[column]) > NAME_MAX:
            raise ActionPlanError(f"an owner can have at most {NAME_MAX} characters")
    if len(values["success_measure"]) > MEASURE_MAX:
        raise ActionPlanError(f"the success measure can have at most {MEASURE_MAX} characters")
    return {**values, "move_id": entry.move_id, "due_on": entry.due_on, "status": entry.status}


def items_of(assessment: Assessment) -> list[ActionItem]:
    """The wave's plan, in the order the moves were chosen."""
    return list(
        db.session.scalars(
            select(ActionItem)
            .where(ActionItem.assessment_id == assessment.id)
            .order_by(ActionItem.id)
        )
    )


def item_of(assessment: Assessment, item_id: int) -> ActionItem | None:
    """The item if it belongs to this wave (the caller has checked the wave's owner)."""
    item = db.session.get(ActionItem, item_id)
    return item if item is not None and item.assessment_id == assessment.id else None


def add_item(assessment: Assessment, entry: Entry) -> ActionItem:
    with unit_of_work() as work:
        item = ActionItem(assessment_id=assessment.id, **_checked(assessment, entry))
        db.session.add(item)
        db.session.flush()
        work.audit("action_plan.add", _target(assessment.id, item.id))
    return item


def update_item(assessment: Assessment, item: ActionItem, entry: Entry) -> bool:
    """Save the entry; ``False`` (nothing written) when nothing changed."""
    with unit_of_work() as work:
        values = _checked(assessment, entry)
        if all(getattr(item, column) == value for column, value in values.items()):
            work.discard()
            return False
        for column, value in values.items():
            setattr(item, column, value)
        work.audit("action_plan.update", _target(assessment.id, item.id))
    return True


def delete_item(assessment: Assessment, item: ActionItem) -> None:
    with unit_of_work() as work:
        work.audit("action_plan.delete", _target(assessment.id, item.id))
        db.session.delete(item)


# --- reading a plan ---------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRow:
    """An item with the move it names (``None`` if a later bank dropped it)."""

    item: ActionItem
    move: Move | None


def plan_of(assessment: Assessment) -> list[PlanRow]:
    moves = {move.id: move for move in moves_of(assessment)}
    return [PlanRow(item, moves.get(item.move_id)) for item in items_of(assessment)]


def plan_to_json(assessment: Assessment, language: str) -> list[dict[str, Any]]:
    """The plan as plain data, for the organisation's export."""
    return [
        {
            "move": row.item.move_id,
            "title": row.move.title.get(language) if row.move is not None else None,
            "dimensions": list(row.move.dimensions) if row.move is not None else [],
            "marketing_owner": row.item.marketing_owner,
            "sales_owner": row.item.sales_owner,
            "due_on": row.item.due_on.isoformat() if row.item.due_on else None,
            "success_measure": row.item.success_measure,
            "status": row.item.status,
        }
        for row in plan_of(assessment)
    ]


# --- looking back from a later wave -------------------------------------------------------


@dataclass(frozen=True)
class AreaChange:
    """One area a chosen move addresses: its combined score in the two waves."""

    dimension: Dimension
    before: float | None
    after: float | None

    @property
    def change(self) -> float | None:
        if self.before is None or self.after is None:
            return None
        return self.after - self.before

    @property
    def verdict(self) -> str:
        """``improved``, ``same``, ``worse`` or ``unknown`` (an area not shown in a wave)."""
        change = self.change
        if change is None:
            return "unknown"
        if change >= CHANGE_POINTS:
            return "improved"
        if change <= -CHANGE_POINTS:
            return "worse"
        return "same"


@dataclass(frozen=True)
class FollowUp:
    """A move chosen in the earlier wave, and how its areas changed since."""

    row: PlanRow
    areas: tuple[AreaChange, ...]

    @property
    def improved(self) -> int:
        return sum(1 for area in self.areas if area.verdict == "improved")

    @property
    def known(self) -> int:
        return sum(1 for area in self.areas if area.verdict != "unknown")


@dataclass(frozen=True)
class ReportPlan:
    """What the report shows: this wave's plan, and the look back at the earlier one."""

    own: list[PlanRow]
    earlier: Assessment | None
    follow_ups: list[FollowUp]
    #: Both waves are placed, so every area of both can be compared.
    comparable: bool

    @property
    def is_empty(self) -> bool:
        return not self.own and not self.follow_ups


def earlier_plan_wave(assessment: Assessment) -> Assessment | None:
    """The nearest earlier wave of the same organisation that has an action plan."""
    return db.session.scalar(
        select(Assessment)
        .join(ActionItem, ActionItem.assessment_id == Assessment.id)
        .where(
            Assessment.organisation_id == assessment.organisation_id,
            Assessment.id < assessment.id,
        )
        .order_by(Assessment.id.desc())
        .limit(1)
    )


def _combined(result: AssessmentResult) -> dict[str, float | None]:
    return {row.dimension.id: row.combined for row in result.dimensions}


def _areas(
    move: Move | None, earlier: Assessment, before: Any, after: Any
) -> tuple[AreaChange, ...]:
    if move is None:
        return ()
    bank = bank_of(earlier)
    areas = []
    for dimension_id in move.dimensions:
        try:
            dimension = bank.dimension(dimension_id)
        except KeyError:
            continue
        areas.append(AreaChange(dimension, before.get(dimension_id), after.get(dimension_id)))
    return tuple(areas)


def report_plan(assessment: Assessment) -> ReportPlan:
    """The report's action plan section: released results of both waves only."""
    own = plan_of(assessment)
    earlier = earlier_plan_wave(assessment)
    if earlier is None:
        return ReportPlan(own=own, earlier=None, follow_ups=[], comparable=False)
    before_result, _ = assessment_result(earlier)
    after_result, _ = assessment_result(assessment)
    before, after = _combined(before_result), _combined(after_result)
    follow_ups = [
        FollowUp(row, _areas(row.move, earlier, before, after)) for row in plan_of(earlier)
    ]
    comparable = before_result.is_placed and after_result.is_placed
    return ReportPlan(own=own, earlier=earlier, follow_ups=follow_ups, comparable=comparable)
