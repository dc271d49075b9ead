"""Pieces every report chart draws with: whole numbers, wrapped labels, axes in inches."""

from __future__ import annotations

import math
import textwrap
from typing import TYPE_CHECKING

from babel.numbers import format_decimal

from scoring import AssessmentResult
from survey.charts.svg import Canvas, ChartUnavailable

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Inches kept free at the sides of the plotting area.
SIDE_MARGIN = 0.2


def require_placed(result: AssessmentResult) -> None:
    if not result.is_placed:
        raise ChartUnavailable("charts are drawn only once both sides are shown")


def whole(value: float, locale: str) -> str:
    """A score as the page writes it: a whole number, rounded down."""
    return format_decimal(math.floor(value), format="0", locale=locale)


def wrap(text: str, width: int) -> str:
    return textwrap.fill(text, width=width, break_long_words=True) or " "


def line_count(text: str) -> int:
    return text.count("\n") + 1


def axes_in_inches(figure: Figure, height_in: float, top_in: float, bottom_in: float) -> Axes:
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


def legend(axes: Axes, canvas: Canvas, handles: list[object], columns: int) -> None:
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
