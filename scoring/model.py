"""The plain data the scoring core works on: a frozen question bank and answers.

Everything here is immutable. The bank is built by a loader outside this
package (``survey.bank``) from ``questions.yaml``; nothing in ``scoring`` reads
files or knows about YAML.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

DEFAULT_LANGUAGE = "en"

#: The answer scale: 1 = strongly disagree … 5 = strongly agree.
LOWEST_ANSWER = 1
HIGHEST_ANSWER = 5

#: An answer is a value on the scale, or ``None`` for "don't know".
Answer = int | None


class Side(StrEnum):
    """The two functions whose views are compared."""

    MARKETING = "marketing"
    SALES = "sales"


def _frozen_mapping(values: Mapping[str, str]) -> Mapping[str, str]:
    return MappingProxyType(dict(values))


@dataclass(frozen=True)
class LocalText:
    """A sentence in several languages, keyed by language code (``en`` required)."""

    by_language: Mapping[str, str]

    @classmethod
    def of(cls, values: Mapping[str, str]) -> LocalText:
        return cls(_frozen_mapping(values))

    def get(self, language: str = DEFAULT_LANGUAGE) -> str:
        """The text in ``language``, falling back to English."""
        if language in self.by_language:
            return self.by_language[language]
        return self.by_language[DEFAULT_LANGUAGE]

    def __str__(self) -> str:
        return self.get()


@dataclass(frozen=True)
class Dimension:
    id: str
    title: LocalText
    description: LocalText


@dataclass(frozen=True)
class Item:
    """One practice, worded once for each side."""

    id: str
    dimension: str
    marketing: LocalText
    sales: LocalText
    reverse: bool = False
    #: One of the twenty statements of the original published instrument, whose
    #: 20–100 score can be compared with the published bands.
    original: bool = False

    def text_for(self, side: Side) -> LocalText:
        return self.marketing if side is Side.MARKETING else self.sales


@dataclass(frozen=True)
class FunnelStage:
    """One stage of the buyer's journey, and the side that leads it in the conventional split."""

    id: str
    name: LocalText
    description: LocalText
    conventional: Side


@dataclass(frozen=True)
class Funnel:
    """The buying funnel: respondents say, per stage, who leads it today."""

    question: Mapping[Side, LocalText]
    stages: tuple[FunnelStage, ...]
    #: Dimensions whose moves come first when the sides place the handoff apart.
    related_dimensions: tuple[str, ...] = ()

    def question_for(self, side: Side) -> LocalText:
        return self.question[side]


#: The prefix of a funnel stage's question id among a response's answers.
FUNNEL_PREFIX = "funnel:"


def funnel_question(stage_id: str) -> str:
    """The answer key of a funnel stage, e.g. ``funnel:customer_awareness``."""
    return FUNNEL_PREFIX + stage_id


@dataclass(frozen=True)
class RelationshipType:
    """One of the four types, covering scores in ``[lower, upper)`` (the top one includes 100)."""

    id: str
    name: LocalText
    description: LocalText
    lower: float
    upper: float


@dataclass(frozen=True)
class Move:
    """A next-step move for the transition from type ``from_type`` to the next one up."""

    id: str
    from_type: str
    title: LocalText
    action: LocalText
    dimensions: tuple[str, ...]


@dataclass(frozen=True)
class ContextFactor:
    """A plain question about the organisation that the advisor reads.

    ``choices`` is empty for a yes/no question, otherwise the allowed answers.
    """

    id: str
    question: LocalText
    choices: tuple[str, ...] = ()

    @property
    def is_yes_no(self) -> bool:
        return not self.choices


@dataclass(frozen=True)
class Condition:
    """A context factor having a given value; ``reason`` says why it matters."""

    factor: str
    equals: bool | str
    reason: LocalText


@dataclass(frozen=True)
class AdvisorRule:
    """When an organisation of type ``type_id`` should stay, and when it should move up."""

    type_id: str
    stay_if: tuple[Condition, ...]
    move_if: tuple[Condition, ...]


@dataclass(frozen=True)
class OpenQuestion:
    """The optional question each side may answer in its own words, worded per side."""

    marketing: LocalText
    sales: LocalText

    def text_for(self, side: Side) -> LocalText:
        return self.marketing if side is Side.MARKETING else self.sales


@dataclass(frozen=True)
class Bank:
    """A validated, immutable question bank."""

    version: int
    dimensions: tuple[Dimension, ...]
    items: tuple[Item, ...]
    types: tuple[RelationshipType, ...]
    moves: tuple[Move, ...]
    context_factors: tuple[ContextFactor, ...] = ()
    advisor_rules: tuple[AdvisorRule, ...] = ()
    open_question: OpenQuestion | None = None
    funnel: Funnel | None = None
    _items_by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_items_by_id", MappingProxyType({item.id: item for item in self.items})
        )

    def item(self, item_id: str) -> Item:
        return self._items_by_id[item_id]

    def has_item(self, item_id: str) -> bool:
        return item_id in self._items_by_id

    def dimension(self, dimension_id: str) -> Dimension:
        for dimension in self.dimensions:
            if dimension.id == dimension_id:
                return dimension
        raise KeyError(dimension_id)

    def type(self, type_id: str) -> RelationshipType:
        for relationship_type in self.types:
            if relationship_type.id == type_id:
                return relationship_type
        raise KeyError(type_id)

    def items_in(self, dimension_id: str) -> tuple[Item, ...]:
        return tuple(item for item in self.items if item.dimension == dimension_id)

    def type_index(self, type_id: str) -> int:
        return [t.id for t in self.types].index(type_id)

    def next_type(self, type_id: str) -> RelationshipType | None:
        index = self.type_index(type_id)
        return self.types[index + 1] if index + 1 < len(self.types) else None


@dataclass(frozen=True)
class Response:
    """One respondent's answers: item id → 1–5, or ``None`` for "don't know"."""

    side: Side
    answers: Mapping[str, Answer]
