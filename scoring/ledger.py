"""A side's ledger as data: its two parts, and what one response adds to it.

The rule that moves pending responses into released is ``scoring.release``; this
module holds what it works on. Everything is integers (counts and exact sums), so a
ledger kept in the database and one replayed from the stored answers agree exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType

from scoring.model import Bank, Response, funnel_question
from scoring.tallies import RespondentTally, funnel_answers, is_counted, respondent_scores

#: The value a histogram files "don't know" under.
DONT_KNOW = 0

#: (question id, answer value) → how many responses gave it; :data:`DONT_KNOW` for "don't know".
Histogram = Mapping[tuple[str, int], int]


def frozen(values: Mapping[tuple[str, int], int]) -> Histogram:
    return MappingProxyType({key: number for key, number in values.items() if number})


@dataclass(frozen=True)
class Contribution:
    """What one response adds to its side's ledger."""

    counted: bool
    #: Question id → answer value (:data:`DONT_KNOW` for "don't know"); empty when not counted.
    answers: Mapping[str, int] = field(default_factory=dict)
    #: Scope → the respondent's own score (see ``scoring.rules.respondent_scores``).
    scores: Mapping[str, int] = field(default_factory=dict)


def contribution(bank: Bank, response: Response) -> Contribution:
    """A response as its side's ledger takes it: only counted responses bring answers."""
    if not is_counted(bank, response):
        return Contribution(counted=False)
    answers = {
        item.id: DONT_KNOW if (value := response.answers.get(item.id)) is None else value
        for item in bank.items
    }
    for stage_id, code in funnel_answers(bank, response).items():
        answers[funnel_question(stage_id)] = code
    return Contribution(counted=True, answers=answers, scores=respondent_scores(bank, response))


@dataclass(frozen=True)
class Part:
    """Counted and excluded responses, their answers and their respondents' scores."""

    counted: int = 0
    excluded: int = 0
    answers: Histogram = field(default_factory=lambda: MappingProxyType({}))
    scores: Mapping[str, RespondentTally] = field(default_factory=lambda: MappingProxyType({}))

    def answered(self, question: str) -> int:
        """How many responses in this part gave ``question`` a 1–5 (or other non-blank) answer."""
        return sum(
            number
            for (question_id, value), number in self.answers.items()
            if question_id == question and value != DONT_KNOW
        )

    def questions(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(question for question, _value in self.answers))


def add_scores(
    first: Mapping[str, RespondentTally], second: Mapping[str, RespondentTally]
) -> Mapping[str, RespondentTally]:
    merged = dict(first)
    for scope, tally in second.items():
        old = merged.get(scope, RespondentTally())
        merged[scope] = RespondentTally(
            old.count + tally.count,
            old.total + tally.total,
            old.total_squares + tally.total_squares,
        )
    return MappingProxyType(merged)


def add_answers(first: Histogram, second: Mapping[tuple[str, int], int]) -> Histogram:
    merged = dict(first)
    for key, number in second.items():
        merged[key] = merged.get(key, 0) + number
    return frozen(merged)


@dataclass(frozen=True)
class Ledger:
    """One side of one wave: what is released, what waits, and how many releases so far."""

    released: Part = field(default_factory=Part)
    pending: Part = field(default_factory=Part)
    groups: int = 0


def add(ledger: Ledger, given: Contribution) -> Ledger:
    """``ledger`` with one more response in pending (nothing released yet)."""
    pending = ledger.pending
    if not given.counted:
        return replace(ledger, pending=replace(pending, excluded=pending.excluded + 1))
    scores = {scope: RespondentTally(1, s, s * s) for scope, s in given.scores.items()}
    return replace(
        ledger,
        pending=Part(
            counted=pending.counted + 1,
            excluded=pending.excluded,
            answers=add_answers(pending.answers, {(q, v): 1 for q, v in given.answers.items()}),
            scores=add_scores(pending.scores, scores),
        ),
    )
