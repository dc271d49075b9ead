"""Side scores, their intervals and the exact item statistics they rest on."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from scoring.model import HIGHEST_ANSWER, LOWEST_ANSWER, Bank, Item, RelationshipType, Side
from scoring.policy import (
    INTERVAL_LEVEL,
    SCALE_FACTOR,
    SCORE_UNIT,
    SPREAD_THRESHOLD_FACTOR,
    WHOLE_BANK,
)
from scoring.results import SideStatus, SideSummary
from scoring.statistics import Interval, Sample, t_interval
from scoring.tallies import ItemTally, Tallies


def place_score(bank: Bank, score: float | Fraction) -> RelationshipType:
    """The relationship type whose band holds ``score`` (unrounded)."""
    for relationship_type in bank.types:
        if Fraction(relationship_type.lower) <= score < Fraction(relationship_type.upper):
            return relationship_type
    top = bank.types[-1]
    if score == Fraction(top.upper):
        return top
    raise ValueError(f"score {score} lies outside every band")



@dataclass(frozen=True)
class ItemStats:
    """One visible side's exact view of one item whose mean may be shown."""

    mean: Fraction
    sd: float | None
    sample: Sample


def item_stats(item: Item, tally: ItemTally | None, threshold: int) -> ItemStats | None:
    if tally is None or tally.count < max(threshold, 1):
        return None
    sample = Sample(tally.count, tally.total, tally.total_squares)
    raw_mean = sample.mean
    mean = LOWEST_ANSWER + HIGHEST_ANSWER - raw_mean if item.reverse else raw_mean
    sd: float | None = None
    variance = sample.variance  # reversing a scale does not change it
    if variance is not None and tally.count >= SPREAD_THRESHOLD_FACTOR * threshold:
        sd = math.sqrt(variance)
    return ItemStats(mean=mean, sd=sd, sample=sample)


def mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class Scored:
    summary: SideSummary
    stats: Mapping[str, ItemStats]
    score: Fraction | None
    #: The variance of the side score's estimate (20–100 scale, squared), and its n.
    error_variance: Fraction | None
    respondents: int


def respondent_sample(tallies: Tallies, side: Side, scope: str, threshold: int) -> Sample | None:
    tally = tallies.respondents.get((side, scope))
    if tally is None or tally.count < max(threshold, 2):
        return None
    return Sample(tally.count, tally.total, tally.total_squares, scale=SCORE_UNIT)


def _clipped(bank: Bank, interval: Interval) -> Interval:
    floor, ceiling = bank.types[0].lower, bank.types[-1].upper
    return Interval(max(interval.low, floor), min(interval.high, ceiling))


def score_side(bank: Bank, tallies: Tallies, side: Side, threshold: int) -> Scored:
    counted = tallies.counted.get(side, 0)
    visible = counted >= threshold
    stats: dict[str, ItemStats] = {}
    if visible:
        for item in bank.items:
            found = item_stats(item, tallies.items.get((side, item.id)), threshold)
            if found is not None:
                stats[item.id] = found
    side_mean = mean([s.mean for s in stats.values()])
    score = SCALE_FACTOR * side_mean if side_mean is not None else None

    error_variance: Fraction | None = None
    interval: Interval | None = None
    respondents = 0
    sample = respondent_sample(tallies, side, WHOLE_BANK, threshold)
    if score is not None and sample is not None and sample.variance is not None:
        respondents = sample.count
        error_variance = SCALE_FACTOR**2 * sample.variance / sample.count
        interval = _clipped(
            bank,
            t_interval(float(score), math.sqrt(error_variance), sample.count - 1, INTERVAL_LEVEL),
        )

    if not visible:
        status = SideStatus.TOO_FEW_RESPONSES
    elif score is None:
        status = SideStatus.NO_ITEM_SHOWN
    else:
        status = SideStatus.SHOWN
    summary = SideSummary(
        counted=counted,
        excluded=tallies.excluded.get(side, 0),
        visible=visible,
        needed=max(threshold - counted, 0),
        score=as_float(score),
        status=status,
        type=place_score(bank, score) if score is not None else None,
        interval=interval,
    )
    return Scored(summary, MappingProxyType(stats), score, error_variance, respondents)


def organisation_interval(
    bank: Bank, score: Fraction, sides: Mapping[Side, Scored]
) -> Interval | None:
    marketing, sales = sides[Side.MARKETING], sides[Side.SALES]
    if marketing.error_variance is None or sales.error_variance is None:
        return None
    # The organisation score is half the sum of two independent estimates.
    combined = marketing.error_variance + sales.error_variance
    df: Fraction | None = None
    if combined > 0:
        spread = marketing.error_variance**2 / (marketing.respondents - 1)
        spread += sales.error_variance**2 / (sales.respondents - 1)
        df = combined * combined / spread
    standard_error = math.sqrt(combined) / 2
    interval = t_interval(
        float(score), standard_error, None if df is None else float(df), INTERVAL_LEVEL
    )
    return _clipped(bank, interval)


def likely_types(
    bank: Bank, placement: RelationshipType, interval: Interval | None
) -> tuple[RelationshipType, ...]:
    if interval is None:
        return (placement,)
    low = bank.type_index(place_score(bank, interval.low).id)
    high = bank.type_index(place_score(bank, interval.high).id)
    return bank.types[low : high + 1]
