"""The ledgers behind every published figure, kept in the same transaction as each response.

``scoring.release`` holds the rule; this module keeps its state in the database:

* ``side_ledger`` — per side: releases so far, released counted/excluded responses,
  and how many responses wait for the next group. A stored response only bumps the
  waiting count here (one ``UPDATE``), which also serialises submissions of a side.
* ``question_tally`` / ``score_tally`` — the released tallies that results read (a
  few hundred rows whatever the wave's size), plus the answers a release held back.
* ``release`` — the threshold each release was made with, and every response's
  ``release_group``, so that a rebuild can replay them from the answers.

This module reads them (and keeps each wave's stored placement, ``WaveSummary``);
``survey.services.releases`` writes them: when a side's waiting count reaches the
threshold, the side is released — the waiting responses' answers are read (one small
group), the pure rule runs, and the side's tally rows are written back. Responses that
wait are never tallied, so no published number can move before a whole group has
arrived.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import select

from scoring import Bank, Side, Tallies, place_organisation
from scoring.model import Response as ScoringResponse
from scoring.release import (
    DONT_KNOW,
    Contribution,
    Histogram,
    Ledger,
    Part,
    add,
    contribution,
    released_tallies,
)
from scoring.rules import RespondentTally
from survey.extensions import db
from survey.models import (
    Answer,
    Assessment,
    QuestionTally,
    Response,
    ScoreTally,
    SideLedger,
    WaveSummary,
)
from survey.services.banks import bank_of

#: The tally column of each answer value (``DONT_KNOW`` = 0).
VALUE_COLUMNS: Mapping[int, str] = MappingProxyType(
    {DONT_KNOW: "dont_know", 1: "n1", 2: "n2", 3: "n3", 4: "n4", 5: "n5"}
)
#: Changes whenever the scoring rules change what a stored summary would say.
SUMMARY_RULES = "2026-11-30"


class SideFull(Exception):
    """The side has all the responses its headcount allows; nothing was stored."""


# --- side ledger rows --------------------------------------------------------------------


def open_ledgers(assessment: Assessment) -> None:
    """The empty ledger rows of a new wave (one per side)."""
    for side in Side:
        db.session.add(SideLedger(assessment_id=assessment.id, side=side.value))
    db.session.flush()


def ledger_row(assessment_id: int, side: Side, *, lock: bool = False) -> SideLedger:
    # The row changes through plain UPDATEs; always read what the database holds now.
    query = (
        select(SideLedger)
        .where(SideLedger.assessment_id == assessment_id, SideLedger.side == side.value)
        .execution_options(populate_existing=True)
    )
    if lock:
        query = query.with_for_update()
    row = db.session.scalar(query)
    if row is None:  # a wave made before ledgers existed, or by a bare insert
        row = SideLedger(
            assessment_id=assessment_id,
            side=side.value,
            groups=0,
            released_counted=0,
            released_excluded=0,
            pending_counted=0,
            pending_excluded=0,
        )
        db.session.add(row)
        db.session.flush()
    return row


def received(row: SideLedger) -> int:
    """Every response the side has taken, released or waiting, counted or not."""
    return row.released_counted + row.released_excluded + row.pending_counted + row.pending_excluded


def check_room(assessment: Assessment, side: Side, arriving: int = 1) -> None:
    """:class:`SideFull` if ``arriving`` more responses would pass the side's headcount.

    Reads (and locks) the side's ledger row only when the side has a headcount; without
    one there is nothing to check, and :func:`note_response`'s ``UPDATE`` of the row is
    what makes submissions of a side take turns.
    """
    headcount = assessment.headcount(side.value)
    if headcount is None:
        return
    row = ledger_row(assessment.id, side, lock=True)
    if received(row) + arriving > headcount:
        raise SideFull(side.value)


def side_is_full(assessment: Assessment, side: Side) -> bool:
    """Whether the side has received as many responses as its headcount (if one is set)."""
    headcount = assessment.headcount(side.value)
    if headcount is None:
        return False
    return received(ledger_row(assessment.id, side)) >= headcount


def ledger_rows(assessment_ids: Sequence[int]) -> dict[tuple[int, Side], SideLedger]:
    rows = db.session.scalars(
        select(SideLedger)
        .where(SideLedger.assessment_id.in_(assessment_ids))
        .execution_options(populate_existing=True)
    )
    return {(row.assessment_id, Side(row.side)): row for row in rows}


# --- reading a ledger -------------------------------------------------------------------


def _histogram(rows: Iterable[Any]) -> dict[tuple[str, int], int]:
    answers: dict[tuple[str, int], int] = {}
    for row in rows:
        for value, column in VALUE_COLUMNS.items():
            number = getattr(row, column)
            if number:
                answers[(row.question, value)] = number
    return answers


def tally_rows(
    assessment_ids: Sequence[int], side: Side | None = None
) -> tuple[list[Any], list[Any]]:
    """The question and score tally rows of the waves (of one ``side`` when given), as
    plain rows (not ORM objects: the tables are rewritten with plain statements, which
    an identity map would miss)."""
    question_table, score_table = QuestionTally.__table__, ScoreTally.__table__
    rows = []
    for table in (question_table, score_table):
        chosen = select(table).where(table.c.assessment_id.in_(assessment_ids))
        if side is not None:
            chosen = chosen.where(table.c.side == side.value)
        rows.append(list(db.session.execute(chosen)))
    return rows[0], rows[1]


def _released_part(row: SideLedger, questions: Iterable[Any], scores: Iterable[Any]) -> Part:
    return Part(
        counted=row.released_counted,
        excluded=row.released_excluded,
        answers=MappingProxyType(_histogram(q for q in questions if not q.pending)),
        scores=MappingProxyType(
            {s.scope: RespondentTally(s.count, s.total, s.total_squares) for s in scores}
        ),
    )


def published_ledgers(
    assessment_ids: Sequence[int], side: Side | None = None
) -> dict[int, dict[Side, Ledger]]:
    """The released part of both sides (or ``side``) of each wave, in three queries for any
    number of waves.

    Pending parts are left empty: nothing published may depend on them.
    """
    rows = ledger_rows(assessment_ids)
    questions, scores = tally_rows(assessment_ids, side)
    by_side_q: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for q in questions:
        by_side_q[(q.assessment_id, q.side)].append(q)
    by_side_s: dict[tuple[int, str], list[Any]] = defaultdict(list)
    for s in scores:
        by_side_s[(s.assessment_id, s.side)].append(s)
    ledgers: dict[int, dict[Side, Ledger]] = {}
    for assessment_id in assessment_ids:
        ledgers[assessment_id] = {}
        for each in Side if side is None else (side,):
            row = rows.get((assessment_id, each))
            if row is None:
                ledgers[assessment_id][each] = Ledger()
                continue
            key = (assessment_id, each.value)
            released = _released_part(row, by_side_q[key], by_side_s[key])
            ledgers[assessment_id][each] = Ledger(
                released=released,
                pending=Part(counted=row.pending_counted, excluded=row.pending_excluded),
                groups=row.groups,
            )
    return ledgers


def published_tallies(bank: Bank, ledgers: Mapping[Side, Ledger]) -> Tallies:
    return released_tallies(bank, ledgers)


def stored_responses(
    assessment_id: int, side: Side, *, waiting_only: bool
) -> dict[str, tuple[int | None, dict[str, int | None]]]:
    """Response id → (its release group, its answers), for one side of a wave."""
    conditions = [
        Response.assessment_id == assessment_id,
        Response.side == side.value,
        Response.import_batch.is_(None),  # an import still being written is not there yet
    ]
    if waiting_only:
        conditions.append(Response.release_group.is_(None))
    responses: dict[str, tuple[int | None, dict[str, int | None]]] = {
        response_id: (group, {})
        for response_id, group in db.session.execute(
            select(Response.id, Response.release_group).where(*conditions)
        )
    }
    for response_id, item_id, value in db.session.execute(
        select(Answer.response_id, Answer.item_id, Answer.value)
        .join(Response, Answer.response_id == Response.id)
        .where(*conditions)
    ):
        responses[response_id][1][item_id] = value
    return responses


def contributions_of(
    bank: Bank, side: Side, answer_sets: Iterable[dict[str, int | None]]
) -> list[Contribution]:
    return [contribution(bank, ScoringResponse(side, answers)) for answers in answer_sets]


def load_ledger(assessment_id: int, side: Side, bank: Bank) -> tuple[Ledger, Histogram]:
    """The whole ledger of one side (waiting responses included), and its held-back answers."""
    row = ledger_row(assessment_id, side)
    questions, scores = tally_rows([assessment_id], side)
    carried = MappingProxyType(_histogram(q for q in questions if q.pending))
    ledger = Ledger(
        released=_released_part(row, questions, scores),
        pending=Part(answers=carried),
        groups=row.groups,
    )
    waiting = stored_responses(assessment_id, side, waiting_only=True).values()
    for given in contributions_of(bank, side, (answers for _group, answers in waiting)):
        ledger = add(ledger, given)
    return ledger, carried


# --- the stored summary -----------------------------------------------------------------


def summarise(assessment: Assessment, bank: Bank, tallies: Tallies) -> WaveSummary:
    placement = place_organisation(bank, tallies, threshold=assessment.threshold)
    interval = placement.interval
    return WaveSummary(
        assessment_id=assessment.id,
        rules=SUMMARY_RULES,
        placed=placement.type is not None,
        score=float(placement.score) if placement.score is not None else None,
        score_low=interval.low if interval is not None else None,
        score_high=interval.high if interval is not None else None,
        type_id=placement.type.id if placement.type is not None else None,
    )


def summaries_of(assessments: Sequence[Assessment]) -> dict[int, WaveSummary]:
    """Placements computed now (not stored) for waves whose stored one is missing or old."""
    published = published_ledgers([assessment.id for assessment in assessments])
    found = {}
    for assessment in assessments:
        bank = bank_of(assessment)
        found[assessment.id] = summarise(
            assessment, bank, released_tallies(bank, published[assessment.id])
        )
    return found


def refresh_summary(
    assessment: Assessment, bank: Bank, known: tuple[Side, Ledger] | None = None
) -> WaveSummary:
    """Store the wave's published placement anew (after a release or a threshold change).

    ``known``: a side and the ledger the caller has just written for it, so that only
    the other side's is read back.
    """
    if known is None:
        ledgers = published_ledgers([assessment.id])[assessment.id]
    else:
        side, ledger = known
        other = next(each for each in Side if each is not side)
        ledgers = {side: ledger, **published_ledgers([assessment.id], other)[assessment.id]}
    fresh = summarise(assessment, bank, released_tallies(bank, ledgers))
    return db.session.merge(fresh)
