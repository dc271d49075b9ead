"""Every chart of the app, drawn with matplotlib's ``Figure`` API as CSP-safe SVG.

One layout for all of them:

* :mod:`survey.charts.svg` — how a chart is drawn: the sizes (:class:`Size`, each the
  width a chart is shown at, so no text is ever scaled below 12 CSS px or 8 pt),
  the :class:`Canvas` (bank, language, size), colours, and SVG without inline styles;
* :mod:`survey.charts.report` — the report's ``placement``, ``dimensions`` and ``gaps``;
* :mod:`survey.charts.funnel` — the report's ``funnel``: who each side says leads each stage;
* :mod:`survey.charts.workspace` — an organisation's ``trend`` and the ``portfolio``;
* :mod:`survey.charts.cache` — report charts kept per published state of a wave.

Every renderer has one signature, ``render(data, canvas) -> bytes``. Importing this
package does not import matplotlib: the first chart drawn does (``load_matplotlib``).
"""

from survey.charts.cache import cached_chart, chart_etag
from survey.charts.funnel import funnel_chart
from survey.charts.report import CHARTS, dimension_chart, gap_chart, placement_chart
from survey.charts.svg import (
    MARKETING_COLOUR,
    SALES_COLOUR,
    SIZES,
    Canvas,
    ChartUnavailable,
    Size,
    figure_to_svg,
    load_matplotlib,
)
from survey.charts.workspace import portfolio_chart, trend_chart

__all__ = [
    "CHARTS",
    "MARKETING_COLOUR",
    "SALES_COLOUR",
    "SIZES",
    "Canvas",
    "ChartUnavailable",
    "Size",
    "cached_chart",
    "chart_etag",
    "dimension_chart",
    "figure_to_svg",
    "funnel_chart",
    "gap_chart",
    "load_matplotlib",
    "placement_chart",
    "portfolio_chart",
    "trend_chart",
]
