"""Writing the ledgers: each stored response, each import or batch, and a rebuild.

What the ledgers hold and how they are read is ``survey.services.ledgers``. A stored
response only bumps its side's waiting count (:func:`note_response`); when that makes
a whole group, the side is released and its tally rows are written back, with the
wave's stored placement, in the same unit of work.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from sqlalchemy import delete, insert, select, update

from scoring import Bank, Side
from scoring.release import Contribution, Histogram, Intake, Ledger, replay, take_in
from survey.extensions import db
from survey.models import (
    Assessment,
    Comment,
    QuestionTally,
    Release,
    Response,
    ScoreTally,
    SideLedger,
)
from survey.services.ledgers import (
    VALUE_COLUMNS,
    contributions_of,
    ledger_row,
    ledger_rows,
    load_ledger,
    refresh_summary,
    stored_responses,
    tally_rows,
)

# --- writing a ledger -------------------------------------------------------------------


def _question_rows(
    assessment_id: int, side: Side, answers: Histogram, *, pending: bool
) -> list[dict[str, object]]:
    rows: dict[str, dict[str, object]] = {}
    for (question, value), number in answers.items():
        row = rows.setdefault(
            question,
            {
                "assessment_id": assessment_id,
                "side": side.value,
                "question": question,
                "pending": pending,
                **dict.fromkeys(VALUE_COLUMNS.values(), 0),
            },
        )
        row[VALUE_COLUMNS[value]] = number
    return list(rows.values())


def write_ledger(assessment_id: int, side: Side, ledger: Ledger, carried: Histogram) -> None:
    """Replace the side's stored tallies by ``ledger``'s released part and ``carried``."""
    for table in (QuestionTally, ScoreTally):
        db.session.execute(
            delete(table).where(table.assessment_id == assessment_id, table.side == side.value)
        )
    question_rows = [
        *_question_rows(assessment_id, side, ledger.released.answers, pending=False),
        *_question_rows(assessment_id, side, carried, pending=True),
    ]
    if question_rows:
        db.session.execute(insert(QuestionTally), question_rows)
    score_rows = [
        {
            "assessment_id": assessment_id,
            "side": side.value,
            "scope": scope,
            "count": tally.count,
            "total": tally.total,
            "total_squares": tally.total_squares,
        }
        for scope, tally in ledger.released.scores.items()
    ]
    if score_rows:
        db.session.execute(insert(ScoreTally), score_rows)
    db.session.execute(
        update(SideLedger)
        .where(SideLedger.assessment_id == assessment_id, SideLedger.side == side.value)
        .values(
            groups=ledger.groups,
            released_counted=ledger.released.counted,
            released_excluded=ledger.released.excluded,
            pending_counted=ledger.pending.counted,
            pending_excluded=ledger.pending.excluded,
        )
    )


def _record_intake(assessment: Assessment, side: Side, intake: Intake) -> None:
    if intake.waiting_joined is not None:
        # Waiting responses, and the comments that came with them, join the release
        # (not the responses of an import still being written: they are not there yet).
        for table, *others in ((Response, Response.import_batch.is_(None)), (Comment,)):
            db.session.execute(
                update(table)
                .where(
                    table.assessment_id == assessment.id,
                    table.side == side.value,
                    table.release_group.is_(None),
                    *others,
                )
                .values(release_group=intake.waiting_joined)
            )
    if intake.releases:
        db.session.execute(
            insert(Release),
            [
                {
                    "assessment_id": assessment.id,
                    "side": side.value,
                    "number": number,
                    "threshold": threshold,
                }
                for number, threshold in intake.releases
            ],
        )
    write_ledger(assessment.id, side, intake.ledger, intake.carried)


# --- the two ways in --------------------------------------------------------------------


def note_response(assessment: Assessment, side: Side, counted: bool, bank: Bank) -> bool:
    """Count a just-stored response as waiting; release the side if that makes a group.

    Call it in the unit of work that stored the response, after
    :func:`check_room`. Returns whether the side was released.
    """
    values = (
        {"pending_counted": SideLedger.pending_counted + 1}
        if counted
        else {"pending_excluded": SideLedger.pending_excluded + 1}
    )
    bump = (
        update(SideLedger)
        .where(SideLedger.assessment_id == assessment.id, SideLedger.side == side.value)
        .values(**values)
        .returning(SideLedger.pending_counted)
        .execution_options(synchronize_session=False)
    )
    waiting = db.session.execute(bump).scalar_one_or_none()
    if waiting is None:  # a wave without ledger rows (made by a bare insert): make them
        ledger_row(assessment.id, side)
        waiting = db.session.execute(bump).scalar_one()
    if waiting < assessment.threshold:
        return False
    ledger, carried = load_ledger(assessment.id, side, bank)
    intake = take_in(ledger, carried, (), assessment.threshold)
    _record_intake(assessment, side, intake)
    refresh_summary(assessment, bank, (side, intake.ledger))
    return True


def take_in_batch(
    assessment: Assessment, side: Side, contributions: Sequence[Contribution], bank: Bank
) -> tuple[int | None, ...]:
    """Take many new responses of one side (an import, the demo) into its ledger.

    Returns the release group of each, in order, to be stored with the responses
    (which the caller inserts afterwards, or has inserted marked with an import batch).
    """
    return take_in_many(assessment, side, contributions, bank)[1].groups


def take_in_many(
    assessment: Assessment, side: Side, contributions: Sequence[Contribution], bank: Bank
) -> tuple[Ledger, Intake]:
    """:func:`take_in_batch`, also returning the side's ledger as it was before."""
    ledger_row(assessment.id, side, lock=True)  # submissions of the side wait (PostgreSQL)
    ledger, carried = load_ledger(assessment.id, side, bank)
    intake = take_in(ledger, carried, contributions, assessment.threshold)
    _record_intake(assessment, side, intake)
    return ledger, intake


def _rebuild_side(assessment: Assessment, side: Side, bank: Bank) -> Ledger:
    thresholds = dict(
        db.session.execute(
            select(Release.number, Release.threshold).where(
                Release.assessment_id == assessment.id, Release.side == side.value
            )
        ).all()
    )
    members: dict[int | None, list[dict[str, int | None]]] = defaultdict(list)
    for group, answers in stored_responses(assessment.id, side, waiting_only=False).values():
        members[group].append(answers)
    groups = [(thresholds[n], contributions_of(bank, side, members[n])) for n in sorted(thresholds)]
    ledger = replay(groups, contributions_of(bank, side, members[None]))
    # What the last release held back: the pending part before the waiting ones came.
    carried = replay(groups, []).pending.answers
    ledger_row(assessment.id, side)
    write_ledger(assessment.id, side, ledger, carried)
    return ledger


def rebuild(assessment: Assessment, bank: Bank) -> dict[Side, Ledger]:
    """Recompute both sides' ledgers from the stored answers and release groups."""
    result = {side: _rebuild_side(assessment, side, bank) for side in Side}
    refresh_summary(assessment, bank)
    return result


def stored_state(assessment_id: int) -> tuple[object, ...]:
    """Everything the ledgers of a wave hold, in a form two states can be compared by."""
    questions, scores = tally_rows([assessment_id])
    rows = ledger_rows([assessment_id])
    return (
        sorted(
            (
                row.side,
                row.groups,
                row.released_counted,
                row.released_excluded,
                row.pending_counted,
                row.pending_excluded,
            )
            for row in rows.values()
        ),
        sorted(tuple(row) for row in questions),
        sorted(tuple(row) for row in scores),
    )
