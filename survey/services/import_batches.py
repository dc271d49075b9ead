"""Writing an import: batches marked with the import, then one step that makes them count.

Every response is written marked with the import's :class:`~survey.models.ImportBatch`,
which nothing reads or counts; :func:`finish` takes them all into the ledgers at once,
and :func:`discard` deletes an import that did not finish (its answers go with it).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, overload

from sqlalchemy import bindparam, delete, select, text, update

from scoring import Bank, Side
from scoring import Response as ScoringResponse
from scoring.release import Contribution, Intake, Ledger, contribution
from survey.extensions import db
from survey.models import Assessment, ImportBatch, Response, new_id, today, utcnow
from survey.services import ledgers, releases
from survey.services.assessments import get_assessment
from survey.services.audit import assessment_target
from survey.services.import_files import ParsedResponse
from survey.services.import_pace import Pace, Pacer, pacer
from survey.services.responses import insert_answers, insert_responses
from survey.services.unit_of_work import unit_of_work

#: Answers per write transaction: short enough that a waiting submission hardly notices.
ANSWERS_PER_BATCH = 4_000
#: A batch this old whose import has not finished was abandoned (its importer was killed).
ABANDONED_AFTER = dt.timedelta(hours=1)


class AssessmentClosedError(ValueError):
    """The assessment no longer takes responses."""


class ImportAbandoned(RuntimeError):
    """The import's batch disappeared before it finished (deleted as abandoned)."""


# --------------------------------------------------------------------------- writing

#: The largest value of ``response.release_group`` (a SMALLINT).
_POSITION_LIMIT = 32_767


@dataclass
class Batch:
    responses: list[dict[str, Any]]
    answers: list[tuple[str, str, int | None]]


@dataclass
class Taken(Sequence[Contribution]):
    """One side's imported responses in file order: their ids and, compactly, what each
    brings to the ledger (a counted one's answer values, in the order of ``keys``)."""

    #: Whether each response's position is stored in its ``release_group`` meanwhile.
    positions: bool
    #: The answer keys every counted contribution has (items, funnel stages), in order.
    keys: tuple[str, ...] | None = None
    ids: list[str] = field(default_factory=list)
    counted: list[tuple[tuple[int, ...] | Mapping[str, int], Mapping[str, int]] | None] = field(
        default_factory=list
    )
    number_counted: int = 0

    @classmethod
    def for_side(cls, responses: int) -> Taken:
        """For a side of ``responses`` rows: positions are kept if they fit the column."""
        return cls(positions=responses < _POSITION_LIMIT)

    def append(self, response_id: str, given: Contribution) -> int:
        """Keep a response; returns its position: how many counted responses before it
        (it included, if it counts) — the number that decides which release it joins."""
        self.ids.append(response_id)
        if not given.counted:
            self.counted.append(None)
            return self.number_counted + 1
        keys = tuple(given.answers)
        if self.keys is None:
            self.keys = keys
        values = tuple(given.answers.values()) if keys == self.keys else dict(given.answers)
        self.counted.append((values, given.scores))
        self.number_counted += 1
        return self.number_counted

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Contribution: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Contribution]: ...
    def __getitem__(self, index: int | slice) -> Contribution | Sequence[Contribution]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        kept = self.counted[index]
        if kept is None:
            return Contribution(counted=False)
        values, scores = kept
        answers = (
            dict(zip(self.keys or (), values, strict=True)) if isinstance(values, tuple) else values
        )
        return Contribution(counted=True, answers=answers, scores=scores)

    def excluded(self) -> int:
        return len(self.ids) - self.number_counted

    def positions_in_order(self) -> Iterator[int]:
        counted = 0
        for kept in self.counted:
            yield counted + 1
            counted += kept is not None


def prepared(
    responses: Iterator[ParsedResponse],
    assessment_id: int,
    batch_id: str,
    bank: Bank,
    taken: Mapping[Side, Taken],
) -> Iterator[Batch]:
    per_batch = max(1, ANSWERS_PER_BATCH // max(1, len(bank.items)))
    day = today()
    while chunk := list(itertools.islice(responses, per_batch)):
        batch = Batch(responses=[], answers=[])
        for side, answers in chunk:
            given = contribution(bank, ScoringResponse(side, answers))
            response_id = new_id()
            position = taken[side].append(response_id, given)
            batch.responses.append(
                {
                    "id": response_id,
                    "assessment_id": assessment_id,
                    "side": side.value,
                    "counted": given.counted,
                    "submitted_on": day,
                    # Until the import is taken in: its position, turned into its release
                    # group by one statement at the end (see _set_groups).
                    "release_group": position if taken[side].positions else None,
                    "import_batch": batch_id,
                }
            )
            batch.answers.extend((response_id, item, value) for item, value in answers.items())
        yield batch


#: SQLite page cache of the importing connection (KiB): random response ids put answers
#: all over the table, and SQLite's default 2 MiB makes most inserts read pages again.
IMPORT_CACHE_KIB = 64 * 1024
_ROOMY_CACHE = "survey_import_cache"


def write_batch(batch: Batch) -> None:
    with unit_of_work():
        connection = db.session.connection()
        if connection.dialect.name == "sqlite" and not connection.info.get(_ROOMY_CACHE):
            connection.exec_driver_sql(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB}")
            connection.info[_ROOMY_CACHE] = True
        insert_responses(batch.responses)
        insert_answers(batch.answers)


def start_batch(assessment_id: int, writer: Pacer) -> str:
    """Delete abandoned batches, then open this import's own (all in short transactions)."""
    stale = utcnow() - ABANDONED_AFTER
    abandoned = list(
        db.session.scalars(select(ImportBatch.id).where(ImportBatch.started_at < stale))
    )
    db.session.rollback()
    for old in abandoned:
        discard(old, writer)
    batch_id = new_id()

    def start() -> None:
        with unit_of_work():
            assessment = get_assessment(assessment_id)
            if assessment is None:
                raise AssessmentClosedError(f"there is no assessment with id {assessment_id}")
            if not assessment.is_open:
                raise AssessmentClosedError(_closed(assessment))
            db.session.add(ImportBatch(id=batch_id, assessment_id=assessment_id))

    writer.write(start)
    return batch_id


#: Responses deleted per transaction when a batch is discarded (each with its answers).
DISCARD_PER_TRANSACTION = 100


def discard_batch(batch_id: str, pace: Pace | None = None) -> None:
    """Delete an unfinished import: its responses and answers, then the batch itself.

    In short transactions, like the writing (the answers go with their responses).
    """
    with pacer(pace) as pace_of_writing:
        discard(batch_id, pace_of_writing)


def discard(batch_id: str, writer: Pacer) -> None:
    db.session.rollback()
    ids = list(db.session.scalars(select(Response.id).where(Response.import_batch == batch_id)))
    db.session.rollback()
    for start in range(0, len(ids), DISCARD_PER_TRANSACTION):
        chunk = ids[start : start + DISCARD_PER_TRANSACTION]

        def remove(chunk: list[str] = chunk) -> None:
            with unit_of_work():
                db.session.execute(delete(Response).where(Response.id.in_(chunk)))

        writer.write(remove)

    def remove_batch() -> None:
        with unit_of_work():
            db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))

    writer.write(remove_batch)


def _closed(assessment: Assessment) -> str:
    return (
        f"assessment {assessment.id} ({assessment.organisation.name} / {assessment.name}) "
        "is closed and takes no responses"
    )


_GROUPS_FROM_POSITIONS = text(
    """
    UPDATE response SET
        release_group = CASE WHEN CAST(release_group AS INTEGER) + :waiting <= :released
            THEN :before + (CAST(release_group AS INTEGER) + :waiting + :size - 1) / :size
        END,
        import_batch = NULL
    WHERE import_batch = :batch AND side = :side
    """
)


def _set_groups(
    batch_id: str, side: Side, taken: Taken, before: Ledger, intake: Intake, threshold: int
) -> None:
    """Give each imported response of the side its release group and make it visible.

    The groups follow from each response's position: the first ``threshold − waiting``
    counted ones join the next release, each further ``threshold`` the one after, and
    the rest wait. When the stored positions give exactly the groups :func:`take_in`
    chose, one statement sets them all; otherwise each response is set on its own.
    """
    waiting, groups_before = before.pending.counted, before.groups
    released = (intake.ledger.groups - groups_before) * threshold

    def group_at(position: int) -> int | None:
        if position + waiting > released:
            return None  # waits for the next whole group
        return groups_before + (position + waiting + threshold - 1) // threshold

    by_position = taken.positions and all(
        group == group_at(position)
        for position, group in zip(taken.positions_in_order(), intake.groups, strict=True)
    )
    if by_position:
        db.session.execute(
            _GROUPS_FROM_POSITIONS,
            {
                "waiting": waiting,
                "released": released,
                "before": groups_before,
                "size": threshold,
                "batch": batch_id,
                "side": side.value,
            },
        )
        return
    table = Response.__table__
    db.session.connection().execute(
        update(table)
        .where(table.c.id == bindparam("response_id"))
        .values(release_group=bindparam("group"), import_batch=None),
        [
            {"response_id": response_id, "group": group}
            for response_id, group in zip(taken.ids, intake.groups, strict=True)
        ],
    )


def finish(
    assessment_id: int, batch_id: str, bank: Bank, taken: Mapping[Side, Taken], total: int
) -> None:
    """The one short unit of work that makes the import count: ledgers, groups, audit."""
    with unit_of_work() as work:
        assessment = get_assessment(assessment_id)
        if assessment is None:
            raise AssessmentClosedError(f"there is no assessment with id {assessment_id}")
        if not assessment.is_open:
            raise AssessmentClosedError(_closed(assessment))
        if db.session.get(ImportBatch, batch_id) is None:
            raise ImportAbandoned(f"import batch {batch_id} was deleted before it finished")
        for side in Side:
            if taken[side]:
                before, intake = releases.take_in_many(assessment, side, taken[side], bank)
                _set_groups(batch_id, side, taken[side], before, intake, assessment.threshold)
        ledgers.refresh_summary(assessment, bank)
        db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        work.audit(
            "responses.import",
            f"{total} response{'' if total == 1 else 's'} into {assessment_target(assessment_id)}",
        )
