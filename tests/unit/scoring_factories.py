"""Small synthetic question banks and responses for the scoring-core tests.

Everything is built straight from the frozen dataclasses of ``scoring.model``;
nothing here reads ``questions.yaml``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from scoring.model import (
    AdvisorRule,
    Answer,
    Bank,
    Condition,
    ContextFactor,
    Dimension,
    Item,
    LocalText,
    Move,
    RelationshipType,
    Response,
    Side,
)

M = Side.MARKETING
S = Side.SALES


def text(value: str) -> LocalText:
    return LocalText.of({"en": value})


def make_types() -> tuple[RelationshipType, ...]:
    """The four types: undefined 20–40, defined 40–60, aligned 60–80, integrated 80–100."""
    return tuple(
        RelationshipType(
            id=type_id,
            name=text(type_id.title()),
            description=text(f"The {type_id} relationship."),
            lower=lower,
            upper=upper,
        )
        for type_id, lower, upper in (
            ("undefined", 20, 40),
            ("defined", 40, 60),
            ("aligned", 60, 80),
            ("integrated", 80, 100),
        )
    )


def item(item_id: str, dimension: str = "d1", *, reverse: bool = False) -> Item:
    return Item(
        id=item_id,
        dimension=dimension,
        marketing=text(f"Marketing wording of {item_id}"),
        sales=text(f"Sales wording of {item_id}"),
        reverse=reverse,
    )


def items(*item_ids: str, dimension: str = "d1") -> tuple[Item, ...]:
    return tuple(item(item_id, dimension) for item_id in item_ids)


def dimension(dimension_id: str) -> Dimension:
    return Dimension(
        id=dimension_id,
        title=text(f"Dimension {dimension_id}"),
        description=text(f"What {dimension_id} is about."),
    )


def move(move_id: str, from_type: str, *dimensions: str) -> Move:
    return Move(
        id=move_id,
        from_type=from_type,
        title=text(f"Move {move_id}"),
        action=text(f"Do {move_id}."),
        dimensions=tuple(dimensions),
    )


def make_bank(
    items: Sequence[Item] = (),
    dimensions: Sequence[Dimension | str] | None = None,
    moves: Sequence[Move] = (),
    *,
    context_factors: Sequence[ContextFactor] = (),
    advisor_rules: Sequence[AdvisorRule] = (),
) -> Bank:
    """A bank of ``items``; dimensions default to those the items name, in order."""
    if dimensions is None:
        dimensions = list(dict.fromkeys(it.dimension for it in items))
    return Bank(
        version=1,
        dimensions=tuple(dimension(d) if isinstance(d, str) else d for d in dimensions),
        items=tuple(items),
        types=make_types(),
        moves=tuple(moves),
        context_factors=tuple(context_factors),
        advisor_rules=tuple(advisor_rules),
    )


def response(side: Side | str, /, **answers: Answer) -> Response:
    """One respondent's answers, e.g. ``response(M, a=4, b=None)``."""
    return Response(side=Side(side), answers=dict(answers))


def repeat(count: int, side: Side | str, /, **answers: Answer) -> list[Response]:
    """``count`` identical responses."""
    return [response(side, **answers) for _ in range(count)]


def responses_from_rows(
    side: Side, item_ids: Sequence[str], rows: Iterable[Sequence[Answer]]
) -> list[Response]:
    """Responses from rows of answers, one value per item id."""
    result = []
    for row in rows:
        assert len(row) == len(item_ids)
        result.append(Response(side=side, answers=dict(zip(item_ids, row, strict=True))))
    return result


def factor(factor_id: str, *choices: str) -> ContextFactor:
    """An advisor question: yes/no without ``choices``."""
    return ContextFactor(id=factor_id, question=text(f"Question {factor_id}?"), choices=choices)


def condition(factor_id: str, equals: bool | str = True) -> Condition:
    return Condition(factor=factor_id, equals=equals, reason=text(f"Because {factor_id}."))


def rule(
    type_id: str, stay: Sequence[Condition] = (), move: Sequence[Condition] = ()
) -> AdvisorRule:
    return AdvisorRule(type_id=type_id, stay_if=tuple(stay), move_if=tuple(move))
