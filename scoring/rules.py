"""How answers become a placement, perception gaps and ranked moves.

The rules, exactly:

* An answer is 1–5 (strongly disagree … strongly agree) or "don't know"
  (``None``), which is left out. A reverse item's value ``v`` scores ``6 − v``.
* A response **counts** only if at least two thirds of the bank's items have a
  1–5 answer. Other responses are kept, left out of every score and counted as
  excluded.
* **Item mean** per side: the mean of the scored values of that side's counted
  responses that answered the item. **Side score** = 20 × the mean of the
  side's item means (a 20–100 scale). **Dimension score** per side = 20 × the
  mean of the side's item means in that dimension.
* **Organisation score** = the mean of the marketing and the sales side score,
  so a large sales force does not drown out a small marketing team. Placement
  needs both sides.
* **Bands** apply to the unrounded score: each type covers ``[lower, upper)``;
  the top type also includes 100.
* **Perception gap** = marketing mean − sales mean, per item (1–5 scale) and per
  dimension (20–100 scale). An item is flagged when ``|gap| ≥ 1.0``. Each
  side's sample standard deviation per item is reported too.
* **Moves**: every move of the transition to the next type up (none at the top),
  ranked by the combined score (mean of both sides) of the dimensions it
  addresses, weakest first; its reasons are the two lowest-scoring items of
  those dimensions.
* **Anonymity threshold**: a side with fewer counted responses than the
  threshold is hidden. Nothing about its answers is returned, so no
  organisation score, gap or move either; the result says how many more
  responses the side needs. Likewise an item that fewer than ``threshold`` of
  a visible side's counted responses answered (the others said "don't know")
  counts as unanswered by that side: its mean would be those few people's
  answers.

Means are computed with exact fractions, so band edges and the 1.0 flag are
not at the mercy of floating-point rounding.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from scoring.advisor import Advice, Context, advise
from scoring.model import (
    HIGHEST_ANSWER,
    LOWEST_ANSWER,
    Bank,
    Dimension,
    Item,
    Move,
    RelationshipType,
    Response,
    Side,
)

DEFAULT_THRESHOLD = 5
#: A response counts when at least this share of the bank's items has a 1–5 answer.
COUNTED_SHARE = Fraction(2, 3)
#: An item is flagged when the sides' means differ by at least this much (1–5 scale).
FLAG_GAP = Fraction(1)
#: Side and dimension scores are item means (1–5) times this (20–100).
SCALE_FACTOR = 20
REASONS_PER_MOVE = 2


class Status(StrEnum):
    PLACED = "placed"
    WAITING = "waiting"


@dataclass(frozen=True)
class ItemTally:
    """The raw 1–5 answers one side's counted responses gave to one item."""

    count: int = 0
    total: int = 0
    total_squares: int = 0

    def add(self, value: int) -> ItemTally:
        return ItemTally(self.count + 1, self.total + value, self.total_squares + value * value)


@dataclass(frozen=True)
class Tallies:
    """Everything scoring needs to know about an assessment's answers.

    ``items`` maps (side, item id) to the tally of counted responses; ``counted``
    and ``excluded`` count responses per side. The web shell fills this from one
    SQL ``GROUP BY``; :func:`tally_responses` fills it from plain responses.
    """

    items: Mapping[tuple[Side, str], ItemTally]
    counted: Mapping[Side, int]
    excluded: Mapping[Side, int]


@dataclass(frozen=True)
class SideSummary:
    side: Side
    counted: int
    excluded: int
    visible: bool
    #: How many more counted responses the side needs before it is shown.
    needed: int
    score: float | None


@dataclass(frozen=True)
class ItemResult:
    item: Item
    marketing_mean: float | None
    sales_mean: float | None
    marketing_sd: float | None
    sales_sd: float | None
    gap: float | None
    flagged: bool

    def mean(self, side: Side) -> float | None:
        return self.marketing_mean if side is Side.MARKETING else self.sales_mean

    def sd(self, side: Side) -> float | None:
        return self.marketing_sd if side is Side.MARKETING else self.sales_sd


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    marketing: float | None
    sales: float | None
    combined: float | None
    gap: float | None

    def score(self, side: Side) -> float | None:
        return self.marketing if side is Side.MARKETING else self.sales


@dataclass(frozen=True)
class RankedMove:
    move: Move
    #: Combined score of the dimensions the move addresses (lower = more needed).
    score: float | None
    #: The lowest-scoring items in those dimensions, weakest first.
    reasons: tuple[ItemResult, ...]


@dataclass(frozen=True)
class AssessmentResult:
    status: Status
    threshold: int
    sides: Mapping[Side, SideSummary]
    #: Sides with no counted response at all.
    missing_sides: tuple[Side, ...]
    score: float | None
    type: RelationshipType | None
    dimensions: tuple[DimensionResult, ...]
    items: tuple[ItemResult, ...]
    next_type: RelationshipType | None
    moves: tuple[RankedMove, ...]
    advice: Advice

    @property
    def is_placed(self) -> bool:
        return self.status is Status.PLACED

    @property
    def hidden_sides(self) -> tuple[Side, ...]:
        return tuple(side for side in Side if not self.sides[side].visible)

    @property
    def flagged_items(self) -> tuple[ItemResult, ...]:
        return tuple(item for item in self.items if item.flagged)


@dataclass(frozen=True)
class OwnView:
    """What one respondent's answers alone say (shown to that respondent only)."""

    counted: bool
    score: float | None
    type: RelationshipType | None


# --- single responses -------------------------------------------------------


def scored_value(item: Item, value: int) -> int:
    """The value an answer scores: reverse items turn ``v`` into ``6 − v``."""
    if not LOWEST_ANSWER <= value <= HIGHEST_ANSWER:
        raise ValueError(f"answer {value!r} to {item.id!r} is outside 1–5")
    return LOWEST_ANSWER + HIGHEST_ANSWER - value if item.reverse else value


def _check_scale(bank: Bank, response: Response) -> None:
    for item in bank.items:
        value = response.answers.get(item.id)
        if value is not None and not LOWEST_ANSWER <= value <= HIGHEST_ANSWER:
            raise ValueError(f"answer {value!r} to {item.id!r} is outside 1–5")


def answered_count(bank: Bank, response: Response) -> int:
    """How many of the bank's items the response answers with a 1–5 value.

    Raises ``ValueError`` for a value outside the scale, whether or not the
    response would count: bad data is never quietly filed as "excluded".
    """
    _check_scale(bank, response)
    return sum(1 for item in bank.items if response.answers.get(item.id) is not None)


def is_counted(bank: Bank, response: Response) -> bool:
    """Whether the response answers at least two thirds of the bank's items."""
    return bool(bank.items) and answered_count(bank, response) >= COUNTED_SHARE * len(bank.items)


def place_score(bank: Bank, score: float | Fraction) -> RelationshipType:
    """The relationship type whose band holds ``score`` (unrounded)."""
    for relationship_type in bank.types:
        if Fraction(relationship_type.lower) <= score < Fraction(relationship_type.upper):
            return relationship_type
    top = bank.types[-1]
    if score == Fraction(top.upper):
        return top
    raise ValueError(f"score {score} lies outside every band")


def own_view(bank: Bank, response: Response) -> OwnView:
    """The type and score one response's answers alone give."""
    values = [
        scored_value(item, value)
        for item in bank.items
        if (value := response.answers.get(item.id)) is not None
    ]
    if not values:
        return OwnView(counted=False, score=None, type=None)
    score = SCALE_FACTOR * Fraction(sum(values), len(values))
    return OwnView(
        counted=is_counted(bank, response), score=float(score), type=place_score(bank, score)
    )


# --- many responses ----------------------------------------------------------


def tally_responses(bank: Bank, responses: Iterable[Response]) -> Tallies:
    """Sum up raw responses the same way the database aggregation does."""
    items: dict[tuple[Side, str], ItemTally] = {}
    counted = dict.fromkeys(Side, 0)
    excluded = dict.fromkeys(Side, 0)
    for response in responses:
        if not is_counted(bank, response):
            excluded[response.side] += 1
            continue
        counted[response.side] += 1
        for item in bank.items:
            value = response.answers.get(item.id)
            if value is None:
                continue
            key = (response.side, item.id)
            items[key] = items.get(key, ItemTally()).add(value)
    return Tallies(
        items=MappingProxyType(items),
        counted=MappingProxyType(counted),
        excluded=MappingProxyType(excluded),
    )


def score_responses(
    bank: Bank,
    responses: Iterable[Response],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    context: Context | None = None,
) -> AssessmentResult:
    """Score plain responses: :func:`tally_responses` then :func:`score_assessment`."""
    return score_assessment(
        bank, tally_responses(bank, responses), threshold=threshold, context=context
    )


@dataclass(frozen=True)
class _ItemStats:
    mean: Fraction
    sd: float | None


def _item_stats(item: Item, tally: ItemTally | None, threshold: int) -> _ItemStats | None:
    if tally is None or tally.count < max(threshold, 1):
        return None
    raw_mean = Fraction(tally.total, tally.count)
    mean = LOWEST_ANSWER + HIGHEST_ANSWER - raw_mean if item.reverse else raw_mean
    sd: float | None = None
    if tally.count > 1:
        # Sample variance from the sums; reversing a scale does not change it.
        squares = Fraction(tally.total_squares) - Fraction(tally.total * tally.total, tally.count)
        sd = math.sqrt(max(squares, Fraction(0)) / (tally.count - 1))
    return _ItemStats(mean=mean, sd=sd)


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def score_assessment(
    bank: Bank,
    tallies: Tallies,
    *,
    threshold: int = DEFAULT_THRESHOLD,
    context: Context | None = None,
) -> AssessmentResult:
    """Place an organisation from its tallies, hiding any side under ``threshold``."""
    if threshold < 1:
        raise ValueError("the anonymity threshold must be at least 1")

    summaries: dict[Side, SideSummary] = {}
    stats: dict[Side, dict[str, _ItemStats]] = {}
    side_scores: dict[Side, Fraction] = {}
    for side in Side:
        counted = tallies.counted.get(side, 0)
        visible = counted >= threshold
        side_stats: dict[str, _ItemStats] = {}
        if visible:
            for item in bank.items:
                item_stats = _item_stats(item, tallies.items.get((side, item.id)), threshold)
                if item_stats is not None:
                    side_stats[item.id] = item_stats
        stats[side] = side_stats
        side_mean = _mean([s.mean for s in side_stats.values()])
        if side_mean is not None:
            side_scores[side] = SCALE_FACTOR * side_mean
        summaries[side] = SideSummary(
            side=side,
            counted=counted,
            excluded=tallies.excluded.get(side, 0),
            visible=visible,
            needed=max(threshold - counted, 0),
            score=_as_float(side_scores.get(side)),
        )

    placed = len(side_scores) == len(Side)
    organisation_score = (
        _mean([side_scores[Side.MARKETING], side_scores[Side.SALES]]) if placed else None
    )
    placement = place_score(bank, organisation_score) if organisation_score is not None else None

    items = tuple(_item_result(item, stats) for item in bank.items)
    dimensions = tuple(_dimension_result(bank, dimension, stats) for dimension in bank.dimensions)
    next_type = bank.next_type(placement.id) if placement is not None else None
    moves = _rank_moves(bank, placement, dimensions, items) if placement is not None else ()

    return AssessmentResult(
        status=Status.PLACED if placed else Status.WAITING,
        threshold=threshold,
        sides=MappingProxyType(summaries),
        missing_sides=tuple(side for side in Side if summaries[side].counted == 0),
        score=_as_float(organisation_score),
        type=placement,
        dimensions=dimensions,
        items=items,
        next_type=next_type,
        moves=moves,
        advice=advise(bank, placement, context),
    )


def _item_result(item: Item, stats: Mapping[Side, Mapping[str, _ItemStats]]) -> ItemResult:
    marketing = stats[Side.MARKETING].get(item.id)
    sales = stats[Side.SALES].get(item.id)
    gap = marketing.mean - sales.mean if marketing is not None and sales is not None else None
    return ItemResult(
        item=item,
        marketing_mean=_as_float(marketing.mean if marketing else None),
        sales_mean=_as_float(sales.mean if sales else None),
        marketing_sd=marketing.sd if marketing else None,
        sales_sd=sales.sd if sales else None,
        gap=_as_float(gap),
        flagged=gap is not None and abs(gap) >= FLAG_GAP,
    )


def _dimension_result(
    bank: Bank, dimension: Dimension, stats: Mapping[Side, Mapping[str, _ItemStats]]
) -> DimensionResult:
    scores: dict[Side, Fraction | None] = {}
    for side in Side:
        means = [
            stats[side][item.id].mean
            for item in bank.items_in(dimension.id)
            if item.id in stats[side]
        ]
        side_mean = _mean(means)
        scores[side] = SCALE_FACTOR * side_mean if side_mean is not None else None
    marketing, sales = scores[Side.MARKETING], scores[Side.SALES]
    combined = gap = None
    if marketing is not None and sales is not None:
        combined, gap = (marketing + sales) / 2, marketing - sales
    return DimensionResult(
        dimension=dimension,
        marketing=_as_float(marketing),
        sales=_as_float(sales),
        combined=_as_float(combined),
        gap=_as_float(gap),
    )


def _combined_item_mean(result: ItemResult) -> float | None:
    if result.marketing_mean is None or result.sales_mean is None:
        return None
    return (result.marketing_mean + result.sales_mean) / 2


def _rank_moves(
    bank: Bank,
    placement: RelationshipType,
    dimensions: Sequence[DimensionResult],
    items: Sequence[ItemResult],
) -> tuple[RankedMove, ...]:
    combined_by_dimension = {d.dimension.id: d.combined for d in dimensions}
    ranked: list[RankedMove] = []
    for move in bank.moves:
        if move.from_type != placement.id:
            continue
        scores = [s for d in move.dimensions if (s := combined_by_dimension.get(d)) is not None]
        candidates = [
            (mean, index, result)
            for index, result in enumerate(items)
            if result.item.dimension in move.dimensions
            and (mean := _combined_item_mean(result)) is not None
        ]
        candidates.sort(key=lambda entry: (entry[0], entry[1]))
        ranked.append(
            RankedMove(
                move=move,
                score=sum(scores) / len(scores) if scores else None,
                reasons=tuple(result for _, _, result in candidates[:REASONS_PER_MOVE]),
            )
        )
    # Weakest first; moves with no scored dimension go last; ties keep catalogue order.
    ranked.sort(key=lambda m: (m.score is None, m.score if m.score is not None else 0.0))
    return tuple(ranked)
