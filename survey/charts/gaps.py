"""The report's ``gaps`` chart: the largest perception gaps, largest first, each under
its full marketing wording; marked gaps filled, others outlined."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from babel.numbers import format_decimal
from flask_babel import gettext

from scoring import AssessmentResult, ItemResult
from scoring.rules import FLAG_GAP
from survey.charts.drawing import axes_in_inches, legend, line_count, require_placed, wrap
from survey.charts.svg import (
    INK,
    MARKETING_COLOUR,
    MUTED,
    SALES_COLOUR,
    Canvas,
    Size,
    figure_to_svg,
    new_figure,
    plain_axes,
)
from survey.services.highlights import largest_gaps

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def _signed(value: float, locale: str) -> str:
    if round(value, 2) == 0:
        return format_decimal(0, format="0.00", locale=locale)
    return format_decimal(value, format="+0.00;-0.00", locale=locale)


def _labels(items: list[ItemResult], canvas: Canvas) -> list[str]:
    # Bold (marked) wording is wider; either keeps a margin for wide letters.
    return [
        wrap(
            ("▲ " if item.flagged else "") + item.item.marketing.get(canvas.locale),
            canvas.layout.chars_per_line(0.8 if item.flagged else 0.9),
        )
        for item in items
    ]


def _gap_row(
    axes: Axes, item: ItemResult, label: str, bar_top: float, limit: float, canvas: Canvas
) -> None:
    layout, gap = canvas.layout, item.gap or 0.0
    bar = (0.8 if canvas.size is Size.PRINT else 0.95) * layout.line_in
    axes.text(
        -limit,
        bar_top - 0.05 * layout.line_in,
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


def _gap_legend(axes: Axes, canvas: Canvas, columns: int) -> None:
    from matplotlib.patches import Patch  # loaded with the figure (see new_figure)

    legend(
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


def gap_chart(result: AssessmentResult, canvas: Canvas) -> bytes:
    """The largest gaps between the sides' means, largest first, each under its wording."""
    require_placed(result)
    layout = canvas.layout
    line = layout.line_in
    items = list(largest_gaps(result))
    labels = _labels(items, canvas)
    bar = (0.8 if canvas.size is Size.PRINT else 0.95) * line
    space = (0.35 if canvas.size is Size.PRINT else 0.5) * line
    blocks = [line_count(label) * line + bar + space for label in labels]
    columns = 1 if canvas.size is Size.NARROW else 2
    axis_title = wrap(
        gettext(
            "Difference on the 1 to 5 scale: ← sales rates it higher · marketing rates it higher →"
        ),
        layout.chars_per_line(1.05),
    )
    top_in = (math.ceil(3 / columns) + 0.4) * line
    bottom_in = (1.4 + line_count(axis_title)) * line + 0.1
    height_in = top_in + bottom_in + max(sum(blocks), 2 * line)
    figure = new_figure(canvas, height_in)
    axes = axes_in_inches(figure, height_in, top_in, bottom_in)
    flag = float(FLAG_GAP)
    limit = max([abs(item.gap or 0.0) for item in items] + [flag]) + 0.55
    position = 0.0
    for item, label, block in zip(items, labels, blocks, strict=True):
        _gap_row(axes, item, label, position + line_count(label) * line + 0.1 * line, limit, canvas)
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
    _gap_legend(axes, canvas, columns)
    return figure_to_svg(figure)
