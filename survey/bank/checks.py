"""What a bank's shape cannot say: unique ids, references between sections, bands, rules.

Each check reports through ``problem(where, what)``. Names declared anywhere in a
section count, even on entries that failed the structural check: that mistake is
reported once, not again at every reference.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from typing import Any

from survey.bank.schema import (
    ConditionModel,
    FactorModel,
    FunnelModel,
    Parsed,
    Problem,
    Section,
    TypeModel,
)

SUPPORTED_VERSIONS = frozenset({1})

#: The score range the type bands must cover exactly (answers 1–5 map to 20–100).
SCORE_FLOOR = 20
SCORE_CEILING = 100


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_version(parsed: Parsed, problem: Problem) -> None:
    if parsed.version is not None and parsed.version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        problem("version", f"unknown version {parsed.version} (supported: {supported})")


def _check_unique(section: Section[Any] | None, noun: str, problem: Problem) -> None:
    if section is None:
        return
    seen: set[str] = set()
    for index, entry in enumerate(section.raw):
        if not isinstance(entry, dict) or not isinstance(entry_id := entry.get("id"), str):
            continue
        if entry_id in seen:
            problem(section.where(index), f"duplicate {noun} id '{entry_id}'")
        seen.add(entry_id)


def _check_not_empty(section: Section[Any] | None, what: str, problem: Problem) -> None:
    if section is not None and not section.raw:
        problem(section.path, f"the bank has no {what}")


def _check_dimensions_used(parsed: Parsed, problem: Problem) -> None:
    dimensions, items = parsed.dimensions, parsed.items
    if items is None:
        return
    dimension_ids = set(dimensions.raw_values("id")) if dimensions is not None else None
    for index, item in items.entries:
        if dimension_ids is not None and item.dimension not in dimension_ids:
            what = f"dimension '{item.dimension}' is not declared in dimensions"
            problem(items.where(index), what)
    if dimensions is not None and items.raw:
        used = set(items.raw_values("dimension"))
        for index, dimension in dimensions.entries:
            if dimension.id not in used:
                problem(dimensions.where(index), "no item belongs to this dimension")


def _check_bands(types: Section[TypeModel], problem: Problem) -> None:
    for index, band in types.entries:
        if band.lower >= band.upper:
            problem(
                types.where(index),
                f"lower {_number(band.lower)} is not below upper {_number(band.upper)}",
            )
    if not types.complete or not types.entries:
        return
    bands = [band for _index, band in types.entries]
    first, last = bands[0], bands[-1]
    if first.lower != SCORE_FLOOR:
        problem(
            "types",
            f"the first band ('{first.id}') starts at {_number(first.lower)} "
            f"but must start at {SCORE_FLOOR}",
        )
    for previous, band in itertools.pairwise(bands):
        if band.lower != previous.upper:
            kind = "gap" if band.lower > previous.upper else "overlap"
            problem(
                "types",
                f"band of '{band.id}' starts at {_number(band.lower)} but the previous band "
                f"ends at {_number(previous.upper)} ({kind})",
            )
    if last.upper != SCORE_CEILING:
        problem(
            "types",
            f"the last band ('{last.id}') ends at {_number(last.upper)} "
            f"but must end at {SCORE_CEILING}",
        )


def _check_moves(parsed: Parsed, problem: Problem) -> None:
    moves = parsed.moves
    if moves is None:
        return
    dimension_ids = set(parsed.dimensions.raw_values("id")) if parsed.dimensions else None
    type_ids = parsed.types.raw_values("id") if parsed.types is not None else None
    top_type = type_ids[-1] if type_ids else None
    for index, move in moves.entries:
        where = moves.where(index)
        if type_ids is not None and move.from_ not in type_ids:
            problem(where, f"from '{move.from_}' is not a type")
        elif move.from_ == top_type:
            problem(where, f"from '{move.from_}' is the top type; there is no type above it")
        seen: set[str] = set()
        for dimension_id in move.dimensions:
            if dimension_ids is not None and dimension_id not in dimension_ids:
                problem(where, f"dimension '{dimension_id}' is not declared in dimensions")
            elif dimension_id in seen:
                problem(where, f"dimension '{dimension_id}' is listed twice")
            seen.add(dimension_id)


def _checked_factors(parsed: Parsed, problem: Problem) -> dict[str, FactorModel] | None:
    """The factors by id, once every one of them passed; ``None`` while one is broken."""
    if parsed.factors is None:
        return None
    for index, factor in parsed.factors.entries:
        if factor.choices is None:
            continue
        where = parsed.factors.where(index)
        if not factor.choices:
            problem(where, "choices: must not be empty (leave it out for a yes/no question)")
        for choice in sorted({c for c in factor.choices if factor.choices.count(c) > 1}):
            problem(where, f"choices: '{choice}' is listed twice")
    if not parsed.factors.complete:
        return None
    return {factor.id: factor for _index, factor in parsed.factors.entries}


def _check_conditions(
    where: str,
    field: str,
    conditions: Sequence[ConditionModel],
    factors: Mapping[str, FactorModel] | None,
    problem: Problem,
) -> None:
    if factors is None:
        return  # some factor is broken; that is reported already
    for number, condition in enumerate(conditions):
        at = f"{where}: {field}[{number}]"
        factor = factors.get(condition.factor)
        if factor is None:
            problem(at, f"factor '{condition.factor}' is not declared in advisor.factors")
            continue
        equals = condition.equals
        if not factor.choices:
            if not isinstance(equals, bool):
                problem(
                    at,
                    f"equals {equals!r} does not fit the yes/no factor '{factor.id}' "
                    "(use true or false)",
                )
        elif isinstance(equals, bool) or equals not in factor.choices:
            shown = str(equals).lower() if isinstance(equals, bool) else repr(equals)
            problem(
                at,
                f"equals {shown} is not one of the choices of '{factor.id}' "
                f"({', '.join(factor.choices)})",
            )


def _check_rules(parsed: Parsed, problem: Problem) -> None:
    factors = _checked_factors(parsed, problem)
    if parsed.rules is None:
        return
    type_ids = parsed.types.raw_values("id") if parsed.types is not None else None
    top_type = type_ids[-1] if type_ids else None
    ruled: set[str] = set()
    for index, rule in parsed.rules.entries:
        where = parsed.rules.where(index)
        if type_ids is not None and rule.type not in type_ids:
            problem(where, f"type '{rule.type}' is not a type")
        elif rule.type == top_type and rule.move_if:
            problem(where, f"move_if: '{rule.type}' is the top type; there is nothing above it")
        if rule.type in ruled:
            problem(where, f"a second rule for type '{rule.type}'")
        ruled.add(rule.type)
        if not rule.stay_if and not rule.move_if:
            problem(where, "has neither stay_if nor move_if")
        _check_conditions(where, "stay_if", rule.stay_if, factors, problem)
        _check_conditions(where, "move_if", rule.move_if, factors, problem)


def _check_one_row_per_reason(parsed: Parsed, problem: Problem) -> None:
    """A factor may give a reason to move (or to stay) in one row only.

    Otherwise one answer would count in two rows and could climb two steps at once.
    """
    if parsed.rules is None:
        return
    for field, direction in (("stay_if", "stay"), ("move_if", "move up")):
        first_row: dict[str, str] = {}
        for index, rule in parsed.rules.entries:
            conditions = rule.stay_if if field == "stay_if" else rule.move_if
            for number, condition in enumerate(conditions):
                earlier = first_row.setdefault(condition.factor, rule.type)
                if earlier != rule.type:
                    problem(
                        f"{parsed.rules.where(index)}: {field}[{number}]",
                        f"factor '{condition.factor}' already gives a reason to {direction} "
                        f"in the row of '{earlier}'; one answer must not count in two rows "
                        f"('{earlier}' and '{rule.type}')",
                    )


def _check_funnel(parsed: Parsed, funnel: FunnelModel | None, problem: Problem) -> None:
    if funnel is None:
        return
    seen: set[str] = set()
    for index, stage in enumerate(funnel.stages):
        if stage.id in seen:
            problem(f"funnel.stages[{index}] ({stage.id})", f"duplicate stage id '{stage.id}'")
        seen.add(stage.id)
    dimension_ids = set(parsed.dimensions.raw_values("id")) if parsed.dimensions else None
    for index, dimension_id in enumerate(funnel.related_dimensions):
        if dimension_ids is not None and dimension_id not in dimension_ids:
            problem(
                f"funnel.related_dimensions[{index}]",
                f"dimension '{dimension_id}' is not declared in dimensions",
            )


def check_semantics(parsed: Parsed, problem: Problem, funnel: FunnelModel | None = None) -> None:
    """Every check that needs more than one entry at a time."""
    _check_version(parsed, problem)
    for section, what in (
        (parsed.dimensions, "dimensions"),
        (parsed.items, "items"),
        (parsed.types, "types"),
    ):
        _check_not_empty(section, what, problem)
    for section, noun in (
        (parsed.dimensions, "dimension"),
        (parsed.items, "item"),
        (parsed.types, "type"),
        (parsed.moves, "move"),
        (parsed.factors, "factor"),
    ):
        _check_unique(section, noun, problem)
    _check_dimensions_used(parsed, problem)
    if parsed.types is not None:
        _check_bands(parsed.types, problem)
    _check_moves(parsed, problem)
    _check_rules(parsed, problem)
    _check_funnel(parsed, funnel, problem)
    _check_one_row_per_reason(parsed, problem)
