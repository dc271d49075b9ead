"""What the workspace pages show: waves with their published results, in a few queries.

Every page that lists waves — the consultant's home, an organisation, the
portfolio — reads all it needs in a constant number of queries, however many
waves there are: the ledger rows of all waves at once, the tallies only of waves
whose result is not cached, and for the home page and the portfolio only the
stored placements (``WaveSummary``), so they never score waves at all.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from scoring import AssessmentResult, LocalText, RelationshipType, Side
from survey.extensions import db
from survey.models import Assessment, Organisation, SideLedger, User, WaveSummary
from survey.services import ledgers
from survey.services.banks import bank_of
from survey.services.results import (
    Fingerprint,
    SideProgress,
    progress_of,
    results_of,
)


@dataclass(frozen=True)
class Wave:
    """A wave with its published result (released groups only) and its progress."""

    assessment: Assessment
    result: AssessmentResult
    fingerprint: Fingerprint
    progress: Mapping[Side, SideProgress]

    @property
    def is_placed(self) -> bool:
        return self.result.is_placed

    def waiting_for(self) -> list[tuple[str, int]]:
        """(side, counted responses still needed) for each side below the threshold."""
        return [
            (side.value, self.result.sides[side].needed)
            for side in Side
            if self.result.sides[side].needed > 0
        ]


def waves(assessments: Sequence[Assessment]) -> list[Wave]:
    """The waves with their results and progress, in a constant number of queries."""
    results = results_of(assessments)
    progress = progress_of(assessments)
    return [
        Wave(
            assessment=assessment,
            result=results[assessment.id][0],
            fingerprint=results[assessment.id][1],
            progress=progress[assessment.id],
        )
        for assessment in assessments
    ]


def wave(assessment: Assessment) -> Wave:
    return waves([assessment])[0]


def waves_of(organisation: Organisation) -> list[Wave]:
    return waves(list(organisation.assessments))


def latest_placed_wave(found: Sequence[Wave]) -> Wave | None:
    placed = [w for w in found if w.is_placed]
    return placed[-1] if placed else None


# --- comparing an organisation's waves ----------------------------------------------------


@dataclass(frozen=True)
class DimensionCell:
    score: float | None
    #: Change from the previous placed wave; ``None`` for the first one.
    change: float | None


@dataclass(frozen=True)
class DimensionRow:
    dimension_id: str
    title: LocalText
    cells: tuple[DimensionCell, ...]


def dimension_changes(placed: Sequence[Wave]) -> list[DimensionRow]:
    """Combined dimension scores of the placed waves, each with its change from the last.

    Waves may use different versions of the bank: dimensions are matched by id, in
    the order of the latest wave's bank; a dimension a wave does not have is empty.
    """
    if not placed:
        return []
    by_wave = [{d.dimension.id: d for d in w.result.dimensions} for w in placed]
    rows = []
    for latest in placed[-1].result.dimensions:
        cells: list[DimensionCell] = []
        previous: float | None = None
        for dimensions in by_wave:
            found = dimensions.get(latest.dimension.id)
            score = found.combined if found is not None else None
            change = score - previous if score is not None and previous is not None else None
            cells.append(DimensionCell(score=score, change=change if cells else None))
            previous = score
        rows.append(
            DimensionRow(
                dimension_id=latest.dimension.id, title=latest.dimension.title, cells=tuple(cells)
            )
        )
    return rows


# --- lists of organisations -----------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """A wave's stored placement: what the lists show without scoring anything."""

    assessment: Assessment
    placed: bool
    score: float | None
    type: RelationshipType | None
    #: (side, counted responses still needed) for each side below the threshold.
    needed: tuple[tuple[str, int], ...]

    def waiting_for(self) -> list[tuple[str, int]]:
        return list(self.needed)

    @property
    def is_placed(self) -> bool:
        return self.placed


def _owned_organisations(owner: User) -> list[Organisation]:
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.owner_id == owner.id)
            .options(
                # Only what the lists show and place by: no tokens, no advisor context.
                selectinload(Organisation.assessments).load_only(
                    Assessment.name,
                    Assessment.created_on,
                    Assessment.is_open,
                    Assessment.threshold,
                    Assessment.bank_digest,
                )
            )
            .order_by(func.lower(Organisation.name), Organisation.id)
        )
    )


def _placements(assessments: Sequence[Assessment]) -> dict[int, Placement]:
    ids = [assessment.id for assessment in assessments]
    # Plain rows, not ORM objects: a portfolio reads hundreds of each, and building
    # mapped objects cost more than the queries.
    summaries: dict[int, Any] = {
        row.assessment_id: row
        for row in db.session.execute(
            select(
                WaveSummary.assessment_id,
                WaveSummary.rules,
                WaveSummary.placed,
                WaveSummary.score,
                WaveSummary.type_id,
            ).where(WaveSummary.assessment_id.in_(ids))
        )
    }
    released = {
        (assessment_id, side): counted
        for assessment_id, side, counted in db.session.execute(
            select(SideLedger.assessment_id, SideLedger.side, SideLedger.released_counted).where(
                SideLedger.assessment_id.in_(ids)
            )
        )
    }
    placements: dict[int, Placement] = {}
    stale = [
        a
        for a in assessments
        if (row := summaries.get(a.id)) is None or row.rules != ledgers.SUMMARY_RULES
    ]
    if stale:  # made by other rules, or before summaries existed: score these once
        fresh = ledgers.summaries_of(stale)
        summaries.update(fresh)
    for assessment in assessments:
        summary = summaries[assessment.id]
        needed = []
        for side in Side:
            counted = released.get((assessment.id, side.value), 0)
            if counted < assessment.threshold:
                needed.append((side.value, assessment.threshold - counted))
        kind = bank_of(assessment).type(summary.type_id) if summary.type_id is not None else None
        placements[assessment.id] = Placement(
            assessment=assessment,
            placed=summary.placed,
            score=summary.score,
            type=kind,
            needed=tuple(needed),
        )
    return placements


@dataclass(frozen=True)
class OrganisationCard:
    organisation: Organisation
    #: The latest wave, placed or not; ``None`` for an organisation without waves.
    latest: Placement | None
    #: The latest placed wave, if any.
    placed: Placement | None


def organisation_cards(owner: User) -> list[OrganisationCard]:
    """The consultant's organisations with their latest and latest placed wave.

    Three queries whatever the number of organisations and waves (plus, once, a
    score for any wave whose stored placement is missing or out of date).
    """
    organisations = _owned_organisations(owner)
    placements = _placements([a for o in organisations for a in o.assessments])
    cards = []
    for organisation in organisations:
        mine = [placements[a.id] for a in organisation.assessments]
        placed = [p for p in mine if p.placed]
        cards.append(
            OrganisationCard(
                organisation=organisation,
                latest=mine[-1] if mine else None,
                placed=placed[-1] if placed else None,
            )
        )
    return cards
