"""The result of scoring an assessment: plain frozen data, ready for any shell to show."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING

from scoring.advisor import Advice
from scoring.funnel import FunnelMap
from scoring.model import Dimension, Item, Move, RelationshipType, Side
from scoring.statistics import Interval

if TYPE_CHECKING:  # original.py builds on the side scores, which import these results
    from scoring.original import OriginalScore


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
class SideSummary:
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
    #: Ranked first because the sides place the funnel's handoff at different stages.
    handoff: bool = False


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
    #: The score on the original instrument's statements (``None`` if the bank marks none).
    original: OriginalScore | None = None
    #: Who each side believes leads each funnel stage (``None`` if the bank has no funnel).
    funnel: FunnelMap | None = None

    @property
    def is_placed(self) -> bool:
        return self.status is Status.PLACED

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
