"""Responses from a CSV file: the template, checking a whole file, importing it.

The file has a header row ``side,<item id>,<item id>,…`` (any column order) and one
row per respondent: the side (``marketing`` or ``sales``) and an answer per item,
``1``–``5``, or empty / ``na`` for "don't know". The whole file is checked before
anything is stored, and every problem is reported at once as
``FILE: row N, column NAME: what is wrong``, with rows numbered as a spreadsheet
shows them (the header is row 1).

:func:`import_csv` reads the file as a stream (never all of it in memory) and shares
the database with respondents answering at the same time:

1. the whole file is checked (:func:`check_csv`); nothing is stored if anything is wrong;
2. the responses are written in short transactions of a few thousand answers each,
   every one marked with the import's :class:`~survey.models.ImportBatch`: nothing
   reads or counts a marked response, so the import is invisible while it is written.
   On SQLite, where one writer at a time holds the database, the importer leaves the
   database to others regularly (see :class:`Pace`), so a submission waits for at most a
   fraction of a second;
3. one short unit of work takes the whole import into the ledgers (releasing whole
   groups as submissions do, after whatever was submitted meanwhile), clears the marks,
   deletes the batch and writes the audit entry.

If anything fails on the way, the batch is deleted and with it everything written
(``ON DELETE CASCADE``); a batch left by an import that was killed outright is deleted
by the next import once it is :data:`ABANDONED_AFTER` old.

Stored responses are like those from the survey form: they keep no row number,
file name or any other trace of where they came from.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import io
import itertools
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, overload

from sqlalchemy import bindparam, delete, select, text, update

from scoring import Bank, Side
from scoring import Response as ScoringResponse
from scoring.release import Contribution, Intake, Ledger, contribution
from survey.extensions import db
from survey.models import Assessment, ImportBatch, Response, new_id, today, utcnow
from survey.problems import Problems
from survey.services import ledgers
from survey.services.assessments import get_assessment
from survey.services.audit import assessment_target
from survey.services.responses import (
    DONT_KNOW as DONT_KNOW_CELL,
)
from survey.services.responses import (
    insert_answers,
    insert_responses,
    parse_answer,
)
from survey.services.unit_of_work import unit_of_work

SIDE_COLUMN = "side"
HEADER_ROW = 1
#: Separators a spreadsheet may use when it saves "CSV" in some locales.
OTHER_DELIMITERS = (";", "\t")
#: Answers per write transaction: short enough that a waiting submission hardly notices.
ANSWERS_PER_BATCH = 4_000
#: A batch this old whose import has not finished was abandoned (its importer was killed).
ABANDONED_AFTER = dt.timedelta(hours=1)

ParsedResponse = tuple[Side, dict[str, int | None]]

#: The cells every well-formed file is made of, looked up before :func:`parse_answer`.
_PLAIN_CELLS: Mapping[str, int | None] = {
    "": None,
    DONT_KNOW_CELL: None,
    **{str(value): value for value in range(1, 6)},
}


class ImportProblems(Problems):
    """A file that cannot be imported; ``problems`` lists every problem, one line each."""


class AssessmentClosedError(ValueError):
    """The assessment no longer takes responses."""


class ImportAbandoned(RuntimeError):
    """The import's batch disappeared before it finished (deleted as abandoned)."""


class ImportInterrupted(RuntimeError):
    """The import was asked to stop (``stop`` of :func:`import_csv`); nothing is kept."""


@dataclass(frozen=True)
class SideImport:
    """How many responses of one side were stored, and how many of them do not count."""

    imported: int = 0
    excluded: int = 0


def template_header(bank: Bank) -> list[str]:
    """The header row of an import file: the side, then every item id in bank order."""
    return [SIDE_COLUMN, *(item.id for item in bank.items)]


def template_csv(bank: Bank) -> str:
    """An import file with the header row only."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(template_header(bank))
    return buffer.getvalue()


# --------------------------------------------------------------------------- reading


def _utf16_problem(source: str) -> str:
    return f"{source}: the file is UTF-16 text, not UTF-8; save it as 'CSV UTF-8' and try again"


def _not_utf8_problem(source: str, row: int, byte: int, position: int) -> str:
    return (
        f"{source}: row {row}: not UTF-8 text (byte 0x{byte:02x} at position {position}); "
        "save the file as 'CSV UTF-8' and try again"
    )


def decode_csv(data: bytes, source: str) -> str:
    """The text of an uploaded CSV file, which must be UTF-8 (a leading BOM is fine)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportProblems([_utf16_problem(source)])
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise ImportProblems(
            [_not_utf8_problem(source, row, data[error.start], error.start)]
        ) from None


def _first_bad_byte(path: Path, source: str) -> str:
    """Where a file stops being UTF-8, found line by line (a line break is never part of
    a multi-byte character)."""
    offset = 0
    with path.open("rb") as raw:
        for row, line in enumerate(raw, start=1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError as error:
                return _not_utf8_problem(source, row, line[error.start], offset + error.start)
            offset += len(line)
    return f"{source}: not UTF-8 text; save the file as 'CSV UTF-8' and try again"


def _delimiter(first_line: str) -> str:
    if "," not in first_line:
        for candidate in OTHER_DELIMITERS:
            if candidate in first_line:
                return candidate
    return ","


@contextmanager
def _open_rows(path: Path, source: str) -> Iterator[Iterator[list[str]]]:
    """The rows of the CSV file at ``path``, read as they are needed.

    Raises :class:`ImportProblems` for a file that is not UTF-8 (wherever in the file
    the reader finds out) and ``OSError`` for a file that cannot be opened.
    """
    with path.open("rb") as raw:
        if raw.peek(2)[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            raise ImportProblems([_utf16_problem(source)])
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            first = text.readline()
            lines = itertools.chain([first], text)
            yield csv.reader(lines, delimiter=_delimiter(first), strict=True)
        except UnicodeDecodeError:
            raise ImportProblems([_first_bad_byte(path, source)]) from None


def _is_blank(row: Sequence[str]) -> bool:
    return all(not cell.strip() for cell in row)


class _ProblemSink:
    """Collects ``FILE: row N, column NAME: what`` lines."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines: list[str] = []

    def __call__(self, row: int, column: str, what: str) -> None:
        self.lines.append(f"{self.source}: row {row}, column {column}: {what}")


@dataclass(frozen=True)
class _Header:
    """Where the side and each item are in the file, and what to call each column."""

    labels: tuple[str, ...]
    side: int | None
    items: Mapping[str, int]


def _check_header(cells: Sequence[str], bank: Bank, problem: _ProblemSink) -> _Header:
    names = [cell.strip().lower() for cell in cells]
    labels = tuple(name or f"{index + 1} (no name)" for index, name in enumerate(names))
    item_ids = [item.id for item in bank.items]
    side: int | None = None
    items: dict[str, int] = {}
    for index, name in enumerate(names):
        label = labels[index]
        if not name:
            problem(HEADER_ROW, label, "the column has no name; name it or remove it")
        elif name == SIDE_COLUMN or bank.has_item(name):
            first = side if name == SIDE_COLUMN else items.get(name)
            if first is not None:
                problem(HEADER_ROW, label, f"duplicate column (also column {first + 1})")
            elif name == SIDE_COLUMN:
                side = index
            else:
                items[name] = index
        else:
            close = difflib.get_close_matches(name, [SIDE_COLUMN, *item_ids], n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problem(
                HEADER_ROW,
                label,
                f"unknown column: not '{SIDE_COLUMN}' and not an item of the question bank{hint}",
            )
    if side is None:
        problem(HEADER_ROW, SIDE_COLUMN, "missing column: each row needs its side")
    for item_id in item_ids:
        if item_id not in items:
            problem(HEADER_ROW, item_id, "missing column: every item of the bank needs one")
    return _Header(labels=labels, side=side, items=items)


def _check_row(
    number: int, cells: Sequence[str], header: _Header, problem: _ProblemSink
) -> ParsedResponse | None:
    expected = len(header.labels)
    valid = len(cells) == expected
    if len(cells) < expected:
        problem(
            number,
            header.labels[len(cells)],
            f"missing cell: the row has {len(cells)} cells but the header has {expected} columns",
        )
    elif len(cells) > expected:
        problem(
            number,
            str(expected + 1),
            f"extra cell: the row has {len(cells)} cells but the header has {expected} columns",
        )
    side: Side | None = None
    if header.side is not None and header.side < len(cells):
        raw_side = cells[header.side].strip()
        try:
            side = Side(raw_side.lower())
        except ValueError:
            shown = f"{raw_side!r} is not" if raw_side else "empty; must be"
            problem(number, SIDE_COLUMN, f"{shown} {' or '.join(s.value for s in Side)}")
            valid = False
    answers: dict[str, int | None] = {}
    for item_id, index in header.items.items():
        if index >= len(cells):
            continue  # reported above as a missing cell
        cell = cells[index]
        if cell in _PLAIN_CELLS:  # the usual cells, without parsing
            answers[item_id] = _PLAIN_CELLS[cell]
            continue
        try:
            answers[item_id] = parse_answer(cell)
        except ValueError:
            problem(
                number,
                item_id,
                f"{cells[index].strip()!r} is not an answer: use 1 to 5, "
                "or leave it empty or write na for don't know",
            )
            valid = False
    if not valid or side is None:
        return None
    return side, answers


class _Reading:
    """One pass over a file's rows: yields the valid responses, collects the problems."""

    def __init__(self, bank: Bank, source: str) -> None:
        self.bank = bank
        self.source = source
        self.problem = _ProblemSink(source)
        self.sides: Counter[Side] = Counter()
        self._has_content = False

    def responses(self, rows: Iterator[list[str]]) -> Iterator[ParsedResponse]:
        header: _Header | None = None
        number = 0
        while True:
            try:
                cells = next(rows)
            except StopIteration:
                break
            except csv.Error as error:
                raise ImportProblems(
                    [f"{self.source}: row {number + 1}: not readable as CSV ({error})"]
                ) from None
            number += 1
            blank = _is_blank(cells)
            self._has_content = self._has_content or not blank
            if header is None:
                header = _check_header(cells, self.bank, self.problem)
            elif not blank:
                parsed = _check_row(number, cells, header, self.problem)
                if parsed is not None:
                    self.sides[parsed[0]] += 1
                    yield parsed

    def problems(self) -> list[str]:
        """Every problem of the file read (call after :meth:`responses` is exhausted)."""
        if not self._has_content:
            return [
                f"{self.source}: the file is empty; the first row must be the header: "
                f"{SIDE_COLUMN}, then the item ids"
            ]
        if not self.problem.lines and not self.sides:
            return [f"{self.source}: no responses: the file has only the header row"]
        return self.problem.lines


def parse_responses_csv(text: str, bank: Bank, source: str) -> list[ParsedResponse]:
    """Check the text of a whole import file and return its responses in file order.

    ``source`` names the file in problems. Raises :class:`ImportProblems` listing
    every problem found; nothing is returned unless the whole file is valid.
    Rows whose cells are all empty are skipped.
    """
    text = text.removeprefix("\ufeff")
    first = text.split("\n", 1)[0]
    reading = _Reading(bank, source)
    rows = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first), strict=True)
    responses = list(reading.responses(rows))
    if problems := reading.problems():
        raise ImportProblems(problems)
    return responses


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed :func:`check_csv`: how many responses of each side it holds."""

    sides: Mapping[Side, int]

    @property
    def responses(self) -> int:
        return sum(self.sides.values())


def check_csv(path: Path, bank: Bank, source: str | None = None) -> CheckedFile:
    """Check the whole file at ``path`` (read as a stream) without storing anything.

    Raises :class:`ImportProblems` listing every problem, or ``OSError`` if the file
    cannot be read.
    """
    source = source or str(path)
    reading = _Reading(bank, source)
    with _open_rows(path, source) as rows:
        for _response in reading.responses(rows):
            pass
    if problems := reading.problems():
        raise ImportProblems(problems)
    return CheckedFile(sides=dict(reading.sides))


# --------------------------------------------------------------------------- pacing


@dataclass(frozen=True)
class Pace:
    """How an import shares SQLite's single write lock with respondents.

    A submission that finds the database locked sleeps and tries again, at most
    100 ms apart (SQLite's busy handler). So once the importer has held the lock for
    ``hold`` seconds in all, it leaves it free for ``gap`` seconds — longer than that
    longest sleep, so every waiting submission gets its turn — and spends the gap
    reading and preparing the next batches. While others keep committing during a gap,
    the gap is extended, up to ``extensions`` times. A submission therefore waits about
    ``hold`` + one batch at most. On PostgreSQL writers do not exclude each other: no
    gaps.
    """

    hold: float = 0.4
    gap: float = 0.12
    extensions: int = 4
    #: Prepared batches kept while waiting out a gap, at most.
    ahead: int = 64

    @classmethod
    def for_database(cls) -> Pace:
        if db.engine.dialect.name == "sqlite":
            return cls()
        return cls(hold=float("inf"), gap=0.0, extensions=0)


class _Pacer:
    """Runs an import's write transactions at its :class:`Pace`."""

    def __init__(
        self,
        pace: Pace,
        others_wrote: Callable[[], int] | None = None,
        stop: Callable[[], bool] | None = None,
    ) -> None:
        self.pace = pace
        #: Asked between transactions: whether to give up (a signal arrived).
        self.stop = stop
        #: A number that changes whenever another connection commits (SQLite's data_version).
        self.others_wrote = others_wrote
        self.held = 0.0
        self.gap_ends: float | None = None
        self.extended = 0
        self.seen = 0

    def _start_gap(self, now: float) -> None:
        self.gap_ends = now + self.pace.gap
        self.extended = 0
        if self.others_wrote is not None:
            self.seen = self.others_wrote()

    def in_gap(self) -> bool:
        return self.gap_ends is not None and time.monotonic() < self.gap_ends

    def wait_out_gap(self) -> None:
        while self.gap_ends is not None:
            remaining = self.gap_ends - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)
            if self.others_wrote is not None and self.extended < self.pace.extensions:
                version = self.others_wrote()
                if version != self.seen:  # respondents are submitting: leave them more time
                    self.seen = version
                    self.extended += 1
                    self.gap_ends = time.monotonic() + self.pace.gap
                    continue
            self.gap_ends = None
            self.held = 0.0

    def write(self, action: Callable[[], None]) -> None:
        self.wait_out_gap()
        if self.stop is not None and self.stop():
            self.stop = None  # the clean-up that follows runs to its end
            raise ImportInterrupted("the import was interrupted")
        started = time.monotonic()
        action()
        finished = time.monotonic()
        self.held += finished - started
        if self.held >= self.pace.hold:
            self._start_gap(finished)

    def run(self, batches: Iterator[_Batch], write: Callable[[_Batch], None]) -> None:
        """Write every batch, preparing the next ones while the database is left to others."""
        queue: deque[_Batch] = deque()
        for batch in batches:
            queue.append(batch)
            if self.in_gap() and len(queue) < self.pace.ahead:
                continue
            while queue:
                self.write(lambda: write(queue.popleft()))
                if self.in_gap():
                    break
        while queue:
            self.write(lambda: write(queue.popleft()))


@contextmanager
def _pacer(pace: Pace | None, stop: Callable[[], bool] | None = None) -> Iterator[_Pacer]:
    """A pacer; on SQLite with its own connection to see other connections' commits."""
    pace = pace or Pace.for_database()
    if db.engine.dialect.name != "sqlite" or pace.extensions == 0:
        yield _Pacer(pace, stop=stop)
        return
    watcher = db.engine.raw_connection()
    try:

        def data_version() -> int:
            cursor = watcher.cursor()
            try:
                return int(cursor.execute("PRAGMA data_version").fetchone()[0])
            finally:
                cursor.close()

        yield _Pacer(pace, data_version, stop)
    finally:
        watcher.close()


# --------------------------------------------------------------------------- writing

#: The largest value of ``response.release_group`` (a SMALLINT).
_POSITION_LIMIT = 32_767


@dataclass
class _Batch:
    responses: list[dict[str, Any]]
    answers: list[tuple[str, str, int | None]]


@dataclass
class _Taken(Sequence[Contribution]):
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


def _prepared(
    responses: Iterator[ParsedResponse],
    assessment_id: int,
    batch_id: str,
    bank: Bank,
    taken: Mapping[Side, _Taken],
) -> Iterator[_Batch]:
    per_batch = max(1, ANSWERS_PER_BATCH // max(1, len(bank.items)))
    day = today()
    while chunk := list(itertools.islice(responses, per_batch)):
        batch = _Batch(responses=[], answers=[])
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


def _write(batch: _Batch) -> None:
    with unit_of_work():
        insert_responses(batch.responses)
        insert_answers(batch.answers)


def _start_batch(assessment_id: int, pacer: _Pacer) -> str:
    """Delete abandoned batches, then open this import's own (all in short transactions)."""
    stale = utcnow() - ABANDONED_AFTER
    abandoned = list(
        db.session.scalars(select(ImportBatch.id).where(ImportBatch.started_at < stale))
    )
    db.session.rollback()
    for old in abandoned:
        _discard(old, pacer)
    batch_id = new_id()

    def start() -> None:
        with unit_of_work():
            assessment = get_assessment(assessment_id)
            if assessment is None:
                raise AssessmentClosedError(f"there is no assessment with id {assessment_id}")
            if not assessment.is_open:
                raise AssessmentClosedError(_closed(assessment))
            db.session.add(ImportBatch(id=batch_id, assessment_id=assessment_id))

    pacer.write(start)
    return batch_id


#: Responses deleted per transaction when a batch is discarded (each with its answers).
DISCARD_PER_TRANSACTION = 100


def discard_batch(batch_id: str, pace: Pace | None = None) -> None:
    """Delete an unfinished import: its responses and answers, then the batch itself.

    In short transactions, like the writing (the answers go with their responses).
    """
    with _pacer(pace) as pacer:
        _discard(batch_id, pacer)


def _discard(batch_id: str, pacer: _Pacer) -> None:
    db.session.rollback()
    ids = list(db.session.scalars(select(Response.id).where(Response.import_batch == batch_id)))
    db.session.rollback()
    for start in range(0, len(ids), DISCARD_PER_TRANSACTION):
        chunk = ids[start : start + DISCARD_PER_TRANSACTION]

        def remove(chunk: list[str] = chunk) -> None:
            with unit_of_work():
                db.session.execute(delete(Response).where(Response.id.in_(chunk)))

        pacer.write(remove)

    def remove_batch() -> None:
        with unit_of_work():
            db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))

    pacer.write(remove_batch)


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
    batch_id: str, side: Side, taken: _Taken, before: Ledger, intake: Intake, threshold: int
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


def _finish(
    assessment_id: int, batch_id: str, bank: Bank, taken: Mapping[Side, _Taken], total: int
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
                before, intake = ledgers.take_in_many(assessment, side, taken[side], bank)
                _set_groups(batch_id, side, taken[side], before, intake, assessment.threshold)
        ledgers.refresh_summary(assessment, bank)
        db.session.execute(delete(ImportBatch).where(ImportBatch.id == batch_id))
        work.audit(
            "responses.import",
            f"{total} response{'' if total == 1 else 's'} into {assessment_target(assessment_id)}",
        )


def import_csv(
    assessment_id: int,
    path: Path,
    bank: Bank,
    source: str | None = None,
    *,
    pace: Pace | None = None,
    checked: CheckedFile | None = None,
    stop: Callable[[], bool] | None = None,
) -> dict[Side, SideImport]:
    """Import the file at ``path`` into the assessment: all of it or nothing.

    Checks the file first unless ``checked`` (from :func:`check_csv` on the same file)
    is given; raises :class:`ImportProblems` if anything in it is wrong,
    :class:`AssessmentClosedError` if the assessment does not take responses (or no
    longer exists), ``OSError`` if the file cannot be read. Any failure after the
    writing began deletes what was written. ``stop`` is asked between transactions;
    once it says so, the import deletes what it wrote and raises
    :class:`ImportInterrupted` (a signal handler should set a flag, never raise in the
    middle of a database call).
    """
    source = source or str(path)
    checked = checked or check_csv(path, bank, source)
    db.session.rollback()  # no read transaction held over the import
    taken = {side: _Taken(positions=checked.sides.get(side, 0) < _POSITION_LIMIT) for side in Side}
    with _pacer(pace, stop) as pacer:
        batch_id = _start_batch(assessment_id, pacer)
        try:
            reading = _Reading(bank, source)
            with _open_rows(path, source) as rows:
                batches = _prepared(reading.responses(rows), assessment_id, batch_id, bank, taken)
                pacer.run(batches, _write)
            if reading.problems() or dict(reading.sides) != dict(checked.sides):
                raise ImportProblems(
                    [f"{source}: the file changed while it was being imported; import it again"]
                )
            pacer.wait_out_gap()
            _finish(assessment_id, batch_id, bank, taken, checked.responses)
        except BaseException as error:
            try:
                db.session.rollback()
                _discard(batch_id, pacer)
            except Exception as cleanup:
                error.add_note(
                    f"What it had written stays invisible and is deleted by an import "
                    f"started after {ABANDONED_AFTER} ({cleanup})"
                )
            raise
    return {side: SideImport(len(taken[side]), taken[side].excluded()) for side in Side}


__all__ = [
    "ABANDONED_AFTER",
    "AssessmentClosedError",
    "CheckedFile",
    "ImportAbandoned",
    "ImportInterrupted",
    "ImportProblems",
    "Pace",
    "ParsedResponse",
    "SideImport",
    "check_csv",
    "decode_csv",
    "discard_batch",
    "import_csv",
    "parse_responses_csv",
    "template_csv",
    "template_header",
]
