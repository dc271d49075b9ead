"""A scoring result as plain JSON-ready data (the body of the API's result endpoint).

Shape (every key always present)::

    {
      "status": "placed" | "waiting",
      "bank_version": 1,                     # the question bank the result was scored with
      "threshold": 5,
      "responses": {"marketing": {"counted": 5, "excluded": 1}, "sales": {...}},
      "score": 70.0 | null,                  # organisation score, 20–100
      "type": "aligned" | null,              # bank type id
      "next_type": "integrated" | null,
      "sides": {"marketing": {"score": 80.0 | null, "visible": true, "needed": 0}, "sales": {...}},
      "missing_sides": ["sales"],            # sides with no counted response
      "dimensions": [{"id", "title", "marketing", "sales", "combined", "gap"}],
      "items": [{"id", "dimension", "reverse",
                 "marketing": {"mean", "sd"}, "sales": {"mean", "sd"}, "gap", "flagged"}],
      "moves": [{"id", "title", "action", "score",
                 "reasons": [{"item", "marketing", "sales", "gap"}]}],
      "advice": {"target", "recommendation", "next_step", "reasons": [text], "context_missing"}
    }

Rounding, the same everywhere: numbers on the 20–100 scale (organisation,
side, dimension and move scores, dimension gaps) to 2 decimals; numbers on the
1–5 answer scale (item means, standard deviations, item gaps) to 3 decimals.
Whatever the anonymity threshold hides is ``null`` (a hidden side's score,
means and deviations; every gap, the score, type and next type while waiting)
and ``moves`` is empty while waiting. ``flagged`` is ``null`` where there is no
gap. ``advice.recommendation`` and ``advice.next_step`` are ``null`` while
waiting. A standard deviation needs two answers, so it is ``null`` below that.
"""

from __future__ import annotations

from typing import Any

from scoring import AssessmentResult, Bank, ItemResult, Side

SCORE_DIGITS = 2
MEAN_DIGITS = 3


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _score(value: float | None) -> float | None:
    return _round(value, SCORE_DIGITS)


def _mean(value: float | None) -> float | None:
    return _round(value, MEAN_DIGITS)


def _item(result: ItemResult) -> dict[str, Any]:
    return {
        "id": result.item.id,
        "dimension": result.item.dimension,
        "reverse": result.item.reverse,
        **{
            side.value: {"mean": _mean(result.mean(side)), "sd": _mean(result.sd(side))}
            for side in Side
        },
        "gap": _mean(result.gap),
        "flagged": None if result.gap is None else result.flagged,
    }


def _reason(result: ItemResult) -> dict[str, Any]:
    return {
        "item": result.item.id,
        "marketing": _mean(result.marketing_mean),
        "sales": _mean(result.sales_mean),
        "gap": _mean(result.gap),
    }


def result_to_json(result: AssessmentResult, bank: Bank, locale: str = "en") -> dict[str, Any]:
    """The result as JSON-ready data; texts in ``locale`` (English where missing)."""
    advice = result.advice
    return {
        "status": result.status.value,
        "bank_version": bank.version,
        "threshold": result.threshold,
        "responses": {
            side.value: {
                "counted": result.sides[side].counted,
                "excluded": result.sides[side].excluded,
            }
            for side in Side
        },
        "score": _score(result.score),
        "type": result.type.id if result.type is not None else None,
        "next_type": result.next_type.id if result.next_type is not None else None,
        "sides": {
            side.value: {
                "score": _score(result.sides[side].score),
                "visible": result.sides[side].visible,
                "needed": result.sides[side].needed,
            }
            for side in Side
        },
        "missing_sides": [side.value for side in result.missing_sides],
        "dimensions": [
            {
                "id": dimension.dimension.id,
                "title": dimension.dimension.title.get(locale),
                "marketing": _score(dimension.marketing),
                "sales": _score(dimension.sales),
                "combined": _score(dimension.combined),
                "gap": _score(dimension.gap),
            }
            for dimension in result.dimensions
        ],
        "items": [_item(item) for item in result.items],
        "moves": [
            {
                "id": ranked.move.id,
                "title": ranked.move.title.get(locale),
                "action": ranked.move.action.get(locale),
                "score": _score(ranked.score),
                "reasons": [_reason(reason) for reason in ranked.reasons],
            }
            for ranked in result.moves
        ],
        "advice": {
            # Without a placement or a context there is nothing to aim from.
            "target": None
            if advice.current is None and advice.context_missing
            else advice.target.id,
            "recommendation": (
                advice.recommendation.value if advice.recommendation is not None else None
            ),
            "next_step": advice.next_step.id if advice.next_step is not None else None,
            "reasons": [reason.get(locale) for reason in advice.reasons],
            "context_missing": advice.context_missing,
        },
    }
