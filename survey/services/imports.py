"""Responses from a CSV file: the template, checking a whole file, storing it.

The file has a header row ``side,<item id>,<item id>,…`` (any column order) and one
row per respondent: the side (``marketing`` or ``sales``) and an answer per item,
``1``–``5``, or empty / ``na`` for "don't know". The whole file is checked before
anything is stored, and every problem is reported at once as
``FILE: row N, column NAME: what is wrong``, with rows numbered as a spreadsheet
shows them (the header is row 1).

Stored responses are like those from the survey form: they keep no row number,
file name or any other trace of where they came from.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scoring import Bank, Side
from survey.models import Assessment
from survey.problems import Problems
from survey.services.assessments import get_assessment
from survey.services.audit import assessment_target
from survey.services.responses import parse_answer, store_responses
from survey.services.unit_of_work import unit_of_work

SIDE_COLUMN = "side"
HEADER_ROW = 1
#: Separators a spreadsheet may use when it saves "CSV" in some locales.
OTHER_DELIMITERS = (";", "\t")

ParsedResponse = tuple[Side, dict[str, int | None]]


class ImportProblems(Problems):
    """A file that cannot be imported; ``problems`` lists every problem, one line each."""


class AssessmentClosedError(ValueError):
    """The assessment no longer takes responses."""


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


def decode_csv(data: bytes, source: str) -> str:
    """The text of an uploaded CSV file, which must be UTF-8 (a leading BOM is fine)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportProblems(
            [f"{source}: the file is UTF-16 text, not UTF-8; save it as 'CSV UTF-8' and try again"]
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        row = data.count(b"\n", 0, error.start) + 1
        raise ImportProblems(
            [
                f"{source}: row {row}: not UTF-8 text (byte 0x{data[error.start]:02x} at "
                f"position {error.start}); save the file as 'CSV UTF-8' and try again"
            ]
        ) from None


def _delimiter(text: str) -> str:
    first_line = text.split("\n", 1)[0]
    if "," not in first_line:
        for candidate in OTHER_DELIMITERS:
            if candidate in first_line:
                return candidate
    return ","


def _read_rows(text: str, source: str) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    rows: list[list[str]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return rows
        except csv.Error as error:
            raise ImportProblems(
                [f"{source}: row {len(rows) + 1}: not readable as CSV ({error})"]
            ) from None
        rows.append(row)


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
        try:
            answers[item_id] = parse_answer(cells[index])
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


def parse_responses_csv(text: str, bank: Bank, source: str) -> list[ParsedResponse]:
    """Check the text of a whole import file and return its responses in file order.

    ``source`` names the file in problems. Raises :class:`ImportProblems` listing
    every problem found; nothing is returned unless the whole file is valid.
    Rows whose cells are all empty are skipped.
    """
    text = text.removeprefix("\ufeff")
    if not text.strip():
        raise ImportProblems(
            [
                f"{source}: the file is empty; the first row must be the header: "
                f"{SIDE_COLUMN}, then the item ids"
            ]
        )
    rows = _read_rows(text, source)
    problem = _ProblemSink(source)
    header = _check_header(rows[0], bank, problem)
    responses: list[ParsedResponse] = []
    for number, cells in enumerate(rows[1:], start=HEADER_ROW + 1):
        if _is_blank(cells):
            continue
        parsed = _check_row(number, cells, header, problem)
        if parsed is not None:
            responses.append(parsed)
    if not problem.lines and not responses:
        problem.lines.append(f"{source}: no responses: the file has only the header row")
    if problem.lines:
        raise ImportProblems(problem.lines)
    return responses


def import_into(
    assessment_id: int, responses: Sequence[ParsedResponse], bank: Bank
) -> dict[Side, SideImport]:
    """Store checked responses in the assessment, all or none, and audit the import.

    Raises :class:`AssessmentClosedError` if the assessment no longer takes responses
    (or no longer exists).
    """
    with unit_of_work() as work:
        assessment = get_assessment(assessment_id)
        if assessment is None:
            raise AssessmentClosedError(f"there is no assessment with id {assessment_id}")
        imported = import_responses(assessment, responses, bank)
        work.audit(
            "responses.import",
            f"{len(responses)} response{'' if len(responses) == 1 else 's'} into "
            f"{assessment_target(assessment_id)}",
        )
    return imported


def import_responses(
    assessment: Assessment, responses: Sequence[ParsedResponse], bank: Bank
) -> dict[Side, SideImport]:
    """Add checked responses in the caller's unit of work, through the bulk path.

    Whether each response counts is decided as for the survey form. Raises
    :class:`AssessmentClosedError` if the assessment no longer takes responses.
    """
    if not assessment.is_open:
        raise AssessmentClosedError(
            f"assessment {assessment.id} ({assessment.organisation.name} / {assessment.name}) "
            "is closed and takes no responses"
        )
    stored = store_responses(assessment, responses, bank)
    return {side: SideImport(*stored[side]) for side in Side}


__all__ = [
    "AssessmentClosedError",
    "ImportProblems",
    "ParsedResponse",
    "SideImport",
    "decode_csv",
    "import_into",
    "import_responses",
    "parse_responses_csv",
    "template_csv",
    "template_header",
]
