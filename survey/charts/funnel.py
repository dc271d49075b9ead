"""The report's ``funnel`` chart: who each side believes leads each stage of the buyer's journey.

One row per stage, in funnel order; a column for marketing's view, one for sales' and one
for both sides weighed equally. Each cell is filled with the colour of the owner most
people of that view named and says who it is and with what share ("Sales 67%"), so the
colour is never the only sign. A tie names no leader, a view with too few answers shows
a dash. A stage where the sides name different leaders carries "≠" before its name, and
a thick line above a side's cell marks the stage where that side places the handoff (the
first stage it sees led by sales). The report's table beside the chart has the same
numbers and more.

Everything is placed in inches on one plotting area as large as the figure, so text
(sized in points) and cells line up at every size.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from babel.numbers import format_percent
from flask_babel import gettext

from scoring import AssessmentResult, FunnelMap, Owner, Side
from survey.charts.drawing import line_count, wrap
from survey.charts.svg import (
    INK,
    MARKETING_COLOUR,
    MUTED,
    SALES_COLOUR,
    Canvas,
    ChartUnavailable,
    Size,
    figure_to_svg,
    new_figure,
)
from survey.services.funnel import Cell, cells, owner_name

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: Cell colours per leader, and the text colour on each: white keeps at least 5:1 on the
#: three strong fills (marketing 5.1, sales 5.7, both 6.8), ink 13:1 on the pale "nobody".
BOTH_COLOUR = "#6a4a9c"
NOBODY_COLOUR = "#e9eef4"
OWNER_COLOURS = {
    Owner.MARKETING: MARKETING_COLOUR,
    Owner.SALES: SALES_COLOUR,
    Owner.BOTH: BOTH_COLOUR,
    Owner.NOBODY: NOBODY_COLOUR,
}
TEXT_ON = {
    Owner.MARKETING: "white",
    Owner.SALES: "white",
    Owner.BOTH: "white",
    Owner.NOBODY: INK,
}
MARGIN = 0.2
#: Inches between cells (and rows on screens), and the share of the width the stage names
#: take beside the cells.
GAP = 0.05
NAME_SHARE = 0.34
VIEWS = ("marketing", "sales", "combined")
#: Average width of a character, in ems of the font (DejaVu Sans, mixed text), and of the
#: bold text in the cells.
CHAR_EM = 0.58
BOLD_EM = 0.68


@dataclass(frozen=True)
class _Grid:
    """Where things go, in inches: the cells' columns, and whether names sit above rows."""

    width: float
    beside: bool
    font: float
    small: float
    line: float
    #: Inches between two stages' rows (tighter on paper, where a handout counts pages).
    row_gap: float

    @property
    def cells_start(self) -> float:
        inner = self.width - 2 * MARGIN
        return MARGIN + (NAME_SHARE * inner if self.beside else 0.0)

    @property
    def cell_width(self) -> float:
        return (self.width - MARGIN - self.cells_start - 2 * GAP) / 3

    def column(self, index: int) -> float:
        return self.cells_start + index * (self.cell_width + GAP)

    def chars(self, width_in: float, font_pt: float, em: float = CHAR_EM) -> int:
        return max(4, int(width_in * 72 / (font_pt * em)))

    def cell_height(self, lines: int, on_paper: bool) -> float:
        """A cell's height for ``lines`` of text, in inches."""
        return ((0.55 if on_paper else 0.8) + 0.75 * lines) * self.line


def _percent(share: float, locale: str) -> str:
    return format_percent(share, format="0%", locale=locale)


def _cell_text(cell: Cell, locale: str) -> str:
    """Who leads and the share; two lines when the cell is too narrow for one."""
    if not cell.shown or cell.share is None:
        return "—"
    who = owner_name(cell.leader) if cell.leader is not None else gettext("Tie")
    return gettext("%(who)s %(share)s", who=who, share=_percent(cell.share, locale))


def _fit(text: str, grid: _Grid) -> str:
    """Beside the names a cell has one line when it fits; under them (phones), always two."""
    room = grid.chars(grid.cell_width - 0.1, grid.font, BOLD_EM)
    if " " not in text or (grid.beside and len(text) <= room):
        return text
    who, _, share = text.rpartition(" ")
    # A long word stays whole: cut in two it reads worse than a little tight.
    return f"{textwrap.fill(who, width=room, break_long_words=False)}\n{share}"


#: A legend entry's mark: ``LINE`` (the handoff's thick line) or nothing.
LINE = "line"


def _word_width(words: str, grid: _Grid) -> float:
    return len(words) * grid.font * CHAR_EM / 72


def _flow(grid: _Grid, entries: list[tuple[str | None, str]]) -> list[tuple[float, int, str]]:
    """Where each legend entry starts (x in inches, line number) and its words, wrapped
    when one entry is wider than a line."""
    mark_in = 1.8 * grid.font / 72
    places, x, line = [], MARGIN, 0
    for mark, words in entries:
        own = mark_in if mark is not None else 0.0
        width = own + _word_width(words, grid) + 0.22
        if x > MARGIN and x + width > grid.width - MARGIN:
            x, line = MARGIN, line + 1
        text = wrap(words, grid.chars(grid.width - MARGIN - x - own, grid.font))
        places.append((x, line, text))
        if line_count(text) > 1:
            x, line = MARGIN, line + line_count(text)
        else:
            x += width
    return places


def _legend(axes: Axes, grid: _Grid, entries: list[tuple[str | None, str]]) -> None:
    box, step = grid.font / 72, grid.line * 1.15
    for (mark, _words), (x, line, text) in zip(entries, _flow(grid, entries), strict=True):
        top = 0.05 + line * step
        middle = top + step / 2  # of the entry's first line
        if mark == LINE:
            axes.plot([x, x + box * 1.4], [middle] * 2, color=INK, lw=3.5, solid_capstyle="butt")
        single = line_count(text) == 1
        axes.text(
            x + (box * 1.8 if mark is not None else 0.0),
            middle if single else top + (step - 1.2 * box) / 2,
            text,
            ha="left",
            va="center_baseline" if single else "top",
            fontsize=grid.font,
            color=INK,
            linespacing=1.3,
        )


def _rectangle(x: float, y: float, width: float, height: float, fill: str, edge: str) -> Any:
    from matplotlib.patches import Rectangle  # loaded with the figure (see new_figure)

    return Rectangle((x, y), width, height, facecolor=fill, edgecolor=edge, linewidth=0.8)


def _draw_cell(
    axes: Axes, grid: _Grid, box: tuple[float, float, float], cell: Cell, label: str
) -> None:
    x, y, height = box
    if cell.shown and cell.leader is not None:
        fill, ink = OWNER_COLOURS[cell.leader], TEXT_ON[cell.leader]
    else:
        fill, ink = "white", INK if cell.shown else MUTED
    patch = _rectangle(x, y, grid.cell_width, height, fill, MUTED)
    if cell.tie:
        patch.set_linestyle("--")
    axes.add_patch(patch)
    axes.text(
        x + grid.cell_width / 2,
        y + height / 2,
        label,
        ha="center",
        va="center",
        fontsize=grid.font,
        fontweight="bold" if cell.leader is not None else "normal",
        color=ink,
        linespacing=1.15,
    )


def _grid(canvas: Canvas) -> _Grid:
    layout = canvas.layout
    return _Grid(
        width=layout.width_in,
        beside=canvas.size is not Size.NARROW,
        font=layout.font_pt,
        small=layout.small_pt,
        line=layout.line_in,
        row_gap=0.03 if canvas.size is Size.PRINT else GAP,
    )


def _entries(funnel: FunnelMap) -> list[tuple[str | None, str]]:
    """What the marks mean; the colours need no key, as every cell names its leader."""
    entries: list[tuple[str | None, str]] = []
    if funnel.disagreements:
        entries.append((None, gettext("≠ the sides disagree on the leader")))
    if any(end is not None for end in funnel.handoff.values()):
        entries.append((LINE, gettext("a side's handoff to sales")))
    if any(not view.shown for stage in funnel.stages for view in cells(stage).values()):
        entries.append((None, gettext("— too few answers")))
    return entries


def _stage_name(axes: Axes, grid: _Grid, y: float, name: str, bold: bool) -> None:
    axes.text(
        MARGIN,
        y,
        name,
        ha="left",
        va="center" if grid.beside else "top",
        fontsize=grid.font,
        fontweight="bold" if bold else "normal",
        color=INK,
        linespacing=1.15,
    )


def _headers(axes: Axes, grid: _Grid, headers: list[str], baseline: float) -> None:
    """The views' names over their columns, their last lines on one baseline."""
    for index, header in enumerate(headers):
        axes.text(
            grid.column(index) + grid.cell_width / 2,
            baseline,
            header,
            ha="center",
            va="baseline",
            fontsize=grid.small,
            fontweight="bold",
            color=INK,
            linespacing=1.1,
        )


def funnel_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """The map: a row per stage, a column per side and one for both sides together."""
    if not result.is_placed or result.funnel is None:
        raise ChartUnavailable("the funnel map is drawn only once both sides are shown")
    funnel, grid = result.funnel, _grid(canvas)
    room = grid.chars(
        grid.cells_start - MARGIN - 0.1 if grid.beside else grid.width - 2 * MARGIN, grid.font
    )
    names = [
        wrap(("≠ " if stage.disagree else "") + stage.stage.name.get(canvas.locale), room)
        for stage in funnel.stages
    ]
    headers = [
        wrap(text, grid.chars(grid.cell_width, grid.small))
        for text in (gettext("Marketing says"), gettext("Sales says"), gettext("Both sides"))
    ]
    labels = [
        [_fit(_cell_text(cell, canvas.locale), grid) for cell in cells(stage).values()]
        for stage in funnel.stages
    ]
    on_paper = canvas.size is Size.PRINT
    heights = [grid.cell_height(max(map(line_count, row)), on_paper) for row in labels]
    rows = [
        max(height, line_count(name) * grid.line + 0.1)
        if grid.beside
        else line_count(name) * grid.line + 0.03 + height
        for name, height in zip(names, heights, strict=True)
    ]
    entries = _entries(funnel)
    flowed = _flow(grid, entries)
    legend_lines = max((line + line_count(text) for _, line, text in flowed), default=0)
    legend_in = legend_lines * grid.line * 1.15 + 0.1
    header_in = max(line_count(h) for h in headers) * grid.small * 1.3 / 72 + 0.12
    height = legend_in + header_in + sum(rows) + grid.row_gap * len(rows) + 0.04
    figure = new_figure(canvas, height)
    axes = figure.add_axes((0, 0, 1, 1))
    axes.set_xlim(0, grid.width)
    axes.set_ylim(height, 0)
    axes.set_axis_off()
    _legend(axes, grid, entries)
    _headers(axes, grid, headers, legend_in + header_in - 0.08)
    y = legend_in + header_in
    for stage, name, row, height, texts in zip(
        funnel.stages, names, rows, heights, labels, strict=True
    ):
        _stage_name(axes, grid, y + row / 2 if grid.beside else y, name, stage.disagree)
        top = y if grid.beside else y + line_count(name) * grid.line + 0.03
        views = cells(stage)
        for index, view in enumerate(VIEWS):
            box = (grid.column(index), top, row if grid.beside else height)
            _draw_cell(axes, grid, box, views[view], texts[index])
        for index, side in enumerate(Side):
            end = funnel.handoff[side]
            if end is not None and end.id == stage.stage.id:  # a thick line above its cell
                x = grid.column(index)
                axes.plot([x, x + grid.cell_width], [top, top], color=INK, lw=3.5)
        y += row + grid.row_gap
    return figure_to_svg(figure)


__all__ = ["BOTH_COLOUR", "NOBODY_COLOUR", "OWNER_COLOURS", "funnel_chart"]
