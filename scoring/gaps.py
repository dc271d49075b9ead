"""Perception gaps: per item and per dimension, flagged only when large and not noise."""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from types import MappingProxyType

from scoring.model import Bank, Side
from scoring.policy import FALSE_DISCOVERY_RATE, FLAG_GAP, SCALE_FACTOR
from scoring.results import DimensionResult, ItemResult
from scoring.sides import ItemStats, Scored, as_float, mean, respondent_sample
from scoring.statistics import benjamini_hochberg, variance_prior, welch_test
from scoring.tallies import ItemTally, Tallies


def _large(gap: Fraction | None, limit: Fraction) -> bool:
    return gap is not None and abs(gap) >= limit


def _flagged(gap: Fraction | None, limit: Fraction, q_value: float | None) -> bool:
    return _large(gap, limit) and q_value is not None and q_value < FALSE_DISCOVERY_RATE


def item_results(
    bank: Bank,
    stats: Mapping[Side, Mapping[str, ItemStats]],
    tallies: Tallies,
    sides: Mapping[Side, Scored],
) -> tuple[ItemResult, ...]:
    # Each side's item variances, moderated towards what all its shown items say.
    priors = {side: variance_prior([s.sample for s in stats[side].values()]) for side in Side}
    gaps: list[Fraction | None] = []
    p_values: list[float | None] = []
    for item in bank.items:
        marketing, sales = stats[Side.MARKETING].get(item.id), stats[Side.SALES].get(item.id)
        if marketing is None or sales is None:
            gaps.append(None)
            p_values.append(None)
            continue
        gaps.append(marketing.mean - sales.mean)
        test = welch_test(
            marketing.sample, sales.sample, priors[Side.MARKETING], priors[Side.SALES]
        )
        p_values.append(test.p_value if test is not None else None)
    q_values = benjamini_hochberg(p_values)

    results = []
    for item, gap, p_value, q_value in zip(bank.items, gaps, p_values, q_values, strict=True):
        counts: dict[Side, tuple[int, int] | None] = {}
        for side in Side:
            if sides[side].summary.visible:
                tally = tallies.items.get((side, item.id), ItemTally())
                counts[side] = (tally.count, tally.dont_know)
            else:
                counts[side] = None
        marketing, sales = stats[Side.MARKETING].get(item.id), stats[Side.SALES].get(item.id)
        marketing_counts, sales_counts = counts[Side.MARKETING], counts[Side.SALES]
        results.append(
            ItemResult(
                item=item,
                marketing_mean=as_float(marketing.mean if marketing else None),
                sales_mean=as_float(sales.mean if sales else None),
                marketing_sd=marketing.sd if marketing else None,
                sales_sd=sales.sd if sales else None,
                gap=as_float(gap),
                flagged=_flagged(gap, FLAG_GAP, q_value),
                large_gap=_large(gap, FLAG_GAP),
                marketing_answered=marketing_counts[0] if marketing_counts else None,
                sales_answered=sales_counts[0] if sales_counts else None,
                marketing_dont_know=marketing_counts[1] if marketing_counts else None,
                sales_dont_know=sales_counts[1] if sales_counts else None,
                p_value=p_value,
                q_value=q_value,
            )
        )
    return tuple(results)


def dimension_results(
    bank: Bank,
    stats: Mapping[Side, Mapping[str, ItemStats]],
    tallies: Tallies,
    threshold: int,
) -> tuple[tuple[DimensionResult, ...], Mapping[str, Fraction]]:
    scores: list[dict[Side, Fraction | None]] = []
    p_values: list[float | None] = []
    for dimension in bank.dimensions:
        by_side: dict[Side, Fraction | None] = {}
        for side in Side:
            means = [
                stats[side][item.id].mean
                for item in bank.items_in(dimension.id)
                if item.id in stats[side]
            ]
            side_mean = mean(means)
            by_side[side] = SCALE_FACTOR * side_mean if side_mean is not None else None
        scores.append(by_side)
        p_value: float | None = None
        if by_side[Side.MARKETING] is not None and by_side[Side.SALES] is not None:
            samples = [respondent_sample(tallies, side, dimension.id, threshold) for side in Side]
            marketing_sample, sales_sample = samples
            if marketing_sample is not None and sales_sample is not None:
                test = welch_test(marketing_sample, sales_sample)
                p_value = test.p_value if test is not None else None
        p_values.append(p_value)
    q_values = benjamini_hochberg(p_values)

    results = []
    combined_by_dimension: dict[str, Fraction] = {}
    for dimension, by_side, p_value, q_value in zip(
        bank.dimensions, scores, p_values, q_values, strict=True
    ):
        marketing, sales = by_side[Side.MARKETING], by_side[Side.SALES]
        combined = gap = None
        if marketing is not None and sales is not None:
            combined, gap = (marketing + sales) / 2, marketing - sales
            combined_by_dimension[dimension.id] = combined
        results.append(
            DimensionResult(
                dimension=dimension,
                marketing=as_float(marketing),
                sales=as_float(sales),
                combined=as_float(combined),
                gap=as_float(gap),
                flagged=_flagged(gap, FLAG_GAP * SCALE_FACTOR, q_value),
                large_gap=_large(gap, FLAG_GAP * SCALE_FACTOR),
                p_value=p_value,
                q_value=q_value,
            )
        )
    return tuple(results), MappingProxyType(combined_by_dimension)
