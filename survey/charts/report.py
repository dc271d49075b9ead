"""The report's charts, named as in :data:`CHARTS`; each is ``render(result, canvas)``.

* ``placement`` — the organisation's score and each side's, every one with its 95 %
  range on a row of its own (so the markers never overlap), over the bands of the types;
* ``dimensions`` — marketing and sales per area, the area's full title above its bars;
* ``gaps`` (``survey.charts.gaps``) and ``funnel`` (``survey.charts.funnel``).

Charts exist only for a placed result: while a side is below the anonymity threshold
every chart raises ``ChartUnavailable``, so no chart can show a hidden side.
Every text is a plain text label (no mathtext): matplotlib writes it XML-escaped, and
the SVG never holds a script.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from flask_babel import gettext

from scoring import AssessmentResult, DimensionResult, Interval, Side
from survey.charts.drawing import (
    axes_in_inches,
    legend,
    line_count,
    require_placed,
    whole,
    wrap,
)
from survey.charts.funnel import funnel_chart
from survey.charts.gaps import gap_chart
from survey.charts.svg import (
    BAND_COLOURS,
    INK,
    MUTED,
    SCALE_HIGH,
    SCALE_LOW,
    SIDE_COLOURS,
    Canvas,
    Size,
    figure_to_svg,
    new_figure,
    plain_axes,
    side_name,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

ReportChart = Callable[[AssessmentResult, Canvas], bytes]
#: (label, score, its range, colour) of one row of the placement chart.
ScoreRow = tuple[str, float, Interval | None, str]


# --------------------------------------------------------------------------- placement


def _band_labels(axes: Axes, result: AssessmentResult, canvas: Canvas, rows: int) -> None:
    layout = canvas.layout
    for index, band in enumerate(canvas.bank.types):
        placed = result.type is not None and band.id == result.type.id
        line = index % rows
        axes.annotate(
            band.name.get(canvas.locale),
            xy=((band.lower + band.upper) / 2, 1.0),
            xycoords=axes.get_xaxis_transform(),
            xytext=(0, 4 + (rows - 1 - line) * layout.font_pt * 1.3),
            textcoords="offset points",
            ha="center",
            va="bottom",
            fontsize=layout.font_pt,
            fontweight="bold" if placed else "normal",
            color=INK,
            annotation_clip=False,
            parse_math=False,
        )


def _score_rows(result: AssessmentResult) -> list[ScoreRow]:
    assert result.score is not None
    rows: list[ScoreRow] = [(gettext("Organisation"), result.score, result.score_interval, INK)]
    for side in Side:
        summary = result.sides[side]
        if summary.score is not None:
            rows.append((side_name(side), summary.score, summary.interval, SIDE_COLOURS[side]))
    return rows


def _shade_bands(axes: Axes, result: AssessmentResult, canvas: Canvas) -> None:
    assert result.type is not None
    for index, band in enumerate(canvas.bank.types):
        axes.axvspan(
            band.lower, band.upper, color=BAND_COLOURS[index % len(BAND_COLOURS)], zorder=0
        )
    for band in canvas.bank.types[1:]:
        axes.axvline(band.lower, color="white", linewidth=2, zorder=1)
    axes.axvspan(
        result.type.lower, result.type.upper, fill=False, edgecolor=INK, linewidth=1.5, zorder=2
    )


def _score_row(axes: Axes, row: ScoreRow, marker_y: float, canvas: Canvas) -> None:
    name, score, interval, colour = row
    layout = canvas.layout
    axes.text(
        SCALE_LOW + 1,
        marker_y - 0.55 * layout.line_in,
        gettext("%(name)s: %(score)s", name=name, score=whole(score, canvas.locale)),
        ha="left",
        va="bottom",
        fontsize=layout.font_pt,
        fontweight="bold",
        color=colour,
        zorder=4,
        parse_math=False,
        # on white, whatever band it crosses: side colours keep 5:1 (4.4:1 on a band)
        bbox={"facecolor": "white", "edgecolor": "none", "pad": 1.0},
    )
    if interval is not None and interval.high > interval.low:
        axes.errorbar(
            [score],
            [marker_y],
            xerr=[[score - interval.low], [interval.high - score]],
            fmt="none",
            ecolor=colour,
            elinewidth=2,
            capsize=4,
            zorder=3,
        )
    axes.plot([score], [marker_y], marker="o", markersize=8, color=colour, zorder=5)


def placement_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """The organisation's score and each side's, with their ranges, on the type bands."""
    require_placed(result)
    layout = canvas.layout
    line = layout.line_in
    rows = _score_rows(result)
    label_rows = 2 if canvas.size is Size.NARROW else 1
    axis_title = wrap(
        gettext("Score (20 to 100); a line shows the likely range"), layout.chars_per_line()
    )
    top_in = label_rows * line + 0.12
    bottom_in = (1.4 + line_count(axis_title)) * line + 0.1
    row_in = 2.4 * line
    height_in = top_in + bottom_in + row_in * len(rows) + 0.1
    figure = new_figure(canvas, height_in)
    axes = axes_in_inches(figure, height_in, top_in, bottom_in)
    _shade_bands(axes, result, canvas)
    _band_labels(axes, result, canvas, label_rows)
    for index, row in enumerate(rows):
        _score_row(axes, row, index * row_in + 1.75 * line, canvas)
    axes.set_xlim(SCALE_LOW, SCALE_HIGH)
    axes.set_ylim(row_in * len(rows) + 0.1, 0)
    axes.set_yticks([])
    axes.set_xticks([band.lower for band in canvas.bank.types] + [canvas.bank.types[-1].upper])
    axes.set_xlabel(axis_title, color=MUTED, fontsize=layout.small_pt)
    plain_axes(axes, canvas)
    return figure_to_svg(figure)


# --------------------------------------------------------------------------- dimensions


def _dimension_title(axes: Axes, title: str, anchor: float, beside: bool, canvas: Canvas) -> None:
    """The area's title: centred beside its bars (``anchor`` the middle), or above them
    (``anchor`` the top of the bars)."""
    layout = canvas.layout
    if beside:
        axes.annotate(
            title,
            xy=(0, anchor),
            xycoords=axes.get_yaxis_transform(),
            xytext=(-6, 0),
            textcoords="offset points",
            ha="right",
            va="center",
            fontsize=layout.font_pt,
            color=INK,
            annotation_clip=False,
            parse_math=False,
        )
    else:
        axes.text(
            SCALE_LOW,
            anchor - 0.05 * layout.line_in,
            title,
            ha="left",
            va="bottom",
            fontsize=layout.font_pt,
            color=INK,
            parse_math=False,
        )


def _dimension_bars(
    axes: Axes, row: DimensionResult, bars_top: float, bar: float, canvas: Canvas
) -> None:
    for offset, side in enumerate(Side):
        value = row.score(side)
        if value is None:
            continue
        centre = bars_top + (offset + 0.5) * bar
        axes.barh(
            centre, value - SCALE_LOW, left=SCALE_LOW, height=0.86 * bar, color=SIDE_COLOURS[side]
        )
        axes.text(
            value + 1,
            centre,
            whole(value, canvas.locale),
            ha="left",
            va="center",
            fontsize=canvas.layout.small_pt,
            color=INK,
        )


def _dimension_axes(axes: Axes, height: float, canvas: Canvas) -> None:
    from matplotlib.patches import Patch  # loaded with the figure (see new_figure)

    axes.set_ylim(height, 0)
    axes.set_yticks([])
    axes.set_xlim(SCALE_LOW, SCALE_HIGH + 10)
    axes.set_xticks(range(SCALE_LOW, SCALE_HIGH + 1, 20))
    axes.xaxis.grid(True, color="#d8dde5")
    axes.set_axisbelow(True)
    axes.set_xlabel(gettext("Score (20 to 100)"), color=MUTED, fontsize=canvas.layout.small_pt)
    plain_axes(axes, canvas)
    legend(
        axes,
        canvas,
        [Patch(facecolor=SIDE_COLOURS[side], label=side_name(side)) for side in Side],
        columns=2,
    )


def dimension_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """Marketing's and sales' score per area, a bar each, beside (or, on phones, above
    which) the area's full title."""
    require_placed(result)
    layout = canvas.layout
    line = layout.line_in
    beside = canvas.size is not Size.NARROW
    title_share = 0.3 if beside else 1.0
    titles = [
        wrap(row.dimension.title.get(canvas.locale), layout.chars_per_line(title_share * 0.95))
        for row in result.dimensions
    ]
    bar = (0.75 if canvas.size is Size.PRINT else 0.95) * line
    gap = 0.45 * line
    if beside:
        blocks = [max(line_count(title) * line, 2 * bar) + gap for title in titles]
    else:
        blocks = [line_count(title) * line + 2 * bar + gap for title in titles]
    top_in, bottom_in = 1.6 * line, 2.4 * line + 0.1
    height_in = top_in + bottom_in + sum(blocks)
    figure = new_figure(canvas, height_in)
    axes = axes_in_inches(figure, height_in, top_in, bottom_in)
    if beside:  # the titles take the start of the width; the bars the rest
        box = axes.get_position()
        shift = title_share * box.width
        axes.set_position((box.x0 + shift, box.y0, box.width - shift, box.height))
    position = 0.0
    for row, title, block in zip(result.dimensions, titles, blocks, strict=True):
        if beside:
            bars_top = position + (block - gap - 2 * bar) / 2
            _dimension_title(axes, title, position + (block - gap) / 2, beside, canvas)
        else:
            bars_top = position + line_count(title) * line + 0.1 * line
            _dimension_title(axes, title, bars_top, beside, canvas)
        _dimension_bars(axes, row, bars_top, bar, canvas)
        position += block
    _dimension_axes(axes, sum(blocks), canvas)
    return figure_to_svg(figure)


#: Chart name → renderer. The names are part of the chart URLs.
CHARTS: dict[str, ReportChart] = {
    "placement": placement_chart,
    "dimensions": dimension_chart,
    "gaps": gap_chart,
    "funnel": funnel_chart,
}

__all__ = ["CHARTS", "ReportChart", "dimension_chart", "gap_chart", "placement_chart"]
