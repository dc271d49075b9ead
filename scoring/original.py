"""The score on the original instrument's twenty statements alone.

The published self-assessment adds up twenty statements rated 1–5 (20–100) and
places the total in the same four bands. Items marked ``original`` in the bank
are those twenty topics; their score — 20 × the mean of the side's item means
over them, each side weighted equally — can be compared with the published
bands and with assessments made with the original form.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from scoring.model import Bank, RelationshipType, Side
from scoring.policy import SCALE_FACTOR
from scoring.sides import ItemStats, as_float, mean, place_score


@dataclass(frozen=True)
class OriginalScore:
    #: How many of the bank's items are original statements.
    items: int
    #: Per side, the score on the original statements it has shown (``None`` if none).
    sides: Mapping[Side, float | None]
    score: float | None
    type: RelationshipType | None


def original_score(
    bank: Bank, stats: Mapping[Side, Mapping[str, ItemStats]]
) -> OriginalScore | None:
    """``None`` when the bank marks no statement as original."""
    ids = [item.id for item in bank.items if item.original]
    if not ids:
        return None
    exact: dict[Side, Fraction | None] = {}
    for side in Side:
        side_mean = mean([stats[side][i].mean for i in ids if i in stats[side]])
        exact[side] = SCALE_FACTOR * side_mean if side_mean is not None else None
    marketing, sales = exact[Side.MARKETING], exact[Side.SALES]
    score = (marketing + sales) / 2 if marketing is not None and sales is not None else None
    return OriginalScore(
        items=len(ids),
        sides={side: as_float(value) for side, value in exact.items()},
        score=as_float(score),
        type=place_score(bank, score) if score is not None else None,
    )
