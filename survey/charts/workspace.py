"""The workspace's charts: an organisation's trend and the consultant's portfolio.

Each is ``render(rows, canvas)`` like the report's charts, with ``rows`` a sequence of
(name, score) pairs. Names are user data (organisation and wave names): they are drawn
with mathtext switched off, so a ``$`` is just a dollar sign, and the SVG writer
XML-escapes them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from survey.charts.svg import (
    BAND_COLOURS,
    INK,
    MUTED,
    Canvas,
    figure_to_svg,
    new_figure,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

#: (name, score) of a wave or an organisation.
Point = tuple[str, float]
WorkspaceChart = Callable[[Sequence[Point], Canvas], bytes]

LINE_COLOUR = "#1f5fbf"  # 5.9:1 on white
LABEL_MAX = 40


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _shade_bands(axes: Axes, canvas: Canvas, *, horizontal: bool) -> None:
    font = canvas.layout.small_pt
    for index, band in enumerate(canvas.bank.types):
        colour = BAND_COLOURS[index % len(BAND_COLOURS)]
        name = band.name.get(canvas.locale)
        middle = (band.lower + band.upper) / 2
        # The band's name sits just past the axes: above a horizontal band, beside a vertical one.
        if horizontal:
            axes.axvspan(band.lower, band.upper, color=colour, zorder=0)
            place = {"x": middle, "y": 1.01, "transform": axes.get_xaxis_transform()}
            place |= {"ha": "center", "va": "bottom"}
        else:
            axes.axhspan(band.lower, band.upper, color=colour, zorder=0)
            place = {"x": 1.01, "y": middle, "transform": axes.get_yaxis_transform()}
            place |= {"ha": "left", "va": "center"}
        label = axes.text(s=name, fontsize=font, color=MUTED, parse_math=False, **place)
        label.set_clip_on(False)


def trend_chart(points: Sequence[Point], canvas: Canvas) -> bytes:
    """The organisation score of each placed wave, against the type bands."""
    floor, ceiling = canvas.bank.types[0].lower, canvas.bank.types[-1].upper
    layout = canvas.layout
    figure = new_figure(canvas, max(2.6, layout.width_in * 0.5), constrained=True)
    axes = figure.add_subplot()
    _shade_bands(axes, canvas, horizontal=False)
    positions = list(range(len(points)))
    scores = [score for _, score in points]
    if points:
        axes.plot(positions, scores, color=LINE_COLOUR, marker="o", linewidth=2, zorder=3)
        for position, score in zip(positions, scores, strict=True):
            axes.annotate(
                f"{score:.1f}",
                (position, score),
                textcoords="offset points",
                xytext=(0, 7),
                ha="center",
                fontsize=layout.small_pt,
                color=INK,
            )
    axes.set_xticks(positions, labels=[_short(name) for name, _ in points])
    for tick in axes.xaxis.get_major_ticks():
        tick.label1.set_parse_math(False)
    axes.tick_params(labelsize=layout.small_pt)
    axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_ylim(floor, ceiling)
    axes.spines[["top", "right"]].set_visible(False)
    return figure_to_svg(figure)


def portfolio_chart(rows: Sequence[Point], canvas: Canvas) -> bytes:
    """One horizontal bar per organisation (the score of its latest placed wave)."""
    floor, ceiling = canvas.bank.types[0].lower, canvas.bank.types[-1].upper
    layout = canvas.layout
    figure = new_figure(canvas, 0.6 + 2.2 * layout.line_in * max(len(rows), 1), constrained=True)
    axes = figure.add_subplot()
    _shade_bands(axes, canvas, horizontal=True)
    positions = list(range(len(rows)))
    scores = [score for _, score in rows]
    # Bars start at the floor of the scale: a score of 20 is the lowest possible.
    axes.barh(
        positions,
        [score - floor for score in scores],
        left=floor,
        color=LINE_COLOUR,
        height=0.55,
        zorder=3,
    )
    for position, score in zip(positions, scores, strict=True):
        axes.text(
            score + 0.8,
            position,
            f"{score:.1f}",
            va="center",
            fontsize=layout.small_pt,
            color=INK,
            parse_math=False,
            zorder=4,
        )
    axes.set_yticks(positions, labels=[_short(name) for name, _ in rows])
    for tick in axes.yaxis.get_major_ticks():
        tick.label1.set_parse_math(False)
    axes.tick_params(labelsize=layout.small_pt)
    axes.invert_yaxis()
    axes.set_xlim(floor, ceiling)
    axes.spines[["top", "right"]].set_visible(False)
    return figure_to_svg(figure)


__all__ = ["Point", "WorkspaceChart", "portfolio_chart", "trend_chart"]
