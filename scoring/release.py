"""Publication in whole groups: which of a wave's answers the published figures may use.

Anyone who can read a result twice could otherwise subtract the two readings and
recover what changed between them — with one new response, that person's every
answer. So nothing published moves on fewer than ``threshold`` new people:

* Each side keeps a **ledger** of two parts: *released* (every published figure
  is computed from it alone) and *pending* (received since the last release).
* A new response goes into pending. Once pending holds ``threshold`` counted
  responses, the side **releases**: the counted and excluded numbers and the
  respondents' own scores of the whole group move into released.
* A question moves into released only when its own pending answers (1–5, not
  "don't know") reach ``threshold``; until then it keeps its previous released
  figures and its pending answers wait for the next release. So a group whose
  members mostly said "don't know" to a question cannot expose the few who
  answered it.
* Closing a wave releases nothing: a remainder smaller than a group stays out.

The ledger holds only integers (counts and exact sums), so the database's copy
and a replay from the stored answers agree exactly (see :func:`replay`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from scoring.ledger import DONT_KNOW as DONT_KNOW
from scoring.ledger import Contribution as Contribution
from scoring.ledger import Histogram as Histogram
from scoring.ledger import Ledger as Ledger
from scoring.ledger import Part as Part
from scoring.ledger import add as add
from scoring.ledger import add_answers, add_scores, frozen
from scoring.ledger import contribution as contribution
from scoring.model import (
    FUNNEL_PREFIX,
    HIGHEST_ANSWER,
    LOWEST_ANSWER,
    Bank,
    Side,
)
from scoring.tallies import (
    ItemTally,
    RespondentTally,
    Tallies,
)


def release_due(ledger: Ledger, threshold: int) -> bool:
    """Whether pending holds a whole group of counted responses."""
    return ledger.pending.counted >= max(threshold, 1)


def release(ledger: Ledger, threshold: int) -> Ledger:
    """Move the pending group into released (see the module's rules).

    Call it only when :func:`release_due`; questions whose pending answers are
    fewer than ``threshold`` stay pending.
    """
    pending, released = ledger.pending, ledger.released
    moving = {q for q in pending.questions() if pending.answered(q) >= threshold}
    move = {key: n for key, n in pending.answers.items() if key[0] in moving}
    stay = {key: n for key, n in pending.answers.items() if key[0] not in moving}
    return Ledger(
        released=Part(
            counted=released.counted + pending.counted,
            excluded=released.excluded + pending.excluded,
            answers=add_answers(released.answers, move),
            scores=add_scores(released.scores, pending.scores),
        ),
        pending=Part(answers=frozen(stay)),
        groups=ledger.groups + 1,
    )


def receive(ledger: Ledger, given: Contribution, threshold: int) -> Ledger:
    """Add a response and release the side if that completes a group."""
    added = add(ledger, given)
    return release(added, threshold) if release_due(added, threshold) else added


@dataclass(frozen=True)
class Intake:
    """A side's ledger after taking in new responses, and what has to be written down."""

    ledger: Ledger
    #: Question answers the last release held back (all of pending's answers but those of
    #: responses still waiting); what the database keeps between releases.
    carried: Histogram
    #: The release each new response joined, in order; ``None`` while it waits.
    groups: tuple[int | None, ...]
    #: The release that responses already waiting before the intake joined, if any.
    waiting_joined: int | None
    #: (number, threshold) of every release the intake made.
    releases: tuple[tuple[int, int], ...]


#: Slots of a question's running counts: "don't know", then every answer value.
_SLOTS = HIGHEST_ANSWER + 1


class _Running:
    """A part being added to, as plain mutable counts.

    :func:`take_in` adds thousands of responses at a time (an import); the frozen
    :class:`Part` would copy its whole histogram for each one. This gives the same
    numbers as :func:`add` and :func:`release`, in time linear in the answers: each
    question keeps a list of counts, indexed by the answer value (0 = "don't know").
    """

    __slots__ = ("counted", "excluded", "questions", "scores")

    def __init__(self, part: Part) -> None:
        self.counted = part.counted
        self.excluded = part.excluded
        self.questions: dict[str, list[int]] = {}
        for (question, value), number in part.answers.items():
            self.questions.setdefault(question, [0] * _SLOTS)[value] += number
        self.scores: dict[str, list[int]] = {
            scope: [tally.count, tally.total, tally.total_squares]
            for scope, tally in part.scores.items()
        }

    def add(self, given: Contribution) -> None:
        if not given.counted:
            self.excluded += 1
            return
        self.counted += 1
        questions = self.questions
        for question, value in given.answers.items():
            counts = questions.get(question)
            if counts is None:
                counts = questions[question] = [0] * _SLOTS
            counts[value] += 1
        for scope, score in given.scores.items():
            entry = self.scores.get(scope)
            if entry is None:
                self.scores[scope] = [1, score, score * score]
            else:
                entry[0] += 1
                entry[1] += score
                entry[2] += score * score

    def release_into(self, released: _Running, threshold: int) -> None:
        """Move this pending group into ``released`` as :func:`release` does; keep here
        only the answers to questions too few of the group answered."""
        stay: dict[str, list[int]] = {}
        moved = released.questions
        for question, counts in self.questions.items():
            if sum(counts) - counts[DONT_KNOW] < threshold:
                stay[question] = counts
                continue
            total = moved.get(question)
            if total is None:
                moved[question] = counts
            else:
                moved[question] = [a + b for a, b in zip(total, counts, strict=True)]
        released.counted += self.counted
        released.excluded += self.excluded
        for scope, (count, total_score, squares) in self.scores.items():
            entry = released.scores.get(scope)
            if entry is None:
                released.scores[scope] = [count, total_score, squares]
            else:
                entry[0] += count
                entry[1] += total_score
                entry[2] += squares
        self.counted = self.excluded = 0
        self.questions = stay
        self.scores = {}

    def histogram(self) -> Histogram:
        return MappingProxyType(
            {
                (question, value): number
                for question, counts in self.questions.items()
                for value, number in enumerate(counts)
                if number
            }
        )

    def part(self) -> Part:
        return Part(
            counted=self.counted,
            excluded=self.excluded,
            answers=self.histogram(),
            scores=MappingProxyType(
                {scope: RespondentTally(*entry) for scope, entry in self.scores.items()}
            ),
        )


def take_in(
    ledger: Ledger, carried: Histogram, new: Sequence[Contribution], threshold: int
) -> Intake:
    """Add ``new`` responses one by one, releasing whenever a group is complete.

    ``ledger.pending`` must already hold the responses that were waiting before
    (``carried`` being the held-back part of it); if they alone make a group, it is
    released first. The result is that of :func:`receive` applied to each in turn.
    """
    groups: list[int | None] = []
    waiting_since = 0  # index in ``new`` of the first response that is still waiting
    waiting_joined: int | None = None
    releases: list[tuple[int, int]] = []
    released, pending = _Running(ledger.released), _Running(ledger.pending)
    number = ledger.groups
    due = max(threshold, 1)

    def settle() -> None:
        nonlocal number, waiting_since, waiting_joined
        pending.release_into(released, threshold)
        number += 1
        releases.append((number, threshold))
        if waiting_joined is None:
            waiting_joined = number
        groups[waiting_since:] = [number] * (len(groups) - waiting_since)
        waiting_since = len(groups)

    if pending.counted >= due:
        settle()
    for given in new:
        pending.add(given)
        groups.append(None)
        if pending.counted >= due:
            settle()
    if releases:
        # What the last release held back: pending now, without what came after it.
        held_back = _Running(Part())
        held_back.questions = {
            question: list(counts) for question, counts in pending.questions.items()
        }
        for given in new[waiting_since:]:
            for question, value in given.answers.items():
                held_back.questions[question][value] -= 1
        carried = held_back.histogram()
    return Intake(
        ledger=Ledger(released=released.part(), pending=pending.part(), groups=number),
        carried=frozen(dict(carried)),
        groups=tuple(groups),
        waiting_joined=waiting_joined,
        releases=tuple(releases),
    )


def replay(
    groups: Sequence[tuple[int, Iterable[Contribution]]], pending: Iterable[Contribution]
) -> Ledger:
    """A side's ledger rebuilt from its stored responses.

    ``groups`` lists each release in order as (the threshold it was made with, the
    contributions of the responses it released); ``pending`` holds the rest.
    """
    ledger = Ledger()
    for threshold, members in groups:
        for given in members:
            ledger = add(ledger, given)
        ledger = release(ledger, threshold)
    for given in pending:
        ledger = add(ledger, given)
    return ledger


def item_tally(part: Part, item_id: str) -> ItemTally | None:
    """The scoring tally of one item from a part's histogram (``None`` if never answered)."""
    count = total = squares = dont_know = 0
    for value in (DONT_KNOW, *range(LOWEST_ANSWER, HIGHEST_ANSWER + 1)):
        number = part.answers.get((item_id, value), 0)
        if value == DONT_KNOW:
            dont_know = number
        else:
            count += number
            total += number * value
            squares += number * value * value
    if count == 0 and dont_know == 0:
        return None
    return ItemTally(count=count, total=total, total_squares=squares, dont_know=dont_know)


def released_tallies(bank: Bank, ledgers: Mapping[Side, Ledger]) -> Tallies:
    """What scoring may use: the released parts of both sides, and nothing pending."""
    items: dict[tuple[Side, str], ItemTally] = {}
    respondents: dict[tuple[Side, str], RespondentTally] = {}
    funnel: dict[tuple[Side, str], dict[int, int]] = {}
    for side, ledger in ledgers.items():
        for (question, value), number in ledger.released.answers.items():
            if question.startswith(FUNNEL_PREFIX):
                stage = funnel.setdefault((side, question.removeprefix(FUNNEL_PREFIX)), {})
                stage[value] = number
        for item in bank.items:
            tally = item_tally(ledger.released, item.id)
            if tally is not None:
                items[(side, item.id)] = tally
        for scope, scores in ledger.released.scores.items():
            respondents[(side, scope)] = scores
    return Tallies(
        items=MappingProxyType(items),
        counted=MappingProxyType({side: ledgers[side].released.counted for side in ledgers}),
        excluded=MappingProxyType({side: ledgers[side].released.excluded for side in ledgers}),
        respondents=MappingProxyType(respondents),
        funnel=MappingProxyType(funnel),
    )


def empty_ledgers() -> Mapping[Side, Ledger]:
    return MappingProxyType({side: Ledger() for side in Side})
