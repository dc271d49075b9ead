"""What the workspace pages show: waves with their published results, in a few queries.

Every page that lists waves — the consultant's home, an organisation, the
portfolio — reads all it needs in a constant number of queries, however many
waves there are: the ledger rows of all waves at once, the tallies only of waves
whose result is not cached, and for the home page and the portfolio only the
stored placements (``WaveSummary``), so they never score waves at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, func, select
from sqlalchemy.orm import aliased

from scoring import AssessmentResult, LocalText, RelationshipType, Side
from survey.extensions import db
from survey.models import Assessment, Organisation, SideLedger, User, WaveSummary
from survey.services import ledgers
from survey.services.banks import bank_by_digest
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
# Plain rows, not ORM objects: a portfolio lists hundreds of waves, and building mapped
# objects (and the IN lists that load their relations) cost more than the queries.


@dataclass(frozen=True, slots=True)
class ListedOrganisation:
    """An organisation as the lists show it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class ListedWave:
    """A wave as the lists show it (the attributes of ``Assessment`` they read)."""

    id: int
    name: str
    created_on: dt.date
    is_open: bool
    threshold: int
    bank_digest: str


@dataclass(frozen=True)
class Placement:
    """A wave's stored placement: what the lists show without scoring anything."""

    assessment: ListedWave
    placed: bool
    score: float | None
    type: RelationshipType | None
    #: (side, counted responses still needed) for each side below the threshold;
    #: ``None`` when the list does not show it (see :func:`organisation_cards`).
    needed: tuple[tuple[str, int], ...] | None

    def waiting_for(self) -> list[tuple[str, int]]:
        if self.needed is None:
            raise ValueError("read without what the wave waits for (counts=False)")
        return list(self.needed)

    @property
    def is_placed(self) -> bool:
        return self.placed


@cache
def _owned_organisations_query() -> Select[Any]:
    return (
        select(Organisation.id, Organisation.name)
        .where(Organisation.owner_id == bindparam("owner_id"))
        .order_by(func.lower(Organisation.name), Organisation.id)
    )


def _owned_organisations(owner: User) -> list[ListedOrganisation]:
    query = _owned_organisations_query()
    rows = db.session.connection().execute(query, {"owner_id": owner.id}).all()
    return [ListedOrganisation(id, name) for id, name in rows]


@cache
def _owned_waves_query(counts: bool) -> Select[Any]:
    """Every wave of an owner's organisations with its stored summary and, with ``counts``,
    both sides' released counts (what an unplaced wave waits for).

    Built once: making the aliases and the select each time cost more than running it.
    (Leaving out, in SQL, the waves the lists do not show took SQLite longer than
    reading them: its window functions sort the lot twice.)
    """
    marketing, sales = aliased(SideLedger), aliased(SideLedger)
    query = (
        select(
            Assessment.id,
            Assessment.organisation_id,
            Assessment.name,
            Assessment.created_on,
            Assessment.is_open,
            Assessment.threshold,
            Assessment.bank_digest,
            WaveSummary.rules,
            WaveSummary.placed,
            WaveSummary.score,
            WaveSummary.type_id,
        )
        .join(Organisation, Organisation.id == Assessment.organisation_id)
        .outerjoin(WaveSummary, WaveSummary.assessment_id == Assessment.id)
        .where(Organisation.owner_id == bindparam("owner_id"))
        .order_by(Assessment.id)
    )
    if not counts:
        return query
    return (
        query.add_columns(
            marketing.released_counted.label("marketing"),
            sales.released_counted.label("sales"),
        )
        .outerjoin(
            marketing,
            (marketing.assessment_id == Assessment.id) & (marketing.side == Side.MARKETING.value),
        )
        .outerjoin(sales, (sales.assessment_id == Assessment.id) & (sales.side == Side.SALES.value))
    )


def _owned_waves(owner: User, counts: bool) -> list[Any]:
    # On the session's connection (Core): the ORM's result layer has nothing to add to
    # plain columns, and costs a fifth of the query per row.
    # (.all() fetches the rows at once; iterating a result fetches them one by one.)
    query = _owned_waves_query(counts)
    return list(db.session.connection().execute(query, {"owner_id": owner.id}).all())


def _fresh_summaries(rows: Sequence[Any]) -> dict[int, Any]:
    """Summaries scored now for waves whose stored one is missing or made by other rules."""
    stale = [row[0] for row in rows if row[7] != ledgers.SUMMARY_RULES]
    if not stale:
        return {}
    assessments = db.session.scalars(select(Assessment).where(Assessment.id.in_(stale)))
    return dict(ledgers.summaries_of(list(assessments)))


def _placement(row: Any, fresh: Mapping[int, Any]) -> Placement:
    # Unpacked by position: a name lookup on a row costs more than the rest of this.
    wave_id, _, name, created_on, is_open, threshold, digest = row[:7]
    rules, placed, score, type_id = row[7:11]
    if rules != ledgers.SUMMARY_RULES:
        summary = fresh[wave_id]
        placed, score, type_id = summary.placed, summary.score, summary.type_id
    needed: list[tuple[str, int]] | None = None
    if len(row) > 11:  # read with counts
        needed = []
        for side, counted in zip(Side, row[11:], strict=True):
            if (counted or 0) < threshold:
                needed.append((side.value, threshold - (counted or 0)))
    return Placement(
        assessment=ListedWave(wave_id, name, created_on, is_open, threshold, digest),
        placed=placed,
        score=score,
        type=bank_by_digest(digest).type(type_id) if type_id is not None else None,
        needed=tuple(needed) if needed is not None else None,
    )


@dataclass(frozen=True)
class OrganisationCard:
    organisation: ListedOrganisation
    #: The latest wave, placed or not; ``None`` for an organisation without waves.
    latest: Placement | None
    #: The latest placed wave, if any.
    placed: Placement | None


def organisation_cards(owner: User, *, counts: bool = True) -> list[OrganisationCard]:
    """The consultant's organisations with their latest and latest placed wave.

    Two queries whatever the number of organisations and waves (plus, once, a
    score for any wave whose stored placement is missing or out of date). Without
    ``counts`` the placements do not say what unplaced waves wait for (``needed`` is
    ``None``), which spares reading both sides' counts of every wave.
    """
    organisations = _owned_organisations(owner)
    rows = _owned_waves(owner, counts)
    fresh = _fresh_summaries(rows)
    latest: dict[int, Any] = {}
    placed: dict[int, Any] = {}
    for row in rows:  # in creation order: the last one seen is the latest
        latest[row[1]] = row
        if row[8] if row[7] == ledgers.SUMMARY_RULES else fresh[row[0]].placed:
            placed[row[1]] = row
    cards = []
    for organisation in organisations:
        last, last_placed = latest.get(organisation.id), placed.get(organisation.id)
        shown = _placement(last, fresh) if last is not None else None
        if last_placed is None:
            shown_placed = None
        else:
            shown_placed = shown if last_placed is last else _placement(last_placed, fresh)
        cards.append(OrganisationCard(organisation=organisation, latest=shown, placed=shown_placed))
    return cards
