"""How the report writes numbers and picks the language of bank texts.

Scores (20–100) are whole numbers, because with a handful of responses per
side even the first decimal is noise. They are rounded *down*, so a shown
score always lies in the band of its type (59.6 is Defined and shows as 59);
an interval is widened to whole numbers (its low end down, its high end up).
Differences in points are cut towards zero, so a shown difference never
reaches a limit the exact one does not. Item means, gaps and spreads (1–5)
keep two decimals. A missing number is a dash. Numbers follow the page's
locale.
"""

from __future__ import annotations

import math
from typing import Any

from flask_babel import format_decimal, format_percent, get_locale, gettext

from scoring import Interval
from scoring.model import DEFAULT_LANGUAGE

MISSING = "—"


def language() -> str:
    """The language code bank texts are shown in, e.g. ``"en"``."""
    locale = get_locale()
    return locale.language if locale is not None else DEFAULT_LANGUAGE


def _decimal(value: float | None, pattern: str) -> str:
    return MISSING if value is None else format_decimal(value, format=pattern)


def score(value: float | None) -> str:
    """A score on the 20–100 scale, rounded down: ``70``."""
    return MISSING if value is None else format_decimal(math.floor(value), format="0")


def interval(value: Interval | None) -> tuple[str, str] | None:
    """The ends of a 95 % interval as whole numbers, widened outwards: ``("58", "66")``.

    ``None`` when the interval is unknown or has no width at all (every respondent of
    the side gave the same score), so the page does not invent a range.
    """
    if value is None or value.low == value.high:
        return None
    low, high = math.floor(value.low), math.ceil(value.high)
    if low == high:
        return None
    return format_decimal(low, format="0"), format_decimal(high, format="0")


def score_range(value: float | None, score_interval: Interval | None) -> str:
    """A score with its 95 % interval: ``62, likely between 58 and 66``.

    Just the score when the interval is unknown or, in whole numbers, has no width.
    """
    ends = interval(score_interval)
    if value is None or ends is None:
        return score(value)
    low, high = ends
    return gettext(
        "%(score)s, likely between %(low)s and %(high)s", score=score(value), low=low, high=high
    )


def mean(value: float | None) -> str:
    """A mean or a standard deviation on the 1–5 scale: ``3.40``."""
    return _decimal(value, "0.00")


def gap(value: float | None) -> str:
    """A signed item gap on the 1–5 scale: ``+1.00``, ``-0.40``, ``0.00``."""
    if value is not None and round(value, 2) == 0:
        return mean(0.0)
    return _decimal(value, "+0.00;-0.00")


def points(value: float | None) -> str:
    """A signed difference on the 20–100 scale, cut towards zero: ``+20``, ``-7``, ``0``."""
    if value is None:
        return MISSING
    whole = math.trunc(value)
    return format_decimal(whole, format="0") if whole == 0 else format_decimal(whole, "+0;-0")


def change(before: float | None, after: float | None) -> str:
    """The change between two scores as the page shows them: ``+9`` from 52 to 61.

    Each score is shown rounded down, so the change is taken between the shown whole
    numbers, and a reader who subtracts them finds the same figure.
    """
    if before is None or after is None:
        return MISSING
    return points(math.floor(after) - math.floor(before))


def share(value: float | None) -> str:
    """A share as a whole percentage: ``12%``."""
    return MISSING if value is None else format_percent(value, format="0%")


def helpers() -> dict[str, Any]:
    """The formatting functions, for the report templates."""
    return {
        "fmt_score": score,
        "fmt_score_range": score_range,
        "fmt_interval": interval,
        "fmt_mean": mean,
        "fmt_gap": gap,
        "fmt_points": points,
        "fmt_change": change,
        "fmt_share": share,
        "lang": language(),
    }
