"""A wave's published result as a spreadsheet: CSV (one file, a block per table) and XLSX
(a sheet per table), for the consultant's own analysis.

Only released aggregates leave, exactly what the report shows: the placement and each
side's own, the score on the original statements, the advice and next steps, per area
the two sides' scores, per question and side the number who answered, the "don't know"
share, the mean, the standard deviation where the report shows it (from twice the
threshold), the gap and whether it is marked; per stage of the buyer's journey and view
(each side, both sides) the share naming each owner, the leader, whether the sides
disagree and where each side places the handoff. Never an individual response.

Every text cell that a spreadsheet could read as a formula — one starting with ``=``,
``+``, ``-``, ``@``, a tab or a carriage return — is neutralised: in the CSV with a
leading apostrophe (the usual defence, shown by spreadsheets as text), in the XLSX by
being written as a string with Excel's quote prefix. Organisation and wave names,
owners' words and even bank texts are treated alike. Numbers are written as numbers.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass

from flask_babel import gettext

from scoring import AssessmentResult, Bank, FunnelMap, Owner, RankedMove, RelationshipType, Side
from scoring import StageView as FunnelView
from survey.models import Assessment
from survey.services.banks import bank_of
from survey.services.funnel import owner_name
from survey.services.results import assessment_result

#: What a spreadsheet may take for the start of a formula (or a DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

Cell = str | int | float | None


@dataclass(frozen=True)
class Table:
    """One block of the CSV, one sheet of the XLSX."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]


def neutralised(text: str) -> str:
    """``text`` as a spreadsheet will only ever show it: as text, never a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _side_name(side: Side) -> str:
    return str(gettext("Marketing") if side is Side.MARKETING else gettext("Sales"))


def _original_rows(result: AssessmentResult, locale: str) -> list[tuple[Cell, ...]]:
    """The score on the original statements alone, and each side's."""
    original = result.original
    if original is None:
        return []
    return [
        (gettext("Original statements"), original.items),
        (gettext("Original statements: score (20 to 100)"), _round(original.score, 2)),
        (
            gettext("Original statements: type"),
            original.type.name.get(locale) if original.type is not None else "",
        ),
        *[
            (
                gettext("%(side)s: score on the original statements", side=_side_name(side)),
                _round(original.sides[side], 2),
            )
            for side in Side
        ],
    ]


def _handoff_rows(result: AssessmentResult, locale: str) -> list[tuple[Cell, ...]]:
    """Where each side places the handoff to sales, and whether they place it apart."""
    if result.funnel is None:
        return []
    rows: list[tuple[Cell, ...]] = []
    for side in Side:
        end = result.funnel.handoff[side]
        rows.append(
            (
                gettext("%(side)s: handoff to sales at", side=_side_name(side)),
                end.name.get(locale) if end is not None else "",
            )
        )
    apart = result.funnel.handoff_apart
    rows.append((gettext("Handoff placed apart"), gettext("yes") if apart else gettext("no")))
    return rows


def _placement(assessment: Assessment, result: AssessmentResult, bank: Bank, locale: str) -> Table:
    def type_name(kind: RelationshipType | None) -> str:
        return kind.name.get(locale) if kind is not None else ""

    interval = result.score_interval
    rows: list[tuple[Cell, ...]] = [
        (gettext("Organisation"), assessment.organisation.name),
        (gettext("Wave"), assessment.name),
        (gettext("Created on"), assessment.created_on.isoformat()),
        (gettext("Question bank version"), bank.version),
        (gettext("Anonymity threshold"), result.threshold),
        (gettext("Status"), result.status.value),
        (gettext("Score (20 to 100)"), _round(result.score, 2)),
        (gettext("Likely from"), _round(interval.low, 2) if interval else None),
        (gettext("Likely to"), _round(interval.high, 2) if interval else None),
        (gettext("Type"), type_name(result.type)),
        (gettext("Likely types"), ", ".join(t.name.get(locale) for t in result.likely_types)),
    ]
    for side in Side:
        summary = result.sides[side]
        name = _side_name(side)
        rows += [
            (gettext("%(side)s: counted responses", side=name), summary.counted),
            (gettext("%(side)s: excluded responses", side=name), summary.excluded),
            (gettext("%(side)s: score", side=name), _round(summary.score, 2)),
            (gettext("%(side)s: type", side=name), type_name(summary.type)),
        ]
    rows += _original_rows(result, locale) + _handoff_rows(result, locale)
    advice = result.advice
    rows += [
        (gettext("Verdict"), advice.verdict.value if advice.verdict is not None else ""),
        (gettext("Type worth aiming for"), type_name(advice.target)),
        *[(gettext("Reason to move up"), reason.get(locale)) for reason in advice.reasons_to_move],
        *[(gettext("Reason to stay"), reason.get(locale)) for reason in advice.reasons_to_stay],
        *[
            (gettext("Question that would decide it"), factor.question.get(locale))
            for factor in advice.missing_questions
        ],
    ]
    return Table(gettext("Placement and advice"), (gettext("What"), gettext("Value")), tuple(rows))


def _dimensions(result: AssessmentResult, locale: str) -> Table:
    return Table(
        gettext("Areas"),
        (
            gettext("Area id"),
            gettext("Area"),
            gettext("Marketing"),
            gettext("Sales"),
            gettext("Both"),
            gettext("Difference"),
            gettext("Marked"),
        ),
        tuple(
            (
                row.dimension.id,
                row.dimension.title.get(locale),
                _round(row.marketing, 2),
                _round(row.sales, 2),
                _round(row.combined, 2),
                _round(row.gap, 2),
                None if row.gap is None else (gettext("yes") if row.flagged else gettext("no")),
            )
            for row in result.dimensions
        ),
    )


def _questions(result: AssessmentResult, bank: Bank, locale: str) -> Table:
    header: list[str] = [
        gettext("Question id"),
        gettext("Area"),
        gettext("Question (marketing wording)"),
        gettext("Question (sales wording)"),
    ]
    for side in Side:
        name = _side_name(side)
        header += [
            gettext("%(side)s: answered", side=name),
            gettext("%(side)s: don't know", side=name),
            gettext("%(side)s: mean", side=name),
            gettext("%(side)s: standard deviation", side=name),
        ]
    header += [gettext("Difference"), gettext("Marked")]
    rows = []
    for item in result.items:
        row: list[Cell] = [
            item.item.id,
            bank.dimension(item.item.dimension).title.get(locale),
            item.item.marketing.get(locale),
            item.item.sales.get(locale),
        ]
        for side in Side:
            row += [
                item.answered(side),
                item.dont_know(side),
                _round(item.mean(side), 3),
                _round(item.sd(side), 3),
            ]
        row += [
            _round(item.gap, 3),
            None if item.gap is None else (gettext("yes") if item.flagged else gettext("no")),
        ]
        rows.append(tuple(row))
    return Table(gettext("Questions"), tuple(header), tuple(rows))


def _steps(result: AssessmentResult, locale: str) -> Table:
    def listed(kind: str, moves: Sequence[RankedMove]) -> list[tuple[Cell, ...]]:
        return [
            (
                kind,
                rank,
                ranked.move.title.get(locale),
                ranked.move.action.get(locale),
                _round(ranked.score, 2),
                gettext("yes") if ranked.handoff else gettext("no"),
            )
            for rank, ranked in enumerate(moves, start=1)
        ]

    return Table(
        gettext("Next steps"),
        (
            gettext("List"),
            gettext("Rank"),
            gettext("Step"),
            gettext("What it involves"),
            gettext("Combined score of its areas"),
            gettext("First: the sides place the handoff apart"),
        ),
        tuple(
            listed(gettext("Moving up"), result.moves)
            + listed(gettext("Strengthening"), result.strengthening)
        ),
    )


def _view_cells(view: FunnelView, counts: bool) -> list[Cell]:
    leader: Cell = None  # not shown: too few named someone, or the side is hidden
    if view.shown:
        leader = owner_name(view.leader) if view.leader is not None else gettext("Tie")
    shares: list[Cell] = [
        round(float(view.shares[owner]), 3) if view.shown else None for owner in Owner
    ]
    return [leader, *shares, *([view.answered, view.dont_know] if counts else [])]


def _funnel(funnel: FunnelMap, locale: str) -> Table:
    """Per stage: each view's leader and the share naming each owner (of those who named one)."""
    header: list[str] = [gettext("Stage id"), gettext("Stage"), gettext("Textbook split")]
    views = [(_side_name(side), True) for side in Side] + [(gettext("Both sides"), False)]
    for name, counts in views:
        header.append(gettext("%(view)s: leader", view=name))
        header += [
            gettext("%(view)s: %(owner)s (share)", view=name, owner=owner_name(owner))
            for owner in Owner
        ]
        if counts:
            header += [
                gettext("%(view)s: named someone", view=name),
                gettext("%(view)s: don't know", view=name),
            ]
    header += [
        gettext("Sides disagree"),
        *[gettext("%(side)s: handoff here", side=_side_name(side)) for side in Side],
    ]
    rows = []
    for stage in funnel.stages:
        row: list[Cell] = [
            stage.stage.id,
            stage.stage.name.get(locale),
            _side_name(stage.stage.conventional),
        ]
        for view, counts in ((stage.marketing, True), (stage.sales, True), (stage.combined, False)):
            row += _view_cells(view, counts)
        row.append(gettext("yes") if stage.disagree else gettext("no"))
        for side in Side:
            end = funnel.handoff[side]
            row.append(gettext("yes") if end is not None and end.id == stage.stage.id else "")
        rows.append(tuple(row))
    return Table(gettext("Buyer's journey"), tuple(header), tuple(rows))


def tables(assessment: Assessment, locale: str) -> list[Table]:
    """The wave's published result as tables (released groups only)."""
    result, _fingerprint = assessment_result(assessment)
    bank = bank_of(assessment)
    found = [_placement(assessment, result, bank, locale)]
    if result.is_placed:
        found += [
            _dimensions(result, locale),
            _questions(result, bank, locale),
            _steps(result, locale),
        ]
    else:
        found.append(_questions(result, bank, locale))
    if result.funnel is not None:
        found.append(_funnel(result.funnel, locale))
    return found


def _text(value: Cell) -> Cell:
    return neutralised(value) if isinstance(value, str) else value


def to_csv(found: Sequence[Table]) -> str:
    """The tables as one CSV: each a title row, a header row, its rows and an empty row.

    Starts with a byte-order mark, so spreadsheet programs read the names as UTF-8.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for table in found:
        writer.writerow([_text(table.title)])
        writer.writerow([_text(name) for name in table.header])
        for row in table.rows:
            writer.writerow(["" if cell is None else _text(cell) for cell in row])
        writer.writerow([])
    return "\ufeff" + buffer.getvalue()


def to_xlsx(found: Sequence[Table]) -> bytes:
    """The tables as an XLSX workbook, a sheet each; text is always text."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
    quoted = workbook.add_format({"quote_prefix": True})
    for table in found:
        sheet = workbook.add_worksheet(_sheet_name(table.title))
        for column, name in enumerate(table.header):
            sheet.write_string(0, column, name, bold)
        for number, row in enumerate(table.rows, start=1):
            for column, cell in enumerate(row):
                if cell is None:
                    continue
                if isinstance(cell, str):
                    # Written as a string either way; the quote prefix keeps it text even
                    # when someone edits the cell and presses Enter.
                    fmt = quoted if cell.startswith(FORMULA_STARTS) else None
                    sheet.write_string(number, column, cell, fmt)
                else:
                    sheet.write_number(number, column, cell)
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, max(len(table.header) - 1, 0), 16)
    workbook.close()
    return buffer.getvalue()


def _sheet_name(title: str) -> str:
    """A sheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if char in "[]:*?/\\" else char for char in title).strip("'")
    return cleaned[:31] or "Sheet"
