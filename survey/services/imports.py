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

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from scoring import Bank, Side
from survey.extensions import db
from survey.services.import_batches import (
    ABANDONED_AFTER,
    ANSWERS_PER_BATCH,
    AssessmentClosedError,
    ImportAbandoned,
    Taken,
    discard,
    discard_batch,
    finish,
    prepared,
    start_batch,
    write_batch,
)
from survey.services.import_files import (
    CheckedFile,
    ImportProblems,
    ParsedResponse,
    Reading,
    check_csv,
    decode_csv,
    open_rows,
    parse_responses_csv,
    template_csv,
    template_header,
)
from survey.services.import_pace import ImportInterrupted, Pace, pacer


@dataclass(frozen=True)
class SideImport:
    """How many responses of one side were stored, and how many of them do not count."""

    imported: int = 0
    excluded: int = 0


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
    taken = {side: Taken.for_side(checked.sides.get(side, 0)) for side in Side}
    with pacer(pace, stop) as pace_of_writing:
        batch_id = start_batch(assessment_id, pace_of_writing)
        try:
            reading = Reading(bank, source)
            with open_rows(path, source) as rows:
                batches = prepared(reading.responses(rows), assessment_id, batch_id, bank, taken)
                pace_of_writing.run(batches, write_batch)
            if reading.problems() or dict(reading.sides) != dict(checked.sides):
                raise ImportProblems(
                    [f"{source}: the file changed while it was being imported; import it again"]
                )
            pace_of_writing.wait_out_gap()
            finish(assessment_id, batch_id, bank, taken, checked.responses)
        except BaseException as error:
            try:
                db.session.rollback()
                discard(batch_id, pace_of_writing)
            except Exception as cleanup:
                error.add_note(
                    f"What it had written stays invisible and is deleted by an import "
                    f"started after {ABANDONED_AFTER} ({cleanup})"
                )
            raise
    return {side: SideImport(len(taken[side]), taken[side].excluded()) for side in Side}


__all__ = [
    "ABANDONED_AFTER",
    "ANSWERS_PER_BATCH",
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
