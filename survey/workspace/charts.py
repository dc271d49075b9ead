"""The workspace's own charts: an organisation's trend and the consultant's portfolio.

Built with ``matplotlib.figure.Figure`` (never pyplot) and rendered to SVG bytes.
Labels are user data (organisation and wave names): they are drawn with
mathtext switched off, so a ``$`` is just a dollar sign, and the SVG writer
XML-escapes the text it keeps as comments.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from scoring import Bank
from survey.charts import figure_to_svg, new_figure

if TYPE_CHECKING:  # matplotlib is imported by the first chart drawn (``new_figure``)
    from matplotlib.axes import Axes
    from matplotlib.text import Text

#: Soft colours for the bands, lowest type first (a repeat for banks with more types).
BAND_COLOURS = ("#fde2e1", "#fef3c7", "#dcfce7", "#dbeafe")
LINE_COLOUR = "#1f5fbf"
INK = "#1d2430"
MUTED = "#5b6472"
LABEL_MAX = 40


def _short(label: str) -> str:
    return label if len(label) <= LABEL_MAX else label[: LABEL_MAX - 1] + "…"


def _plain(labels: Sequence[Text]) -> None:
    for label in labels:
        label.set_parse_math(False)


def _band_names(bank: Bank, locale: str) -> list[tuple[float, float, str]]:
    return [(t.lower, t.upper, t.name.get(locale)) for t in bank.types]


def _shade_bands(axes: Axes, bank: Bank, locale: str, *, horizontal: bool) -> None:
    for index, (lower, upper, name) in enumerate(_band_names(bank, locale)):
        colour = BAND_COLOURS[index % len(BAND_COLOURS)]
        if horizontal:
            axes.axvspan(lower, upper, color=colour, zorder=0)
            label = axes.text(
                (lower + upper) / 2,
                1.01,
                name,
                transform=axes.get_xaxis_transform(),
                ha="center",
                va="bottom",
                fontsize=8,
                color=MUTED,
                parse_math=False,
            )
        else:
            axes.axhspan(lower, upper, color=colour, zorder=0)
            label = axes.text(
                1.01,
                (lower + upper) / 2,
                name,
                transform=axes.get_yaxis_transform(),
                ha="left",
                va="center",
                fontsize=8,
                color=MUTED,
                parse_math=False,
            )
        label.set_clip_on(False)


def trend_chart(
    bank: Bank, points: Sequence[tuple[str, float]], locale: str, *, title: str = ""
) -> bytes:
    """The organisation score of each placed wave (name, score), against the type bands."""
    floor, ceiling = bank.types[0].lower, bank.types[-1].upper
    figure = new_figure(figsize=(7.5, 3.6), layout="constrained")
    axes = figure.add_subplot()
    _shade_bands(axes, bank, locale, horizontal=False)
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
                fontsize=8,
                color=INK,
            )
    axes.set_xticks(positions, labels=[_short(name) for name, _ in points])
    _plain([tick.label1 for tick in axes.xaxis.get_major_ticks()])
    axes.set_xlim(-0.5, max(len(points) - 0.5, 0.5))
    axes.set_ylim(floor, ceiling)
    if title:
        axes.set_title(_short(title), loc="left", fontsize=10, parse_math=False, pad=14)
    axes.spines[["top", "right"]].set_visible(False)
    return figure_to_svg(figure)


def portfolio_chart(bank: Bank, rows: Sequence[tuple[str, float]], locale: str) -> bytes:
    """One horizontal bar per organisation (name, score of its latest placed wave)."""
    floor, ceiling = bank.types[0].lower, bank.types[-1].upper
    height = 1.2 + 0.45 * max(len(rows), 1)
    figure = new_figure(figsize=(7.5, height), layout="constrained")
    axes = figure.add_subplot()
    _shade_bands(axes, bank, locale, horizontal=True)
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
            fontsize=8,
            color=INK,
            parse_math=False,
            zorder=4,
        )
    axes.set_yticks(positions, labels=[_short(name) for name, _ in rows])
    _plain([tick.label1 for tick in axes.yaxis.get_major_ticks()])
    axes.invert_yaxis()
    axes.set_xlim(floor, ceiling)
    axes.spines[["top", "right"]].set_visible(False)
    return figure_to_svg(figure)
