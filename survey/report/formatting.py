"""How the report writes numbers and picks the language of bank texts.

Scores (20–100) get one decimal, item means, gaps and spreads (1–5) two. A
missing number is a dash. Numbers follow the page's locale.
"""

from __future__ import annotations

from typing import Any

from flask_babel import format_decimal, get_locale

from scoring.model import DEFAULT_LANGUAGE

MISSING = "—"


def language() -> str:
    """The language code bank texts are shown in, e.g. ``"en"``."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _decimal(value: float | None, pattern: str) -> str:
    return MISSING if value is None else format_decimal(value, format=pattern)


def score(value: float | None) -> str:
    """A score on the 20–100 scale: ``70.0``."""
    return _decimal(value, "0.0")


def mean(value: float | None) -> str:
    """A mean or a standard deviation on the 1–5 scale: ``3.40``."""
    return _decimal(value, "0.00")


def gap(value: float | None) -> str:
    """A signed item gap on the 1–5 scale: ``+1.00``, ``-0.40``, ``0.00``."""
    if value is not None and round(value, 2) == 0:
        return mean(0.0)
    return _decimal(value, "+0.00;-0.00")


def points(value: float | None) -> str:
    """A signed difference on the 20–100 scale: ``+20.0``."""
    if value is not None and round(value, 1) == 0:
        return score(0.0)
    return _decimal(value, "+0.0;-0.0")


def helpers() -> dict[str, Any]:
    """The formatting functions, for the report templates."""
    return {
        "fmt_score": score,
        "fmt_mean": mean,
        "fmt_gap": gap,
        "fmt_points": points,
        "lang": language(),
    }
