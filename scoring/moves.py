"""Next-step moves of a transition, ranked on exact combined scores."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

from scoring.model import Bank
from scoring.policy import REASONS_PER_MOVE
from scoring.results import ItemResult, RankedMove
from scoring.sides import as_float, mean


@dataclass(frozen=True)
class Ranking:
    """Ranks the moves of one transition on exact combined scores."""

    bank: Bank
    #: Combined (both sides) dimension scores, 20–100, where both sides have one.
    dimensions: Mapping[str, Fraction]
    #: Combined item means, 1–5, where both sides have one.
    items: Mapping[str, Fraction]
    results: Sequence[ItemResult]
    #: Moves addressing any of these dimensions come first (the sides place the handoff
    #: apart: see ``scoring.funnel``).
    priority: frozenset[str] = frozenset()

    def moves_from(self, from_type: str) -> tuple[RankedMove, ...]:
        entries: list[tuple[bool, Fraction | None, int, RankedMove]] = []
        for position, move in enumerate(self.bank.moves):
            if move.from_type != from_type:
                continue
            scores = [self.dimensions[d] for d in move.dimensions if d in self.dimensions]
            score = mean(scores)
            candidates = sorted(
                (
                    (self.items[result.item.id], index, result)
                    for index, result in enumerate(self.results)
                    if result.item.dimension in move.dimensions and result.item.id in self.items
                ),
                key=lambda entry: (entry[0], entry[1]),
            )
            reasons = tuple(result for _, _, result in candidates[:REASONS_PER_MOVE])
            first = bool(self.priority.intersection(move.dimensions))
            ranked = RankedMove(move, as_float(score), reasons, handoff=first)
            entries.append((first, score, position, ranked))
        # Handoff moves first when the sides disagree on it; then weakest first; moves
        # with no scored dimension last; ties in catalogue order.
        entries.sort(
            key=lambda entry: (
                not entry[0],
                entry[1] is None,
                entry[1] if entry[1] is not None else Fraction(0),
                entry[2],
            )
        )
        return tuple(ranked for _, _, _, ranked in entries)
