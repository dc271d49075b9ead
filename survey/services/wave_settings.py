"""Changing an organisation or a wave after it was created.

Names and the advisor's context may change at any time: the report reads them on
every visit, and a result is cached under a key that includes the context (see
``survey.services.results``), so the report follows at once. The threshold may go
up at any time, but down only before the first response has arrived: a lower
threshold would release groups smaller than the respondents were promised. A side's
headcount may be cleared or set from 1 to ``MAX_HEADCOUNT``, but not below the
responses it has received already.

Every change is one unit of work with one audit event per kind of change; targets
name the wave or organisation by id only, never by a client's name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scoring import Side
from survey.models import Assessment, Organisation
from survey.services.audit import assessment_target, organisation_target
from survey.services.banks import bank_of
from survey.services.context import parse_context
from survey.services.ledgers import refresh_summary
from survey.services.organisations import (
    MAX_HEADCOUNT,
    WorkspaceError,
    check_threshold,
    clean_name,
)
from survey.services.results import progress
from survey.services.unit_of_work import unit_of_work


class ThresholdLocked(WorkspaceError):
    """The threshold cannot go down once a response has arrived."""


class HeadcountTooLow(WorkspaceError):
    """A side's headcount below the responses it already has."""

    def __init__(self, side: Side, received: int) -> None:
        super().__init__(f"the {side.value} side has {received} responses already")
        self.side = side
        self.received = received


@dataclass(frozen=True)
class WaveSettings:
    """What the wave's settings page may change; ``context`` ``None`` clears it."""

    name: str
    threshold: int
    headcounts: Mapping[Side, int | None]
    context: Mapping[str, Any] | None
    identifiable_confirmed: bool = False


@dataclass(frozen=True)
class Changes:
    """The audit actions an edit recorded (empty when nothing changed)."""

    actions: tuple[str, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return bool(self.actions)


def received(assessment: Assessment) -> dict[Side, int]:
    """Responses each side has received, released or waiting, counted or not."""
    return {side: state.received for side, state in progress(assessment).items()}


def threshold_may_go_down(assessment: Assessment) -> bool:
    return not any(received(assessment).values())


def rename_organisation(organisation: Organisation, raw_name: str | None) -> bool:
    """Rename the organisation; ``False`` (nothing written) if the name is the same."""
    name = clean_name(raw_name, "organisation name")
    with unit_of_work() as work:
        if organisation.name == name:
            work.discard()
            return False
        organisation.name = name
        work.audit("organisation.rename", organisation_target(organisation.id))
    return True


def check_settings(assessment: Assessment, settings: WaveSettings) -> dict[str, Any]:
    """The new values as columns, or a :class:`WorkspaceError` saying what is wrong."""
    name = clean_name(settings.name, "wave name")
    threshold = settings.threshold
    if threshold != assessment.threshold:
        check_threshold(threshold, identifiable_confirmed=settings.identifiable_confirmed)
    if threshold < assessment.threshold and not threshold_may_go_down(assessment):
        raise ThresholdLocked(
            "the threshold can only go up once responses have arrived "
            f"(it is {assessment.threshold})"
        )
    arrived = received(assessment)
    headcounts: dict[str, int | None] = {}
    for side in Side:
        headcount = settings.headcounts.get(side)
        if headcount is not None and not 1 <= headcount <= MAX_HEADCOUNT:
            raise WorkspaceError(
                f"the {side.value} headcount must be between 1 and {MAX_HEADCOUNT}"
            )
        if headcount is not None and headcount < arrived[side]:
            raise HeadcountTooLow(side, arrived[side])
        headcounts[f"{side.value}_headcount"] = headcount
    context = parse_context(dict(settings.context), bank_of(assessment)) if settings.context else {}
    return {"name": name, "threshold": threshold, "context": context or None, **headcounts}


#: The audit action recorded when a column (or one of a group of columns) changes.
_ACTIONS = {
    "name": "assessment.rename",
    "threshold": "assessment.change_threshold",
    "marketing_headcount": "assessment.change_headcount",
    "sales_headcount": "assessment.change_headcount",
    "context": "assessment.edit_context",
}


def _detail(column: str, before: Any, after: Any) -> str:
    """What changed, for the audit target: numbers only, never a client's words."""
    if column == "threshold":
        return f" (threshold {before} to {after})"
    if column.endswith("_headcount"):
        side = column.removesuffix("_headcount")
        return f" ({side} headcount {before or 'none'} to {after or 'none'})"
    return ""


def update_wave(assessment: Assessment, settings: WaveSettings) -> Changes:
    """Apply the settings; one audit event per kind of change, nothing if nothing changed."""
    with unit_of_work() as work:
        values = check_settings(assessment, settings)
        recorded: list[str] = []
        for column, value in values.items():
            before = getattr(assessment, column)
            if before == value:
                continue
            setattr(assessment, column, value)
            action = _ACTIONS[column]
            work.audit(action, assessment_target(assessment.id) + _detail(column, before, value))
            recorded.append(action)
        if not recorded:
            work.discard()
            return Changes()
        if "assessment.change_threshold" in recorded:
            # The stored placement depends on the threshold (a side may now be hidden).
            refresh_summary(assessment, bank_of(assessment))
    return Changes(tuple(recorded))
