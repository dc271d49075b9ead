"""The report's charts, named as in :data:`CHARTS`; each is ``render(result, canvas)``.

* ``placement`` — the organisation's score and each side's, every one with its 95 %
  range on a row of its own (so the markers never overlap), over the bands of the types;
* ``dimensions`` — marketing and sales per area, the area's full title above its bars;
* ``gaps`` — the largest perception gaps (``services.highlights.largest_gaps``), largest
  first, each under its full marketing wording; marked gaps filled, others outlined.

Charts exist only for a placed result: while a side is below the anonymity threshold
every chart raises :class:`ChartUnavailable`, so no chart can show a hidden side.
Every text is a plain text label (no mathtext): matplotlib writes it XML-escaped, and
the SVG never holds a script.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from flask_babel import gettext

from scoring import AssessmentResult, Interval, Side
from scoring.rules import FLAG_GAP
from survey.charts.funnel import funnel_chart
from survey.charts.svg import (
    BAND_COLOURS,
    INK,
    MARKETING_COLOUR,
    MUTED,
    SALES_COLOUR,
    SCALE_HIGH,
    SCALE_LOW,
    SIDE_COLOURS,
    Canvas,
    ChartUnavailable,
    Size,
    figure_to_svg,
    new_figure,
    plain_axes,
    side_name,
)
from survey.services.highlights import largest_gaps

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

ReportChart = Callable[[AssessmentResult, Canvas], bytes]

#: Inches kept free at the sides of the plotting area.
SIDE_MARGIN = 0.2


def _require_placed(result: AssessmentResult) -> None:
    if not result.is_placed:
        raise ChartUnavailable("charts are drawn only once both sides are shown")


def _whole(value: float, locale: str) -> str:
    """A score as the page writes it: a whole number, rounded down."""
    return format_decimal(math.floor(value), format="0", locale=locale)


def _wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, break_long_words=True) or " "


def _lines(text: str) -> int:
    return text.count("\n") + 1


def _axes(figure: Figure, height_in: float, top_in: float, bottom_in: float) -> Axes:
    """A plotting area placed in inches, so text (sized in points) and data line up."""
    width_in = figure.get_figwidth()
    return figure.add_axes(
        (
            SIDE_MARGIN / width_in,
            bottom_in / height_in,
            1 - 2 * SIDE_MARGIN / width_in,
            (height_in - top_in - bottom_in) / height_in,
        )
    )


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


def placement_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """The organisation's score and each side's, with their ranges, on the type bands."""
    _require_placed(result)
    assert result.score is not None and result.type is not None
    layout = canvas.layout
    line = layout.line_in
    rows: list[tuple[str, float, Interval | None, str]] = [
        (gettext("Organisation"), result.score, result.score_interval, INK)
    ]
    for side in Side:
        summary = result.sides[side]
        if summary.score is not None:
            rows.append((side_name(side), summary.score, summary.interval, SIDE_COLOURS[side]))
    label_rows = 2 if canvas.size is Size.NARROW else 1
    axis_title = _wrap(
        gettext("Score (20 to 100); a line shows the likely range"), layout.chars_per_line()
    )
    top_in = label_rows * line + 0.12
    bottom_in = (1.4 + _lines(axis_title)) * line + 0.1
    row_in = 2.4 * line
    height_in = top_in + bottom_in + row_in * len(rows) + 0.1
    figure = new_figure(canvas, height_in)
    axes = _axes(figure, height_in, top_in, bottom_in)
    for index, band in enumerate(canvas.bank.types):
        axes.axvspan(
            band.lower, band.upper, color=BAND_COLOURS[index % len(BAND_COLOURS)], zorder=0
        )
    for band in canvas.bank.types[1:]:
        axes.axvline(band.lower, color="white", linewidth=2, zorder=1)
    axes.axvspan(
        result.type.lower, result.type.upper, fill=False, edgecolor=INK, linewidth=1.5, zorder=2
    )
    _band_labels(axes, result, canvas, label_rows)
    for index, (name, score, interval, colour) in enumerate(rows):
        marker_y = index * row_in + 1.75 * line
        axes.text(
            SCALE_LOW + 1,
            marker_y - 0.55 * line,
            gettext("%(name)s: %(score)s", name=name, score=_whole(score, canvas.locale)),
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
    axes.set_xlim(SCALE_LOW, SCALE_HIGH)
    axes.set_ylim(row_in * len(rows) + 0.1, 0)
    axes.set_yticks([])
    axes.set_xticks([band.lower for band in canvas.bank.types] + [canvas.bank.types[-1].upper])
    axes.set_xlabel(axis_title, color=MUTED, fontsize=layout.small_pt)
    plain_axes(axes, canvas)
    return figure_to_svg(figure)


# --------------------------------------------------------------------------- dimensions


def _legend(axes: Axes, canvas: Canvas, handles: list[object], columns: int) -> None:
    axes.legend(
        handles=handles,
        loc="lower left",
        bbox_to_anchor=(0, 1.0),
        ncols=columns,
        frameon=False,
        fontsize=canvas.layout.font_pt,
        borderaxespad=0.2,
        handlelength=1.4,
        columnspacing=1.2,
    )


def dimension_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """Marketing's and sales' score per area, a bar each, beside (or, on phones, above
    which) the area's full title."""
    _require_placed(result)
    layout = canvas.layout
    line = layout.line_in
    beside = canvas.size is not Size.NARROW
    title_share = 0.3 if beside else 1.0
    titles = [
        _wrap(row.dimension.title.get(canvas.locale), layout.chars_per_line(title_share * 0.95))
        for row in result.dimensions
    ]
    bar = (0.75 if canvas.size is Size.PRINT else 0.95) * line
    gap = 0.45 * line
    if beside:
        blocks = [max(_lines(title) * line, 2 * bar) + gap for title in titles]
    else:
        blocks = [_lines(title) * line + 2 * bar + gap for title in titles]
    top_in = 1.6 * line
    bottom_in = 2.4 * line + 0.1
    height_in = top_in + bottom_in + sum(blocks)
    figure = new_figure(canvas, height_in)
    from matplotlib.patches import Patch  # loaded with the figure (see new_figure)

    axes = _axes(figure, height_in, top_in, bottom_in)
    if beside:  # the titles take the start of the width; the bars the rest
        box = axes.get_position()
        shift = title_share * box.width
        axes.set_position((box.x0 + shift, box.y0, box.width - shift, box.height))
    position = 0.0
    for row, title, block in zip(result.dimensions, titles, blocks, strict=True):
        if beside:
            bars_top = position + (block - gap - 2 * bar) / 2
            axes.annotate(
                title,
                xy=(0, position + (block - gap) / 2),
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
            bars_top = position + _lines(title) * line + 0.1 * line
            axes.text(
                SCALE_LOW,
                bars_top - 0.05 * line,
                title,
                ha="left",
                va="bottom",
                fontsize=layout.font_pt,
                color=INK,
                parse_math=False,
            )
        for offset, side in enumerate(Side):
            value = row.score(side)
            if value is None:
                continue
            centre = bars_top + (offset + 0.5) * bar
            axes.barh(
                centre,
                value - SCALE_LOW,
                left=SCALE_LOW,
                height=0.86 * bar,
                color=SIDE_COLOURS[side],
            )
            axes.text(
                value + 1,
                centre,
                _whole(value, canvas.locale),
                ha="left",
                va="center",
                fontsize=layout.small_pt,
                color=INK,
            )
        position += block
    axes.set_ylim(sum(blocks), 0)
    axes.set_yticks([])
    axes.set_xlim(SCALE_LOW, SCALE_HIGH + 10)
    axes.set_xticks(range(SCALE_LOW, SCALE_HIGH + 1, 20))
    axes.xaxis.grid(True, color="#d8dde5")
    axes.set_axisbelow(True)
    axes.set_xlabel(gettext("Score (20 to 100)"), color=MUTED, fontsize=layout.small_pt)
    plain_axes(axes, canvas)
    _legend(
        axes,
        canvas,
        [Patch(facecolor=SIDE_COLOURS[side], label=side_name(side)) for side in Side],
        columns=2,
    )
    return figure_to_svg(figure)


# --------------------------------------------------------------------------- gaps


def _signed(value: float, locale: str) -> str:
    if round(value, 2) == 0:
        return format_decimal(0, format="0.00", locale=locale)
    return format_decimal(value, format="+0.00;-0.00", locale=locale)


def gap_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """The largest gaps between the sides' means, largest first, each under its wording."""
    _require_placed(result)
    layout = canvas.layout
    line = layout.line_in
    items = largest_gaps(result)
    # Bold (marked) wording is wider; either keeps a margin for wide letters.
    labels = [
        _wrap(
            ("▲ " if item.flagged else "") + item.item.marketing.get(canvas.locale),
            layout.chars_per_line(0.8 if item.flagged else 0.9),
        )
        for item in items
    ]
    bar = (0.8 if canvas.size is Size.PRINT else 0.95) * line
    space = (0.35 if canvas.size is Size.PRINT else 0.5) * line
    blocks = [_lines(label) * line + bar + space for label in labels]
    columns = 1 if canvas.size is Size.NARROW else 2
    legend_rows = math.ceil(3 / columns)
    axis_title = _wrap(
        gettext(
            "Difference on the 1 to 5 scale: ← sales rates it higher · marketing rates it higher →"
        ),
        layout.chars_per_line(1.05),
    )
    top_in = (legend_rows + 0.4) * line
    bottom_in = (1.4 + _lines(axis_title)) * line + 0.1
    height_in = top_in + bottom_in + max(sum(blocks), 2 * line)
    figure = new_figure(canvas, height_in)
    from matplotlib.patches import Patch  # loaded with the figure (see new_figure)

    axes = _axes(figure, height_in, top_in, bottom_in)
    flag = float(FLAG_GAP)
    limit = max([abs(item.gap or 0.0) for item in items] + [flag]) + 0.55
    position = 0.0
    for item, label, block in zip(items, labels, blocks, strict=True):
        gap = item.gap or 0.0
        bar_top = position + _lines(label) * line + 0.1 * line
        axes.text(
            -limit,
            bar_top - 0.05 * line,
            label,
            ha="left",
            va="bottom",
            fontsize=layout.font_pt,
            fontweight="bold" if item.flagged else "normal",
            color=INK,
            parse_math=False,
            zorder=4,
            # a white ground, so the guide lines never strike through the wording
            bbox={"facecolor": "white", "edgecolor": "none", "pad": 0.6},
        )
        colour = MARKETING_COLOUR if gap > 0 else SALES_COLOUR
        axes.barh(
            bar_top + bar / 2,
            gap,
            height=0.8 * bar,
            color=colour if item.flagged else "white",
            edgecolor=colour,
            linewidth=1.5,
        )
        axes.text(
            gap + (0.06 if gap >= 0 else -0.06),
            bar_top + bar / 2,
            _signed(gap, canvas.locale),
            ha="left" if gap >= 0 else "right",
            va="center",
            fontsize=layout.small_pt,
            color=INK,
        )
        position += block
    if not items:
        axes.text(
            0,
            line,
            gettext("No question differs by half a point or more."),
            ha="center",
            va="center",
            fontsize=layout.font_pt,
            color=INK,
        )
    axes.set_ylim(max(sum(blocks), 2 * line), 0)
    axes.set_yticks([])
    axes.set_xlim(-limit, limit)
    axes.axvline(0, color=INK, linewidth=1)
    for edge in (-flag, flag):
        axes.axvline(edge, color=MUTED, linewidth=1, linestyle="--")
    axes.set_xlabel(axis_title, color=MUTED, fontsize=layout.small_pt)
    plain_axes(axes, canvas)
    _legend(
        axes,
        canvas,
        [
            Patch(facecolor=MARKETING_COLOUR, label=gettext("Marketing rates it higher")),
            Patch(facecolor=SALES_COLOUR, label=gettext("Sales rates it higher")),
            Patch(
                facecolor="white",
                edgecolor=INK,
                label=gettext("Outline: not marked, could be chance"),
            ),
        ],
        columns=columns,
    )
    return figure_to_svg(figure)


#: Chart name → renderer. The names are part of the chart URLs.
CHARTS: dict[str, ReportChart] = {
    "placement": placement_chart,
    "dimensions": dimension_chart,
    "gaps": gap_chart,
    "funnel": funnel_chart,  # survey.charts.funnel
}

__all__ = ["CHARTS", "ReportChart", "dimension_chart", "gap_chart", "placement_chart"]
