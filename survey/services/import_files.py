"""Import files: the CSV template, reading a file as a stream, checking all of it.

The file has a header row ``side,<item id>,<item id>,…`` (any column order) and one
row per respondent: the side (``marketing`` or ``sales``) and an answer per item,
``1``–``5``, or empty / ``na`` for "don't know". Columns ``funnel:<stage id>`` are
optional: who the respondent says leads that stage of the buyer's journey,
``marketing``, ``sales``, ``both`` or ``nobody``, or empty / ``na`` for "don't know"
(a file without them stores no answer for the stages). The whole file is checked before
anything is stored, and every problem is reported at once as
``FILE: row N, column NAME: what is wrong``, with rows numbered as a spreadsheet
shows them (the header is row 1). Storing a checked file is ``survey.services.imports``.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import io
import itertools
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from scoring import Bank, Owner, Side
from scoring.model import FUNNEL_PREFIX, funnel_question
from survey.problems import Problems
from survey.services.responses import DONT_KNOW as DONT_KNOW_CELL
from survey.services.responses import parse_answer

SIDE_COLUMN = "side"
HEADER_ROW = 1
#: Separators a spreadsheet may use when it saves "CSV" in some locales.
OTHER_DELIMITERS = (";", "\t")
ParsedResponse = tuple[Side, dict[str, int | None]]

#: The cells every well-formed file is made of, looked up before :func:`parse_answer`.
_PLAIN_CELLS: Mapping[str, int | None] = {
    "": None,
    DONT_KNOW_CELL: None,
    **{str(value): value for value in range(1, 6)},
}


#: The words of a funnel stage's cell, and the owner code each stands for.
OWNER_CELLS: Mapping[str, int] = {
    "marketing": Owner.MARKETING.value,
    "sales": Owner.SALES.value,
    "both": Owner.BOTH.value,
    "nobody": Owner.NOBODY.value,
}


class ImportProblems(Problems):
    """A file that cannot be imported; ``problems`` lists every problem, one line each."""


def _stage_columns(bank: Bank) -> list[str]:
    return [funnel_question(stage.id) for stage in bank.funnel.stages] if bank.funnel else []


def template_header(bank: Bank) -> list[str]:
    """The header row of an import file: the side, every item id in bank order, then the
    funnel's stages (``funnel:<stage id>``, optional)."""
    return [SIDE_COLUMN, *(item.id for item in bank.items), *_stage_columns(bank)]


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
def open_rows(path: Path, source: str) -> Iterator[Iterator[list[str]]]:
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
    #: ``funnel:<stage id>`` → its column, for the optional stage columns the file has.
    stages: Mapping[str, int]


def _check_header(cells: Sequence[str], bank: Bank, problem: _ProblemSink) -> _Header:
    names = [cell.strip().lower() for cell in cells]
    labels = tuple(name or f"{index + 1} (no name)" for index, name in enumerate(names))
    item_ids = [item.id for item in bank.items]
    stage_ids = _stage_columns(bank)
    side: int | None = None
    items: dict[str, int] = {}
    stages: dict[str, int] = {}
    for index, name in enumerate(names):
        label = labels[index]
        if not name:
            problem(HEADER_ROW, label, "the column has no name; name it or remove it")
        elif name == SIDE_COLUMN or bank.has_item(name) or name in stage_ids:
            found = stages if name.startswith(FUNNEL_PREFIX) else items
            first = side if name == SIDE_COLUMN else found.get(name)
            if first is not None:
                problem(HEADER_ROW, label, f"duplicate column (also column {first + 1})")
            elif name == SIDE_COLUMN:
                side = index
            else:
                found[name] = index
        elif name.startswith(FUNNEL_PREFIX):
            close = difflib.get_close_matches(name, stage_ids, n=1)
            hint = f"; did you mean {close[0]}?" if close else ""
            problem(HEADER_ROW, label, f"unknown column: not a stage of the funnel{hint}")
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
    return _Header(labels=labels, side=side, items=items, stages=stages)


def _stage_answers(
    number: int, cells: Sequence[str], header: _Header, problem: _ProblemSink
) -> dict[str, int | None] | None:
    """The row's funnel stages (owner codes, ``None`` for don't know); ``None`` if one is wrong."""
    answers: dict[str, int | None] = {}
    valid = True
    for key, index in header.stages.items():
        if index >= len(cells):
            continue  # reported as a missing cell
        cell = cells[index].strip().lower()
        if cell in OWNER_CELLS:
            answers[key] = OWNER_CELLS[cell]
        elif cell in ("", DONT_KNOW_CELL):
            answers[key] = None
        else:
            problem(
                number,
                key,
                f"{cells[index].strip()!r} is not who leads the stage: use marketing, sales, "
                "both or nobody, or leave it empty or write na for don't know",
            )
            valid = False
    return answers if valid else None


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
    stages = _stage_answers(number, cells, header, problem)
    if not valid or side is None or stages is None:
        return None
    return side, {**answers, **stages}


class Reading:
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
    reading = Reading(bank, source)
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
    reading = Reading(bank, source)
    with open_rows(path, source) as rows:
        for _response in reading.responses(rows):
            pass
    if problems := reading.problems():
        raise ImportProblems(problems)
    return CheckedFile(sides=dict(reading.sides))
