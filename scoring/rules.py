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

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from fractions import Fraction
from types import MappingProxyType

from scoring.advisor import Advice, Context, Verdict, advise
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
from scoring.statistics import (
    Interval,
    Sample,
    benjamini_hochberg,
    t_interval,
    variance_prior,
    welch_test,
)

DEFAULT_THRESHOLD = 5
#: A response counts when at least this share of the bank's items has a 1–5 answer.
COUNTED_SHARE = Fraction(2, 3)
#: An item is flagged only when the sides' means differ by at least this much (1–5 scale).
FLAG_GAP = Fraction(1)
#: Side and dimension scores are item means (1–5) times this (20–100).
SCALE_FACTOR = 20
REASONS_PER_MOVE = 2
#: Respondent scores are stored as integers: this many units per point of the 1–5 scale.
SCORE_UNIT = 1_000_000
#: The scope of a respondent's score over the whole bank (other scopes are dimension ids).
WHOLE_BANK = ""
#: The coverage of the intervals.
INTERVAL_LEVEL = 0.95
#: The false-discovery rate at which gaps are flagged (Benjamini–Hochberg).
FALSE_DISCOVERY_RATE = 0.10
#: A side's standard deviation is shown from this many times the threshold of answers.
SPREAD_THRESHOLD_FACTOR = 2


class Status(StrEnum):
    PLACED = "placed"
    WAITING = "waiting"


class SideStatus(StrEnum):
    """Why a side is, or is not, shown."""

    SHOWN = "shown"
    #: Fewer counted responses than the threshold (possibly none).
    TOO_FEW_RESPONSES = "too_few_responses"
    #: Enough responses, but every item was answered by fewer than the threshold.
    NO_ITEM_SHOWN = "no_item_shown"


class NextSteps(StrEnum):
    """Which lists of moves the next steps hold, following the advisor's verdict."""

    MOVE_UP = "move_up"
    STRENGTHEN = "strengthen"
    BOTH = "both"


@dataclass(frozen=True)
class ItemTally:
    """One side's counted responses to one item.

    ``count``, ``total`` and ``total_squares`` sum the raw 1–5 answers;
    ``dont_know`` counts the responses that said "don't know" (or left it blank).
    """

    count: int = 0
    total: int = 0
    total_squares: int = 0
    dont_know: int = 0

    def add(self, value: int) -> ItemTally:
        return ItemTally(
            self.count + 1, self.total + value, self.total_squares + value * value, self.dont_know
        )

    def add_dont_know(self) -> ItemTally:
        return ItemTally(self.count, self.total, self.total_squares, self.dont_know + 1)


@dataclass(frozen=True)
class RespondentTally:
    """Respondents' own scores for one scope, in integer :data:`SCORE_UNIT` units."""

    count: int = 0
    total: int = 0
    total_squares: int = 0

    def add(self, score: int) -> RespondentTally:
        return RespondentTally(self.count + 1, self.total + score, self.total_squares + score**2)


@dataclass(frozen=True)
class Tallies:
    """Everything scoring needs to know about an assessment's answers.

    ``items`` maps (side, item id) to the tally of counted responses; ``counted``
    and ``excluded`` count responses per side; ``respondents`` maps (side,
    scope) to the tally of the counted respondents' own scores, where the scope
    is :data:`WHOLE_BANK` or a dimension id (see :func:`respondent_scores`).
    Without ``respondents`` there are no intervals and no dimension gap is
    flagged. The web shell fills this from the database; :func:`tally_responses`
    fills it from plain responses.
    """

    items: Mapping[tuple[Side, str], ItemTally]
    counted: Mapping[Side, int]
    excluded: Mapping[Side, int]
    respondents: Mapping[tuple[Side, str], RespondentTally] = field(
        # A plain dict, so tallies built by hand stay copyable; nothing here changes it.
        default_factory=dict
    )


@dataclass(frozen=True)
class SideSummary:
    side: Side
    counted: int
    excluded: int
    #: Whether the side reached the threshold (its score may still be missing).
    visible: bool
    #: How many more counted responses the side needs before it is shown.
    needed: int
    score: float | None
    status: SideStatus = SideStatus.TOO_FEW_RESPONSES
    #: The type this side's own score falls in.
    type: RelationshipType | None = None
    interval: Interval | None = None


@dataclass(frozen=True)
class ItemResult:
    item: Item
    marketing_mean: float | None
    sales_mean: float | None
    #: Given only from :data:`SPREAD_THRESHOLD_FACTOR` × threshold answers.
    marketing_sd: float | None
    sales_sd: float | None
    gap: float | None
    #: Large enough (``|gap| ≥ 1.0``) and unlikely to be noise.
    flagged: bool
    #: ``|gap| ≥ 1.0``, whether or not the difference could be noise.
    large_gap: bool = False
    #: How many of the side's counted responses answered 1–5 (``None`` for a hidden side).
    marketing_answered: int | None = None
    sales_answered: int | None = None
    #: How many said "don't know" (``None`` for a hidden side).
    marketing_dont_know: int | None = None
    sales_dont_know: int | None = None
    #: Welch's p-value and its Benjamini–Hochberg adjustment. Not for display: with
    #: the means and counts they can give away a spread the threshold rule hides.
    p_value: float | None = None
    q_value: float | None = None

    def mean(self, side: Side) -> float | None:
        return self.marketing_mean if side is Side.MARKETING else self.sales_mean

    def sd(self, side: Side) -> float | None:
        return self.marketing_sd if side is Side.MARKETING else self.sales_sd

    def answered(self, side: Side) -> int | None:
        return self.marketing_answered if side is Side.MARKETING else self.sales_answered

    def dont_know(self, side: Side) -> int | None:
        return self.marketing_dont_know if side is Side.MARKETING else self.sales_dont_know

    def dont_know_share(self, side: Side) -> float | None:
        """The share of the side's counted responses that said "don't know" to the item."""
        answered, dont_know = self.answered(side), self.dont_know(side)
        if answered is None or dont_know is None or answered + dont_know == 0:
            return None
        return dont_know / (answered + dont_know)


@dataclass(frozen=True)
class DimensionResult:
    dimension: Dimension
    marketing: float | None
    sales: float | None
    combined: float | None
    gap: float | None
    #: Large enough (``|gap| ≥ 20`` points) and unlikely to be noise.
    flagged: bool = False
    #: ``|gap| ≥ 20`` points, whether or not the difference could be noise.
    large_gap: bool = False
    p_value: float | None = None
    q_value: float | None = None

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
    #: The moves towards the next type, when the next steps include moving up.
    moves: tuple[RankedMove, ...]
    advice: Advice
    #: The moves into the current type that strengthen it, when the advice is to stay
    #: (or undecided).
    strengthening: tuple[RankedMove, ...] = ()
    #: Which lists the next steps hold; ``None`` while waiting.
    next_steps: NextSteps | None = None
    score_interval: Interval | None = None
    #: Every type the organisation's interval touches, lowest first (just ``type`` when
    #: the interval lies in one band or is unknown; empty while waiting).
    likely_types: tuple[RelationshipType, ...] = ()
    #: How many bands apart the two sides' own types lie (``None`` unless both are placed).
    sides_apart: int | None = None

    @property
    def is_placed(self) -> bool:
        return self.status is Status.PLACED

    @property
    def hidden_sides(self) -> tuple[Side, ...]:
        return tuple(side for side in Side if not self.sides[side].visible)

    @property
    def flagged_items(self) -> tuple[ItemResult, ...]:
        return tuple(item for item in self.items if item.flagged)

    @property
    def flagged_dimensions(self) -> tuple[DimensionResult, ...]:
        return tuple(dimension for dimension in self.dimensions if dimension.flagged)

    @property
    def placement_settled(self) -> bool:
        """Whether the organisation's interval stays within the band of its type."""
        return len(self.likely_types) <= 1


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


def respondent_scores(bank: Bank, response: Response) -> dict[str, int]:
    """One respondent's own scores, in :data:`SCORE_UNIT` units of the 1–5 scale.

    Keys: :data:`WHOLE_BANK` (every item) and each dimension id; a scope the
    respondent answered no item of is left out. A score is
    ``round(Fraction(sum of scored values, number answered) × SCORE_UNIT)``
    (Python's exact half-to-even rounding), so the database and this function
    agree to the unit.
    """
    totals: dict[str, list[int]] = {}
    for item in bank.items:
        value = response.answers.get(item.id)
        if value is None:
            continue
        scored = scored_value(item, value)
        for scope in (WHOLE_BANK, item.dimension):
            entry = totals.setdefault(scope, [0, 0])
            entry[0] += scored
            entry[1] += 1
    ordered = [WHOLE_BANK, *(dimension.id for dimension in bank.dimensions)]
    return {
        scope: round(Fraction(totals[scope][0], totals[scope][1]) * SCORE_UNIT)
        for scope in ordered
        if scope in totals
    }


# --- many responses ----------------------------------------------------------


def tally_responses(bank: Bank, responses: Iterable[Response]) -> Tallies:
    """Sum up raw responses the same way the database aggregation does."""
    items: dict[tuple[Side, str], ItemTally] = {}
    respondents: dict[tuple[Side, str], RespondentTally] = {}
    counted = dict.fromkeys(Side, 0)
    excluded = dict.fromkeys(Side, 0)
    for response in responses:
        if not is_counted(bank, response):
            excluded[response.side] += 1
            continue
        counted[response.side] += 1
        for item in bank.items:
            value = response.answers.get(item.id)
            key = (response.side, item.id)
            tally = items.get(key, ItemTally())
            items[key] = tally.add_dont_know() if value is None else tally.add(value)
        for scope, score in respondent_scores(bank, response).items():
            scope_key = (response.side, scope)
            respondents[scope_key] = respondents.get(scope_key, RespondentTally()).add(score)
    return Tallies(
        items=MappingProxyType(items),
        counted=MappingProxyType(counted),
        excluded=MappingProxyType(excluded),
        respondents=MappingProxyType(respondents),
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


# --- the exact internals -------------------------------------------------------


@dataclass(frozen=True)
class _ItemStats:
    """One visible side's exact view of one item whose mean may be shown."""

    mean: Fraction
    sd: float | None
    sample: Sample


def _item_stats(item: Item, tally: ItemTally | None, threshold: int) -> _ItemStats | None:
    if tally is None or tally.count < max(threshold, 1):
        return None
    sample = Sample(tally.count, tally.total, tally.total_squares)
    raw_mean = sample.mean
    mean = LOWEST_ANSWER + HIGHEST_ANSWER - raw_mean if item.reverse else raw_mean
    sd: float | None = None
    variance = sample.variance  # reversing a scale does not change it
    if variance is not None and tally.count >= SPREAD_THRESHOLD_FACTOR * threshold:
        sd = math.sqrt(variance)
    return _ItemStats(mean=mean, sd=sd, sample=sample)


def _mean(values: Sequence[Fraction]) -> Fraction | None:
    return sum(values, Fraction(0)) / len(values) if values else None


def _as_float(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True)
class _Side:
    summary: SideSummary
    stats: Mapping[str, _ItemStats]
    score: Fraction | None
    #: The variance of the side score's estimate (20–100 scale, squared), and its n.
    error_variance: Fraction | None
    respondents: int


def _respondent_sample(tallies: Tallies, side: Side, scope: str, threshold: int) -> Sample | None:
    tally = tallies.respondents.get((side, scope))
    if tally is None or tally.count < max(threshold, 2):
        return None
    return Sample(tally.count, tally.total, tally.total_squares, scale=SCORE_UNIT)


def _clipped(bank: Bank, interval: Interval) -> Interval:
    floor, ceiling = bank.types[0].lower, bank.types[-1].upper
    return Interval(max(interval.low, floor), min(interval.high, ceiling))


def _score_side(bank: Bank, tallies: Tallies, side: Side, threshold: int) -> _Side:
    counted = tallies.counted.get(side, 0)
    visible = counted >= threshold
    stats: dict[str, _ItemStats] = {}
    if visible:
        for item in bank.items:
            item_stats = _item_stats(item, tallies.items.get((side, item.id)), threshold)
            if item_stats is not None:
                stats[item.id] = item_stats
    side_mean = _mean([s.mean for s in stats.values()])
    score = SCALE_FACTOR * side_mean if side_mean is not None else None

    error_variance: Fraction | None = None
    interval: Interval | None = None
    respondents = 0
    sample = _respondent_sample(tallies, side, WHOLE_BANK, threshold)
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
        side=side,
        counted=counted,
        excluded=tallies.excluded.get(side, 0),
        visible=visible,
        needed=max(threshold - counted, 0),
        score=_as_float(score),
        status=status,
        type=place_score(bank, score) if score is not None else None,
        interval=interval,
    )
    return _Side(summary, MappingProxyType(stats), score, error_variance, respondents)


def _organisation_interval(
    bank: Bank, score: Fraction, sides: Mapping[Side, _Side]
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


def _likely_types(
    bank: Bank, placement: RelationshipType, interval: Interval | None
) -> tuple[RelationshipType, ...]:
    if interval is None:
        return (placement,)
    low = bank.type_index(place_score(bank, interval.low).id)
    high = bank.type_index(place_score(bank, interval.high).id)
    return bank.types[low : high + 1]


# --- the result ------------------------------------------------------------------


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

    sides = {side: _score_side(bank, tallies, side, threshold) for side in Side}
    side_scores = {side: s.score for side, s in sides.items() if s.score is not None}
    placed = len(side_scores) == len(Side)

    organisation_score: Fraction | None = None
    placement: RelationshipType | None = None
    interval: Interval | None = None
    likely: tuple[RelationshipType, ...] = ()
    sides_apart: int | None = None
    if placed:
        organisation_score = (side_scores[Side.MARKETING] + side_scores[Side.SALES]) / 2
        placement = place_score(bank, organisation_score)
        interval = _organisation_interval(bank, organisation_score, sides)
        likely = _likely_types(bank, placement, interval)
        marketing_type, sales_type = (sides[side].summary.type for side in Side)
        assert marketing_type is not None and sales_type is not None
        sides_apart = abs(bank.type_index(marketing_type.id) - bank.type_index(sales_type.id))

    stats = {side: s.stats for side, s in sides.items()}
    items = _item_results(bank, stats, tallies, sides)
    dimensions, combined_dimensions = _dimension_results(bank, stats, tallies, threshold)
    combined_items = {
        item.id: (stats[Side.MARKETING][item.id].mean + stats[Side.SALES][item.id].mean) / 2
        for item in bank.items
        if item.id in stats[Side.MARKETING] and item.id in stats[Side.SALES]
    }

    advice = advise(bank, placement, context)
    next_steps: NextSteps | None = None
    moves: tuple[RankedMove, ...] = ()
    strengthening: tuple[RankedMove, ...] = ()
    if placement is not None:
        next_steps = _next_steps(advice.verdict)
        ranked = _Ranking(bank, combined_dimensions, combined_items, items)
        if next_steps in (NextSteps.MOVE_UP, NextSteps.BOTH):
            moves = ranked.moves_from(placement.id)
        if next_steps in (NextSteps.STRENGTHEN, NextSteps.BOTH):
            index = bank.type_index(placement.id)
            if index > 0:
                strengthening = ranked.moves_from(bank.types[index - 1].id)

    return AssessmentResult(
        status=Status.PLACED if placed else Status.WAITING,
        threshold=threshold,
        sides=MappingProxyType({side: s.summary for side, s in sides.items()}),
        missing_sides=tuple(side for side in Side if sides[side].summary.counted == 0),
        score=_as_float(organisation_score),
        type=placement,
        dimensions=dimensions,
        items=items,
        next_type=bank.next_type(placement.id) if placement is not None else None,
        moves=moves,
        advice=advice,
        strengthening=strengthening,
        next_steps=next_steps,
        score_interval=interval,
        likely_types=likely,
        sides_apart=sides_apart,
    )


def _next_steps(verdict: Verdict | None) -> NextSteps:
    if verdict is Verdict.MOVE_UP:
        return NextSteps.MOVE_UP
    if verdict is Verdict.STAY:
        return NextSteps.STRENGTHEN
    return NextSteps.BOTH


def _large(gap: Fraction | None, limit: Fraction) -> bool:
    return gap is not None and abs(gap) >= limit


def _flagged(gap: Fraction | None, limit: Fraction, q_value: float | None) -> bool:
    return _large(gap, limit) and q_value is not None and q_value < FALSE_DISCOVERY_RATE


def _item_results(
    bank: Bank,
    stats: Mapping[Side, Mapping[str, _ItemStats]],
    tallies: Tallies,
    sides: Mapping[Side, _Side],
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
                marketing_mean=_as_float(marketing.mean if marketing else None),
                sales_mean=_as_float(sales.mean if sales else None),
                marketing_sd=marketing.sd if marketing else None,
                sales_sd=sales.sd if sales else None,
                gap=_as_float(gap),
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


def _dimension_results(
    bank: Bank,
    stats: Mapping[Side, Mapping[str, _ItemStats]],
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
            side_mean = _mean(means)
            by_side[side] = SCALE_FACTOR * side_mean if side_mean is not None else None
        scores.append(by_side)
        p_value: float | None = None
        if by_side[Side.MARKETING] is not None and by_side[Side.SALES] is not None:
            samples = [_respondent_sample(tallies, side, dimension.id, threshold) for side in Side]
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
                marketing=_as_float(marketing),
                sales=_as_float(sales),
                combined=_as_float(combined),
                gap=_as_float(gap),
                flagged=_flagged(gap, FLAG_GAP * SCALE_FACTOR, q_value),
                large_gap=_large(gap, FLAG_GAP * SCALE_FACTOR),
                p_value=p_value,
                q_value=q_value,
            )
        )
    return tuple(results), MappingProxyType(combined_by_dimension)


@dataclass(frozen=True)
class _Ranking:
    """Ranks the moves of one transition on exact combined scores."""

    bank: Bank
    #: Combined (both sides) dimension scores, 20–100, where both sides have one.
    dimensions: Mapping[str, Fraction]
    #: Combined item means, 1–5, where both sides have one.
    items: Mapping[str, Fraction]
    results: Sequence[ItemResult]

    def moves_from(self, from_type: str) -> tuple[RankedMove, ...]:
        entries: list[tuple[Fraction | None, int, RankedMove]] = []
        for position, move in enumerate(self.bank.moves):
            if move.from_type != from_type:
                continue
            scores = [self.dimensions[d] for d in move.dimensions if d in self.dimensions]
            score = _mean(scores)
            candidates = sorted(
                (
                    (self.items[result.item.id], index, result)
                    for index, result in enumerate(self.results)
                    if result.item.dimension in move.dimensions and result.item.id in self.items
                ),
                key=lambda entry: (entry[0], entry[1]),
            )
            reasons = tuple(result for _, _, result in candidates[:REASONS_PER_MOVE])
            entries.append((score, position, RankedMove(move, _as_float(score), reasons)))
        # Weakest first; moves with no scored dimension last; ties in catalogue order.
        entries.sort(
            key=lambda entry: (
                entry[0] is None,
                entry[0] if entry[0] is not None else Fraction(0),
                entry[1],
            )
        )
        return tuple(ranked for _, _, ranked in entries)
