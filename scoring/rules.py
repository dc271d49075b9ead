"""How answers become a placement, perception gaps and ranked next steps.

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
  needs both sides. Each side is also placed on its own (its **side type**).
* **Bands** apply to the unrounded score: each type covers ``[lower, upper)``;
  the top type also includes 100.
* **Intervals** (95 %): a respondent's own score is the mean of their scored
  answers (whole bank, or one dimension). A side's interval is its score ±
  t(0.975, n − 1) × 20 × s / √n, where n is the number of its counted
  respondents and s the standard deviation of their own whole-bank scores.
  The organisation's interval is its score ± t × ½ √(se_m² + se_s²), with the
  Welch–Satterthwaite degrees of freedom. Intervals are clipped to 20–100.
  When the organisation's interval reaches into more than one band, the
  placement is **unsettled** and :attr:`AssessmentResult.likely_types` lists
  every band it touches.
* **Perception gap** = marketing mean − sales mean, per item (1–5 scale) and per
  dimension (20–100 scale). A gap is **flagged** only when it is large
  (``|gap| ≥ 1.0`` on the 1–5 scale, 20 points for a dimension) *and* unlikely
  to be noise: Welch's t-test per item (from the answer tallies) and per
  dimension (from the respondents' own dimension scores), with the
  Benjamini–Hochberg adjustment across the bank's tested items (and, as a
  second family, across its dimensions), flagged when the adjusted p-value is
  below 0.10. For items, each side's variances are first moderated towards a
  prior fitted across all that side's shown items (Smyth's empirical-Bayes
  "moderated t", :func:`scoring.statistics.variance_prior`): with a handful of
  answers, one item's own variance is a poor estimate. A side whose values are
  all equal is tested as if one answer had been a point off (variance ``1/n``;
  see :func:`scoring.statistics.variance_floor`). A test needs two values per
  side.
* **Spread**: a side's standard deviation for an item is given only when at
  least twice the threshold of its people answered the item. With five answers
  on a 1–5 scale, the mean and the standard deviation together pin down the
  exact set of answers in 79 of the 126 possible cases.
* **Next steps** follow the advisor's verdict (``scoring.advisor``): *move up* —
  the moves of the transition to the next type; *stay* — the moves of the
  transition *into* the current type, to strengthen it; *undecided* — both.
  Each list is ranked by the combined score (mean of both sides) of the
  dimensions a move addresses, weakest first; moves with no scored dimension
  go last; ties keep catalogue order. A move's reasons are the two items of
  those dimensions with the lowest combined mean, ties in bank order.
* **Anonymity threshold**: a side with fewer counted responses than the
  threshold is hidden. Nothing about its answers is returned, so no
  organisation score, gap or move either; the result says how many more
  responses the side needs. Likewise an item that fewer than ``threshold`` of
  a visible side's counted responses answered (the others said "don't know")
  counts as unanswered by that side. A side whose every item is hidden that
  way has the status :attr:`SideStatus.NO_ITEM_SHOWN`.

Means, gaps and orderings use exact fractions (bank order as the last key), so
band edges, the 1.0 flag and tie-breaks never depend on floating-point
rounding; only p-values and interval ends are floats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from types import MappingProxyType

from scoring.advisor import Context, Verdict, advise
from scoring.funnel import funnel_map
from scoring.gaps import dimension_results, item_results
from scoring.model import Bank, RelationshipType, Response, Side
from scoring.moves import Ranking
from scoring.original import original_score
from scoring.policy import (
    COUNTED_SHARE,
    DEFAULT_THRESHOLD,
    FALSE_DISCOVERY_RATE,
    FLAG_GAP,
    INTERVAL_LEVEL,
    REASONS_PER_MOVE,
    SCALE_FACTOR,
    SCORE_UNIT,
    SPREAD_THRESHOLD_FACTOR,
    WHOLE_BANK,
)
from scoring.results import (
    AssessmentResult,
    DimensionResult,
    ItemResult,
    NextSteps,
    OwnView,
    RankedMove,
    SideStatus,
    SideSummary,
    Status,
)
from scoring.sides import (
    Scored,
    as_float,
    likely_types,
    organisation_interval,
    place_score,
    score_side,
)
from scoring.statistics import Interval
from scoring.tallies import (
    ItemTally,
    RespondentTally,
    Tallies,
    answered_count,
    is_counted,
    respondent_scores,
    scored_value,
    tally_responses,
)

# The rules read as one module: what the pieces above hold is part of its interface.
__all__ = [
    "COUNTED_SHARE",
    "DEFAULT_THRESHOLD",
    "FALSE_DISCOVERY_RATE",
    "FLAG_GAP",
    "INTERVAL_LEVEL",
    "REASONS_PER_MOVE",
    "SCALE_FACTOR",
    "SCORE_UNIT",
    "SPREAD_THRESHOLD_FACTOR",
    "WHOLE_BANK",
    "AssessmentResult",
    "DimensionResult",
    "ItemResult",
    "ItemTally",
    "NextSteps",
    "OwnView",
    "Placement",
    "RankedMove",
    "RespondentTally",
    "SideStatus",
    "SideSummary",
    "Status",
    "Tallies",
    "answered_count",
    "is_counted",
    "own_view",
    "place_organisation",
    "place_score",
    "respondent_scores",
    "score_assessment",
    "score_responses",
    "scored_value",
    "tally_responses",
]


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
class Placement:
    """Where both sides together place the organisation (all ``None`` while waiting)."""

    score: Fraction | None = None
    type: RelationshipType | None = None
    interval: Interval | None = None
    likely: tuple[RelationshipType, ...] = ()
    sides_apart: int | None = None


def _place(bank: Bank, sides: Mapping[Side, Scored]) -> Placement:
    scores = {side: s.score for side, s in sides.items() if s.score is not None}
    if len(scores) < len(Side):
        return Placement()
    score = (scores[Side.MARKETING] + scores[Side.SALES]) / 2
    placement = place_score(bank, score)
    interval = organisation_interval(bank, score, sides)
    marketing_type, sales_type = (sides[side].summary.type for side in Side)
    assert marketing_type is not None and sales_type is not None
    return Placement(
        score=score,
        type=placement,
        interval=interval,
        likely=likely_types(bank, placement, interval),
        sides_apart=abs(bank.type_index(marketing_type.id) - bank.type_index(sales_type.id)),
    )


def place_organisation(
    bank: Bank, tallies: Tallies, *, threshold: int = DEFAULT_THRESHOLD
) -> Placement:
    """The placement :func:`score_assessment` gives, without the rest of the result.

    What a wave's stored summary holds; worked out each time a side is released, so it
    skips the items' and dimensions' tests, the advice and the moves.
    """
    if threshold < 1:
        raise ValueError("the anonymity threshold must be at least 1")
    return _place(bank, {side: score_side(bank, tallies, side, threshold) for side in Side})


def _steps(
    bank: Bank, placement: RelationshipType | None, verdict: Verdict | None, ranked: Ranking
) -> tuple[NextSteps | None, tuple[RankedMove, ...], tuple[RankedMove, ...]]:
    """Which lists the next steps hold, the moves up, and the moves that strengthen."""
    if placement is None:
        return None, (), ()
    next_steps = _next_steps(verdict)
    moves: tuple[RankedMove, ...] = ()
    strengthening: tuple[RankedMove, ...] = ()
    if next_steps in (NextSteps.MOVE_UP, NextSteps.BOTH):
        moves = ranked.moves_from(placement.id)
    index = bank.type_index(placement.id)
    if next_steps in (NextSteps.STRENGTHEN, NextSteps.BOTH) and index > 0:
        strengthening = ranked.moves_from(bank.types[index - 1].id)
    return next_steps, moves, strengthening


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

    sides = {side: score_side(bank, tallies, side, threshold) for side in Side}
    placement = _place(bank, sides)
    stats = {side: s.stats for side, s in sides.items()}
    items = item_results(bank, stats, tallies, sides)
    dimensions, combined_dimensions = dimension_results(bank, stats, tallies, threshold)
    combined_items = {
        item.id: (stats[Side.MARKETING][item.id].mean + stats[Side.SALES][item.id].mean) / 2
        for item in bank.items
        if item.id in stats[Side.MARKETING] and item.id in stats[Side.SALES]
    }
    advice = advise(bank, placement.type, context)
    visible = {side: s.summary.visible for side, s in sides.items()}
    funnel = funnel_map(bank, tallies.funnel, threshold=threshold, visible=visible)
    priority: frozenset[str] = frozenset()
    if funnel is not None and funnel.handoff_apart and bank.funnel is not None:
        priority = frozenset(bank.funnel.related_dimensions)
    ranked = Ranking(bank, combined_dimensions, combined_items, items, priority)
    next_steps, moves, strengthening = _steps(bank, placement.type, advice.verdict, ranked)
    return AssessmentResult(
        status=Status.PLACED if placement.type is not None else Status.WAITING,
        threshold=threshold,
        sides=MappingProxyType({side: s.summary for side, s in sides.items()}),
        missing_sides=tuple(side for side in Side if sides[side].summary.counted == 0),
        score=as_float(placement.score),
        type=placement.type,
        dimensions=dimensions,
        items=items,
        next_type=bank.next_type(placement.type.id) if placement.type is not None else None,
        moves=moves,
        advice=advice,
        strengthening=strengthening,
        next_steps=next_steps,
        score_interval=placement.interval,
        likely_types=placement.likely,
        sides_apart=placement.sides_apart,
        original=original_score(bank, stats),
        funnel=funnel,
    )


def _next_steps(verdict: Verdict | None) -> NextSteps:
    if verdict is Verdict.MOVE_UP:
        return NextSteps.MOVE_UP
    if verdict is Verdict.STAY:
        return NextSteps.STRENGTHEN
    return NextSteps.BOTH
