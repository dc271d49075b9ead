"""The report's charts as SVG bytes, drawn with matplotlib's ``Figure`` API (never pyplot).

Three charts, named as in :data:`CHARTS`:

* ``placement`` — the organisation score on the 20–100 scale against the bands of the bank's types;
* ``dimensions`` — marketing and sales per dimension, as horizontal grouped bars;
* ``gaps`` — every item's perception gap (marketing mean − sales mean), flagged ones marked.

Charts exist only for a placed result: while a side is below the anonymity
threshold every chart raises :class:`ChartUnavailable`, so no chart can show a
hidden side. Callers that want a chart for a page (the report, the live view)
go through :func:`cached_chart`, which renders a chart once per fingerprint of
the assessment, chart name and language.

Every text in a chart (bank wording, type names) is a plain text label:
matplotlib writes it XML-escaped, and the SVG never holds a script.
"""

from __future__ import annotations

import functools
import hashlib
import io
import textwrap
import warnings
from collections.abc import Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from flask_babel import gettext

from scoring import AssessmentResult, Bank, ItemResult, Side
from scoring.rules import FLAG_GAP
from survey.services.results import Fingerprint, chart_cache

if TYPE_CHECKING:  # matplotlib itself is imported by the first chart drawn (see new_figure)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

MARKETING_COLOUR = "#b05300"  # = --marketing in static/css/app.css: 5.1:1 on white
SALES_COLOUR = "#1c6aa8"  # = --sales: 5.7:1 on white; orange vs blue for colour-blind readers
SIDE_COLOURS = MappingProxyType({Side.MARKETING: MARKETING_COLOUR, Side.SALES: SALES_COLOUR})
INK = "#1d2430"
MUTED = "#5b6472"
GRID = "#d8dde5"
#: Band fills from the lowest type to the highest; repeated if a bank has more types.
BAND_COLOURS = ("#eef1f5", "#dfe6ef", "#cbd8e8", "#b3c8e1")
SCALE_LOW, SCALE_HIGH = 20, 100
ITEM_LABEL_WIDTH = 48
DIMENSION_LABEL_WIDTH = 24



@functools.cache
def load_matplotlib() -> Any:
    """matplotlib, imported and set up on first use: it takes longer to import than the
    rest of the app, and most commands and pages never draw a chart."""
    import matplotlib

    # Fixed ids and no date make the same chart the same bytes, so caches and ETags
    # hold; text stays text (smaller files, selectable, readable by screen readers).
    matplotlib.rcParams.update({"svg.hashsalt": "survey-charts", "svg.fonttype": "none"})
    return matplotlib


def new_figure(**options: Any) -> Figure:
    """A ``matplotlib.figure.Figure`` (never pyplot), with the charts' settings applied."""
    load_matplotlib()
    from matplotlib.figure import Figure

    return Figure(**options)


class ChartUnavailable(ValueError):
    """The result is not placed (a side is hidden or missing), so there is no chart."""


ChartRenderer = Callable[[Bank, AssessmentResult, str], bytes]


def _require_placed(result: AssessmentResult) -> None:
    if not result.is_placed:
        raise ChartUnavailable("charts are drawn only once both sides are shown")


def _svg(figure: Figure) -> bytes:
    return figure_to_svg(figure)


SVG_NAMESPACE = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("", SVG_NAMESPACE)
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def figure_to_svg(figure: Figure) -> bytes:
    """The figure as SVG that needs no inline styles, so the site's CSP holds for it too.

    matplotlib writes a ``<style>`` block and ``style="…"`` attributes; every
    property it uses is also an SVG presentation attribute, which a
    Content-Security-Policy without ``'unsafe-inline'`` does not block.
    """
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Names in scripts the bundled font lacks (Chinese, emoji …) draw as boxes, not errors.
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    root = ElementTree.fromstring(buffer.getvalue())
    for parent in root.iter():
        for child in list(parent):
            if child.tag == f"{{{SVG_NAMESPACE}}}style":
                parent.remove(child)
        style = parent.attrib.pop("style", None)
        if style:
            for declaration in style.split(";"):
                name, _, value = declaration.partition(":")
                if name.strip() and value.strip():
                    parent.set(name.strip(), value.strip())
    # What the removed ``*{…}`` rule said; both properties inherit from the root.
    root.set("stroke-linejoin", "round")
    root.set("stroke-linecap", "butt")
    return ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)


def _side_name(side: Side) -> str:
    return gettext("Marketing") if side is Side.MARKETING else gettext("Sales")


def _plain_axes(axes: Axes) -> None:
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    axes.spines["bottom"].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=9)


def item_label(item: ItemResult, locale: str) -> str:
    """A short label for an item: the start of its marketing wording."""
    return textwrap.shorten(
        item.item.marketing.get(locale), width=ITEM_LABEL_WIDTH, placeholder="…"
    )


# --------------------------------------------------------------------------- placement


def placement_chart(bank: Bank, result: AssessmentResult, locale: str = "en") -> bytes:
    """The organisation score as a marker on the bands of the bank's types."""
    _require_placed(result)
    assert result.score is not None
    figure = new_figure(figsize=(8, 2.3), layout="constrained")
    axes = figure.add_subplot()
    for index, band in enumerate(bank.types):
        placed = result.type is not None and band.id == result.type.id
        colour = BAND_COLOURS[index % len(BAND_COLOURS)]
        axes.barh(
            0,
            band.upper - band.lower,
            left=band.lower,
            height=0.6,
            color=colour,
            edgecolor=INK if placed else "white",
            linewidth=2 if placed else 1,
            zorder=1,
        )
        # The label sits on a patch of its band's colour, above the score line.
        axes.text(
            (band.lower + band.upper) / 2,
            0,
            band.name.get(locale),
            ha="center",
            va="center",
            fontsize=10,
            fontweight="bold" if placed else "normal",
            color=INK,
            zorder=4,
            bbox={"facecolor": colour, "edgecolor": "none", "pad": 2},
        )
    axes.plot([result.score] * 2, [-0.3, 0.48], color=INK, linewidth=3, zorder=3)
    for side in Side:
        side_score = result.sides[side].score
        if side_score is not None:
            axes.plot(
                [side_score],
                [0.42],
                marker="v",
                markersize=9,
                linestyle="none",
                color=SIDE_COLOURS[side],
                label=_side_name(side),
                zorder=5,
            )
    axes.text(
        result.score,
        0.58,
        gettext("Organisation %(score)s", score=f"{result.score:.1f}"),
        ha="center",
        va="bottom",
        fontsize=10,
        fontweight="bold",
        color=INK,
    )
    axes.set_xlim(SCALE_LOW, SCALE_HIGH)
    axes.set_ylim(-0.4, 0.95)
    axes.set_yticks([])
    axes.set_xticks([band.lower for band in bank.types] + [bank.types[-1].upper])
    axes.set_xlabel(gettext("Score (20 to 100)"), color=MUTED, fontsize=9)
    _plain_axes(axes)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.02), ncols=2, frameon=False, fontsize=9)
    return _svg(figure)


# --------------------------------------------------------------------------- dimensions


def dimension_chart(result: AssessmentResult, locale: str = "en") -> bytes:
    """Marketing's and sales' score per dimension, one pair of bars per dimension."""
    _require_placed(result)
    dimensions = result.dimensions
    height = 0.62 * len(dimensions) + 1.4
    figure = new_figure(figsize=(8, height), layout="constrained")
    axes = figure.add_subplot()
    bar = 0.38
    for offset, side in ((-bar / 2, Side.MARKETING), (bar / 2, Side.SALES)):
        positions, widths = [], []
        for index, dimension in enumerate(dimensions):
            value = dimension.score(side)
            if value is None:
                continue
            positions.append(index + offset)
            widths.append(value - SCALE_LOW)
            axes.text(
                value + 0.8,
                index + offset,
                f"{value:.1f}",
                va="center",
                fontsize=8,
                color=INK,
            )
        axes.barh(
            positions,
            widths,
            left=SCALE_LOW,
            height=bar,
            color=SIDE_COLOURS[side],
            label=_side_name(side),
        )
    axes.set_yticks(
        range(len(dimensions)),
        [textwrap.fill(d.dimension.title.get(locale), DIMENSION_LABEL_WIDTH) for d in dimensions],
    )
    axes.set_ylim(len(dimensions) - 0.5, -0.5)  # first dimension on top
    axes.set_xlim(SCALE_LOW, SCALE_HIGH + 6)
    axes.set_xticks(range(SCALE_LOW, SCALE_HIGH + 1, 20))
    axes.xaxis.grid(True, color=GRID)
    axes.set_axisbelow(True)
    axes.set_xlabel(gettext("Score (20 to 100)"), color=MUTED, fontsize=9)
    _plain_axes(axes)
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=2, frameon=False, fontsize=9)
    return _svg(figure)


# --------------------------------------------------------------------------- gaps


def items_by_gap(result: AssessmentResult) -> list[ItemResult]:
    """Items with a gap, largest (marketing sees it better) first; ties keep bank order."""
    with_gap = [item for item in result.items if item.gap is not None]
    return sorted(with_gap, key=lambda item: -(item.gap or 0.0))


def gap_chart(result: AssessmentResult, locale: str = "en") -> bytes:
    """Each item's gap between the sides' means; gaps of a full point or more are marked."""
    _require_placed(result)
    items = items_by_gap(result)
    flag = float(FLAG_GAP)
    figure = new_figure(figsize=(8, 0.3 * max(len(items), 3) + 1.6), layout="constrained")
    axes = figure.add_subplot()
    if not items:
        axes.text(
            0.5,
            0.5,
            gettext("No item has answers from both sides."),
            ha="center",
            va="center",
            transform=axes.transAxes,
        )
        axes.set_axis_off()
        return _svg(figure)
    gaps = [item.gap or 0.0 for item in items]
    colours = [MARKETING_COLOUR if gap > 0 else SALES_COLOUR for gap in gaps]
    bars = axes.barh(range(len(items)), gaps, height=0.7, color=colours)
    for bar, item in zip(bars, items, strict=True):
        if item.flagged:
            bar.set_hatch("///")
            bar.set_edgecolor(INK)
        else:
            bar.set_alpha(0.45)
    labels = [("▲ " if item.flagged else "") + item_label(item, locale) for item in items]
    axes.set_yticks(range(len(items)), labels)
    for label, item in zip(axes.get_yticklabels(), items, strict=True):
        if item.flagged:
            label.set_fontweight("bold")
    axes.tick_params(axis="y", labelsize=8)
    limit = max(max(abs(gap) for gap in gaps), flag) + 0.5
    axes.set_xlim(-limit, limit)
    axes.set_ylim(len(items) - 0.5, -0.5)
    axes.axvline(0, color=INK, linewidth=1)
    for edge in (-flag, flag):
        axes.axvline(edge, color=MUTED, linewidth=1, linestyle="--")
    axes.xaxis.grid(True, color=GRID)
    axes.set_axisbelow(True)
    axes.set_xlabel(
        gettext(
            "Gap in points on the 1 to 5 scale\n"
            "← sales rates it higher · marketing rates it higher →"
        ),
        color=MUTED,
        fontsize=9,
    )
    _plain_axes(axes)
    from matplotlib.patches import Patch

    axes.legend(
        handles=[
            Patch(
                facecolor="white",
                edgecolor=INK,
                hatch="///",
                label=gettext("▲ gap of a point or more"),
            ),
        ],
        loc="lower center",
        bbox_to_anchor=(0.5, 1.0),
        frameon=False,
        fontsize=9,
    )
    return _svg(figure)


# --------------------------------------------------------------------------- catalogue


def _placement(bank: Bank, result: AssessmentResult, locale: str) -> bytes:
    return placement_chart(bank, result, locale)


def _dimensions(_bank: Bank, result: AssessmentResult, locale: str) -> bytes:
    return dimension_chart(result, locale)


def _gaps(_bank: Bank, result: AssessmentResult, locale: str) -> bytes:
    return gap_chart(result, locale)


#: Chart name → renderer taking (bank, result, locale). The names are part of the chart URLs.
CHARTS: dict[str, ChartRenderer] = {
    "placement": _placement,
    "dimensions": _dimensions,
    "gaps": _gaps,
}


def chart_etag(fingerprint: Fingerprint, name: str, locale: str) -> str:
    """An opaque validator that changes exactly when the cached chart would be redrawn."""
    digest = hashlib.sha256(f"{fingerprint!r}|{name}|{locale}".encode())
    return digest.hexdigest()[:32]


def cached_chart(
    name: str, result: AssessmentResult, fingerprint: Fingerprint, bank: Bank, locale: str
) -> bytes:
    """The SVG of chart ``name``, drawn at most once per (fingerprint, name, locale).

    Raises ``KeyError`` for an unknown name and :class:`ChartUnavailable` for a
    result that is not placed. ``fingerprint`` must be the one
    ``assessment_result`` returned with ``result``.
    """
    renderer = CHARTS[name]
    _require_placed(result)
    key = (fingerprint, name, locale)
    svg = chart_cache.get(key)
    if svg is None:
        svg = renderer(bank, result, locale)
        chart_cache[key] = svg
    return bytes(svg)


__all__: list[str] = [
    "CHARTS",
    "ChartUnavailable",
    "cached_chart",
    "chart_etag",
    "dimension_chart",
    "gap_chart",
    "items_by_gap",
    "load_matplotlib",
    "new_figure",
    "placement_chart",
]
