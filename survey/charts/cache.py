"""Drawn charts, kept per process: a chart is drawn once per published state of its wave.

The key is the wave's :class:`~survey.services.results.Fingerprint` (everything its
published result depends on), the chart's name, the language and the size, so a kept
chart is never stale: a new group of respondents, another threshold or context, or
another bank makes a new fingerprint. The cache is emptied together with the results
it was drawn from (``services.results.clear_caches``).
"""

from __future__ import annotations

import hashlib
import threading

from cachetools import LRUCache

from scoring import AssessmentResult
from survey.charts.report import CHARTS
from survey.charts.svg import Canvas, ChartUnavailable
from survey.services import results
from survey.services.results import Fingerprint

CACHE_SIZE = 512

_charts: LRUCache[tuple[Fingerprint, str, str, str], bytes] = LRUCache(CACHE_SIZE)
_lock = threading.Lock()


def clear() -> None:
    with _lock:
        _charts.clear()


results.also_clear(clear)


def chart_etag(fingerprint: Fingerprint, name: str, canvas: Canvas) -> str:
    """An opaque validator that changes exactly when the cached chart would be redrawn."""
    key = f"{fingerprint!r}|{name}|{canvas.locale}|{canvas.size.value}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


def cached_chart(
    name: str, result: AssessmentResult, fingerprint: Fingerprint, canvas: Canvas
) -> bytes:
    """The SVG of report chart ``name``, drawn at most once per fingerprint, name,
    language and size.

    Raises ``KeyError`` for an unknown name and :class:`ChartUnavailable` for a result
    that is not placed. ``fingerprint`` must be the one ``assessment_result`` returned
    with ``result``.
    """
    render = CHARTS[name]
    if not result.is_placed:
        raise ChartUnavailable("charts are drawn only once both sides are shown")
    # The fingerprint holds the bank's digest, so the canvas's bank needs no key of its own.
    key = (fingerprint, name, canvas.locale, canvas.size.value)
    with _lock:
        svg = _charts.get(key)
    if svg is None:
        svg = render(result, canvas)
        with _lock:
            _charts[key] = svg
    return svg


__all__ = ["cached_chart", "chart_etag", "clear"]
