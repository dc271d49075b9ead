"""A scoring result as JSON: the body of the API's result endpoint and the types that make it.

:func:`result_to_json` builds a :class:`Result` (pydantic models, below) and dumps it;
the OpenAPI document (``survey.api.openapi``) is generated from the same models, so the
published schema is the serialiser's own and cannot drift from it.

Shape (every key always present)::

    {
      "status": "placed" | "waiting",
      "bank_version": 1,                     # the question bank the result was scored with
      "threshold": 5,
      "responses": {"marketing": {"counted": 5, "excluded": 1}, "sales": {...}},
      "score": 70.0 | null,                  # organisation score, 20–100
      "score_interval": {"low": 66.1, "high": 73.9} | null,   # 95 %, clipped to 20–100
      "type": "aligned" | null,              # bank type id of the score
      "likely_types": ["defined", "aligned"],  # every type the interval touches
      "next_type": "integrated" | null,
      "sides": {"marketing": {"score": 80.0 | null, "interval": {...} | null,
                              "type": "integrated" | null, "status": "shown",
                              "visible": true, "needed": 0}, "sales": {...}},
      "sides_apart": 1 | null,               # bands between the sides' own types
      "missing_sides": ["sales"],            # sides with no counted response
      "dimensions": [{"id", "title", "marketing", "sales", "combined", "gap", "flagged"}],
      "items": [{"id", "dimension", "reverse",
                 "marketing": {"mean", "sd", "answered", "dont_know"}, "sales": {...},
                 "gap", "flagged"}],
      "next_steps": "move_up" | "strengthen" | "both" | null,
      "moves": [{"id", "title", "action", "score",
                 "reasons": [{"item", "marketing", "sales", "gap"}],
                 "handoff": false}],           # first: the sides place the handoff apart
      "strengthening": [ same shape as "moves" ],
      "advice": {"verdict": "move_up" | "stay" | "undecided" | null,
                 "current", "next_step", "target",
                 "reasons_to_move": [text], "reasons_to_stay": [text],
                 "missing_questions": [{"id", "question"}], "context_missing": false},
      "original": {...} | null,              # the original twenty's score, see
      "funnel": {...} | null                 # survey.services.serialise_instrument
    }

Rounding, the same everywhere: numbers on the 20–100 scale (organisation,
side, dimension and move scores, interval ends, dimension gaps) to 2 decimals;
numbers on the 1–5 answer scale (item means, standard deviations, item gaps)
to 3 decimals.

Whatever the anonymity threshold hides is ``null`` (a hidden side's score,
interval, type, means, deviations and counts; every gap, the score, type and
next type while waiting) and ``moves``, ``strengthening`` and ``likely_types``
are empty while waiting. ``flagged`` is ``null`` where there is no gap. A side's
``status`` is ``shown``, ``too_few_responses`` or ``no_item_shown`` (enough
responses, but every item was answered by fewer than the threshold). An item's
standard deviation is ``null`` unless at least twice the threshold of that
side's people answered it. ``answered`` counts a side's 1–5 answers to the
item and ``dont_know`` its "don't know" answers.

``next_steps`` says which lists apply: ``move_up`` (only ``moves``, towards
``next_type``), ``strengthen`` (only ``strengthening``: moves into the current
type that strengthen it) or ``both`` (undecided advice). ``advice.verdict``,
``advice.current`` and ``advice.target`` are ``null`` while waiting; ``target``
is also ``null`` when the verdict is undecided.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field

from scoring import AssessmentResult, Bank, Interval, ItemResult, RankedMove, Side, SideSummary
from survey.services.serialise_base import MEAN_DIGITS, SCORE_DIGITS, SideName
from survey.services.serialise_base import Model as _Model
from survey.services.serialise_instrument import Funnel, Original, funnel_model, original_model


class Range(_Model):
    """A 95 % interval on the 20–100 scale, clipped to it."""

    low: float
    high: float


class Counts(_Model):
    counted: int = Field(description="Released responses that count (enough items answered)")
    excluded: int = Field(description="Released responses left out (too few items answered)")


class Responses(_Model):
    marketing: Counts
    sales: Counts


class SideResult(_Model):
    score: float | None = Field(description="The side's own score, 20–100; null while hidden")
    interval: Range | None
    type: str | None = Field(description="Bank type id of the side's own score")
    status: Literal["shown", "too_few_responses", "no_item_shown"]
    visible: bool = Field(description="Whether the side reached the anonymity threshold")
    needed: int = Field(description="Counted responses still needed before the side is shown")


class Sides(_Model):
    marketing: SideResult
    sales: SideResult


class DimensionResult(_Model):
    id: str
    title: str
    marketing: float | None
    sales: float | None
    combined: float | None
    gap: float | None = Field(description="Marketing minus sales, in points of the 20–100 scale")
    flagged: bool | None = Field(description="Large and unlikely to be chance; null without gap")


class ItemSide(_Model):
    mean: float | None = Field(description="Mean scored answer, 1–5 (reverse items turned)")
    sd: float | None = Field(description="Only from twice the threshold of answers")
    answered: int | None
    dont_know: int | None


class ItemResultModel(_Model):
    id: str
    dimension: str
    reverse: bool
    marketing: ItemSide
    sales: ItemSide
    gap: float | None = Field(description="Marketing mean minus sales mean, 1–5 scale")
    flagged: bool | None


class Reason(_Model):
    item: str
    marketing: float | None
    sales: float | None
    gap: float | None


class Move(_Model):
    id: str
    title: str
    action: str
    score: float | None = Field(description="Combined score of the areas the move addresses")
    reasons: list[Reason]
    handoff: bool = Field(
        description="Ranked first because the sides place the funnel's handoff apart"
    )


class MissingQuestion(_Model):
    id: str
    question: str


class Advice(_Model):
    verdict: Literal["move_up", "stay", "undecided"] | None
    current: str | None
    next_step: str | None
    target: str | None = Field(description="The type worth aiming for; null when undecided")
    reasons_to_move: list[str]
    reasons_to_stay: list[str]
    missing_questions: list[MissingQuestion]
    context_missing: bool


class Result(_Model):
    """The published result of a wave (released groups only)."""

    status: Literal["placed", "waiting"]
    bank_version: int
    threshold: int
    responses: Responses
    score: float | None = Field(description="Organisation score, 20–100")
    score_interval: Range | None
    type: str | None
    likely_types: list[str] = Field(description="Every type the interval touches, lowest first")
    next_type: str | None
    sides: Sides
    sides_apart: int | None = Field(description="Bands between the two sides' own types")
    missing_sides: list[SideName]
    dimensions: list[DimensionResult]
    items: list[ItemResultModel]
    next_steps: Literal["move_up", "strengthen", "both"] | None
    moves: list[Move]
    strengthening: list[Move]
    advice: Advice
    original: Original | None = Field(description="The score on the original statements alone")
    funnel: Funnel | None = Field(description="Who each side says leads each funnel stage")


class WaveCounts(_Model):
    counted: int
    excluded: int
    waiting: int = Field(description="Received since the last release; not yet in any figure")


class WaveResponses(_Model):
    marketing: WaveCounts
    sales: WaveCounts


class AssessmentInfo(_Model):
    """A wave's name and settings (the API's assessment endpoint)."""

    id: int
    organisation: str
    wave: str
    created_on: str = Field(description="ISO 8601 date")
    is_open: bool
    threshold: int
    bank_version: int
    bank_digest: str
    responses: WaveResponses


class ApiError(_Model):
    """Every error of the API; some add details (such as ``retry_after``)."""

    model_config = ConfigDict(extra="allow", frozen=True)

    error: str


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _score(value: float | None) -> float | None:
    return _round(value, SCORE_DIGITS)


def _mean(value: float | None) -> float | None:
    return _round(value, MEAN_DIGITS)


def _interval(interval: Interval | None) -> Range | None:
    if interval is None:
        return None
    return Range(low=round(interval.low, SCORE_DIGITS), high=round(interval.high, SCORE_DIGITS))


def _side(summary: SideSummary) -> SideResult:
    return SideResult(
        score=_score(summary.score),
        interval=_interval(summary.interval),
        type=summary.type.id if summary.type is not None else None,
        status=summary.status.value,
        visible=summary.visible,
        needed=summary.needed,
    )


def _item_side(result: ItemResult, side: Side) -> ItemSide:
    return ItemSide(
        mean=_mean(result.mean(side)),
        sd=_mean(result.sd(side)),
        answered=result.answered(side),
        dont_know=result.dont_know(side),
    )


def _item(result: ItemResult) -> ItemResultModel:
    return ItemResultModel(
        id=result.item.id,
        dimension=result.item.dimension,
        reverse=result.item.reverse,
        marketing=_item_side(result, Side.MARKETING),
        sales=_item_side(result, Side.SALES),
        gap=_mean(result.gap),
        flagged=None if result.gap is None else result.flagged,
    )


def _reason(result: ItemResult) -> Reason:
    return Reason(
        item=result.item.id,
        marketing=_mean(result.marketing_mean),
        sales=_mean(result.sales_mean),
        gap=_mean(result.gap),
    )


def _move(ranked: RankedMove, locale: str) -> Move:
    return Move(
        id=ranked.move.id,
        title=ranked.move.title.get(locale),
        action=ranked.move.action.get(locale),
        score=_score(ranked.score),
        reasons=[_reason(reason) for reason in ranked.reasons],
        handoff=ranked.handoff,
    )


def result_model(result: AssessmentResult, bank: Bank, locale: str = "en") -> Result:
    """The result as the API's :class:`Result`; texts in ``locale`` (English where missing)."""
    advice = result.advice
    return Result(
        status=result.status.value,
        bank_version=bank.version,
        threshold=result.threshold,
        responses=Responses(
            **{
                side.value: Counts(
                    counted=result.sides[side].counted, excluded=result.sides[side].excluded
                )
                for side in Side
            }
        ),
        score=_score(result.score),
        score_interval=_interval(result.score_interval),
        type=result.type.id if result.type is not None else None,
        likely_types=[t.id for t in result.likely_types],
        next_type=result.next_type.id if result.next_type is not None else None,
        sides=Sides(**{side.value: _side(result.sides[side]) for side in Side}),
        sides_apart=result.sides_apart,
        missing_sides=[side.value for side in result.missing_sides],
        dimensions=[
            DimensionResult(
                id=dimension.dimension.id,
                title=dimension.dimension.title.get(locale),
                marketing=_score(dimension.marketing),
                sales=_score(dimension.sales),
                combined=_score(dimension.combined),
                gap=_score(dimension.gap),
                flagged=None if dimension.gap is None else dimension.flagged,
            )
            for dimension in result.dimensions
        ],
        items=[_item(item) for item in result.items],
        next_steps=result.next_steps.value if result.next_steps is not None else None,
        moves=[_move(ranked, locale) for ranked in result.moves],
        strengthening=[_move(ranked, locale) for ranked in result.strengthening],
        advice=Advice(
            verdict=advice.verdict.value if advice.verdict is not None else None,
            current=advice.current.id if advice.current is not None else None,
            next_step=advice.next_step.id if advice.next_step is not None else None,
            target=advice.target.id if advice.target is not None else None,
            reasons_to_move=[reason.get(locale) for reason in advice.reasons_to_move],
            reasons_to_stay=[reason.get(locale) for reason in advice.reasons_to_stay],
            missing_questions=[
                MissingQuestion(id=factor.id, question=factor.question.get(locale))
                for factor in advice.missing_questions
            ],
            context_missing=advice.context_missing,
        ),
        original=original_model(result.original),
        funnel=funnel_model(result.funnel, locale),
    )


def result_to_json(result: AssessmentResult, bank: Bank, locale: str = "en") -> dict[str, Any]:
    """The result as JSON-ready data; texts in ``locale`` (English where missing)."""
    return result_model(result, bank, locale).model_dump(mode="json")
