"""What scoring needs to know about answers: per-item and per-respondent tallies.

The web shell fills :class:`Tallies` from its write-time ledgers
(``scoring.release``); :func:`tally_responses` fills it from plain responses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from scoring.model import (
    HIGHEST_ANSWER,
    LOWEST_ANSWER,
    Bank,
    Item,
    Response,
    Side,
    funnel_question,
)
from scoring.policy import COUNTED_SHARE, SCORE_UNIT, WHOLE_BANK


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
    #: (side, funnel stage id) → answer code → how many counted responses gave it
    #: (see ``scoring.funnel``); "don't know" is code 0.
    funnel: Mapping[tuple[Side, str], Mapping[int, int]] = field(default_factory=dict)


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


def rounded_ratio(numerator: int, denominator: int) -> int:
    """``round(Fraction(numerator, denominator))`` (half to even), in integers alone.

    The same value, without building a fraction: an import scores every response it
    takes in, several scopes each.
    """
    if denominator <= 0:
        raise ValueError(f"the denominator must be positive (got {denominator})")
    quotient, remainder = divmod(numerator, denominator)
    twice = 2 * remainder
    if twice > denominator or (twice == denominator and quotient % 2 == 1):
        return quotient + 1
    return quotient


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
        scope: rounded_ratio(totals[scope][0] * SCORE_UNIT, totals[scope][1])
        for scope in ordered
        if scope in totals
    }


def funnel_answers(bank: Bank, response: Response) -> dict[str, int]:
    """Stage id → the answer code the response gave (0 for "don't know" or no answer)."""
    if bank.funnel is None:
        return {}
    return {
        stage.id: response.answers.get(funnel_question(stage.id)) or 0
        for stage in bank.funnel.stages
    }


# --- many responses ----------------------------------------------------------


def tally_responses(bank: Bank, responses: Iterable[Response]) -> Tallies:
    """Sum up raw responses the same way the database aggregation does."""
    items: dict[tuple[Side, str], ItemTally] = {}
    respondents: dict[tuple[Side, str], RespondentTally] = {}
    funnel: dict[tuple[Side, str], dict[int, int]] = {}
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
        for stage_id, code in funnel_answers(bank, response).items():
            stage_counts = funnel.setdefault((response.side, stage_id), {})
            stage_counts[code] = stage_counts.get(code, 0) + 1
        for scope, score in respondent_scores(bank, response).items():
            scope_key = (response.side, scope)
            respondents[scope_key] = respondents.get(scope_key, RespondentTally()).add(score)
    return Tallies(
        items=MappingProxyType(items),
        counted=MappingProxyType(counted),
        excluded=MappingProxyType(excluded),
        respondents=MappingProxyType(respondents),
        funnel=MappingProxyType(funnel),
    )
