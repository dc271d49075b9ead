"""How every chart is drawn: a matplotlib ``Figure`` (never pyplot) at the size it is shown,
written as SVG that the site's Content-Security-Policy accepts.

matplotlib is imported by the first chart drawn (:func:`load_matplotlib`), never when
the app, a route or a service is imported: it takes longer to import than the rest of
the app, and most commands and pages never draw a chart.

**Sizes.** A chart is drawn for one :class:`Size`, the width it is shown at, so that
its text is never scaled down: ``narrow`` for phones, ``wide`` for larger screens,
``print`` for the PDF and printed pages. The SVG's intrinsic width is the size's width
in CSS pixels and a page shows it at that width (never stretched to fit a box), so a
label of ``font_pt`` points is ``font_pt × 4/3`` CSS pixels on screen: at least 12 px
on a phone or a desktop, and at least 8 pt on paper.
"""

from __future__ import annotations

import functools
import io
import threading
import warnings
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree

from flask_babel import gettext

from scoring import Bank, Side

if TYPE_CHECKING:  # matplotlib itself is imported by the first chart drawn (see new_figure)
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

# Colours. The side colours equal --marketing and --sales in static/css/app.css: at least
# 4.5:1 on white (charts always have a white background, also on the dark live view),
# orange against blue so colour-blind readers tell them apart.
MARKETING_COLOUR = "#b05300"  # 5.1:1 on white
SALES_COLOUR = "#1c6aa8"  # 5.7:1 on white
SIDE_COLOURS = MappingProxyType({Side.MARKETING: MARKETING_COLOUR, Side.SALES: SALES_COLOUR})
INK = "#1d2430"  # 15.6:1 on white
MUTED = "#4f5866"  # 7.0:1 on white, 5.9:1 on the darkest band
GRID = "#d8dde5"
#: Band fills from the lowest type to the highest; repeated if a bank has more types.
#: Every text colour above keeps at least 4.5:1 on each of them.
BAND_COLOURS = ("#f3f5f8", "#e9eef4", "#dfe7f0", "#d5e0ec")
SCALE_LOW, SCALE_HIGH = 20, 100

PX_PER_INCH = 96
PT_PER_INCH = 72


class Size(StrEnum):
    """Where a chart is shown; each is drawn at its own width (see :data:`SIZES`)."""

    NARROW = "narrow"
    WIDE = "wide"
    PRINT = "print"


@dataclass(frozen=True)
class Layout:
    """A size's width (CSS px) and its smallest and normal text (pt)."""

    width_px: int
    font_pt: float
    small_pt: float

    @property
    def width_in(self) -> float:
        return self.width_px / PX_PER_INCH

    @property
    def line_in(self) -> float:
        """The height of one line of normal text, in inches."""
        return self.font_pt * 1.3 / PT_PER_INCH

    def chars_per_line(self, share: float = 1.0) -> int:
        """About how many characters of normal text fit in ``share`` of the width."""
        average_char_in = self.font_pt * 0.55 / PT_PER_INCH  # DejaVu Sans, mixed text
        return max(12, int(self.width_in * share / average_char_in))


#: Phones from 352 px wide show ``narrow`` unscaled (a 360 px phone has 294 px inside a
#: report card); screens from 48rem show ``wide`` (a 768 px window has 702 px). 10 pt is
#: 13.3 CSS px, 9.5 pt 12.7 px. Print: 6.9 in fits A4 and Letter with 15 mm margins.
SIZES = MappingProxyType(
    {
        Size.NARROW: Layout(width_px=288, font_pt=10.0, small_pt=9.5),
        Size.WIDE: Layout(width_px=700, font_pt=10.0, small_pt=9.5),
        Size.PRINT: Layout(width_px=662, font_pt=8.5, small_pt=8.0),
    }
)


@dataclass(frozen=True)
class Canvas:
    """What every renderer is given besides its data: the bank, the language and the size.

    Every chart is ``render(data, canvas) -> bytes`` (SVG).
    """

    bank: Bank
    locale: str = "en"
    size: Size = Size.WIDE

    @property
    def layout(self) -> Layout:
        return SIZES[self.size]


class ChartUnavailable(ValueError):
    """The result is not placed (a side is hidden or missing), so there is no chart."""


_import_lock = threading.Lock()


@functools.cache
def _matplotlib() -> Any:
    import matplotlib

    # Every part a chart uses, imported here under the lock: matplotlib's modules import
    # each other in circles, and two threads importing them at once can each be handed
    # the other's half-made module. Later imports find them complete.
    import matplotlib.backends.backend_svg
    import matplotlib.figure
    import matplotlib.patches
    import matplotlib.text

    # Fixed ids and no date make the same chart the same bytes, so caches and ETags
    # hold; text stays text (smaller files, selectable, readable by screen readers).
    matplotlib.rcParams.update({"svg.hashsalt": "survey-charts", "svg.fonttype": "none"})
    return matplotlib


def load_matplotlib() -> Any:
    """matplotlib, imported and set up on first use.

    One thread imports it: a page asks for several charts at once (a threaded server
    draws them side by side).
    """
    with _import_lock:
        return _matplotlib()


def new_figure(canvas: Canvas, height_in: float, *, constrained: bool = False) -> Figure:
    """A ``matplotlib.figure.Figure`` as wide as the canvas's size, ``height_in`` tall.

    ``constrained`` lets matplotlib place the axes around their labels; charts that
    place their axes in inches themselves (so text and data line up) go without.
    """
    load_matplotlib()
    from matplotlib.figure import Figure

    size = (canvas.layout.width_in, height_in)
    return Figure(figsize=size, layout="constrained") if constrained else Figure(figsize=size)


def side_name(side: Side) -> str:
    return str(gettext("Marketing") if side is Side.MARKETING else gettext("Sales"))


def plain_axes(axes: Axes, canvas: Canvas) -> None:
    """Only the bottom axis line, in muted ink; tick labels at the normal text size."""
    for spine in ("top", "right", "left"):
        axes.spines[spine].set_visible(False)
    axes.spines["bottom"].set_color(MUTED)
    axes.tick_params(colors=INK, labelsize=canvas.layout.font_pt)


SVG_NAMESPACE = "http://www.w3.org/2000/svg"
ElementTree.register_namespace("xlink", "http://www.w3.org/1999/xlink")


def figure_to_svg(figure: Figure) -> bytes:
    """The figure as SVG that needs no inline styles, so the site's CSP holds for it too.

    matplotlib writes a ``<style>`` block and ``style="…"`` attributes; every
    property it uses is also an SVG presentation attribute, which a
    Content-Security-Policy without ``'unsafe-inline'`` does not block. The intrinsic
    size is given in CSS pixels (``width="700"``), so a page shows the chart at the
    width it was drawn for.
    """
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        # Names in scripts the bundled font lacks (Chinese, emoji …) draw as boxes, not errors.
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from font", category=UserWarning
        )
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    root = ElementTree.fromstring(buffer.getvalue())
    # The metadata only names matplotlib; without it the SVG needs no other namespaces.
    for metadata in root.findall(f"{{{SVG_NAMESPACE}}}metadata"):
        root.remove(metadata)
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
    # matplotlib gives the size in pt (1 user unit = 1 pt); in CSS px the same drawing is
    # shown at exactly the width its text was sized for.
    for dimension in ("width", "height"):
        points = float(root.get(dimension, "0").removesuffix("pt"))
        root.set(dimension, f"{points * PX_PER_INCH / PT_PER_INCH:.1f}")
    # ElementTree's prefixes are global, and WeasyPrint takes the empty one when it is
    # imported: claim it again, so the SVG writes <svg>, not <ns0:svg>.
    ElementTree.register_namespace("", SVG_NAMESPACE)
    svg: bytes = ElementTree.tostring(root, encoding="utf-8", xml_declaration=True)
    return svg


__all__ = [
    "BAND_COLOURS",
    "INK",
    "MARKETING_COLOUR",
    "MUTED",
    "SALES_COLOUR",
    "SIDE_COLOURS",
    "SIZES",
    "Canvas",
    "ChartUnavailable",
    "Layout",
    "Size",
    "figure_to_svg",
    "load_matplotlib",
    "new_figure",
    "plain_axes",
    "side_name",
]
