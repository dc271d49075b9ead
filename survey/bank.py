"""Load and validate the question bank (``questions.yaml``) into ``scoring.model.Bank``.

Loading happens in three steps:

1. YAML is read with a safe loader that knows only ``true``/``false`` as booleans
   (so a language key such as ``no`` stays a string) and that reports duplicate keys.
2. The raw structure is checked with frozen pydantic models (``extra="forbid"``, strict).
3. Cross-references and bands are checked, and the result is converted to the
   frozen dataclasses of ``scoring.model``.

Every problem found in a file is collected and raised together as one ``BankError``;
each line names the file, where the problem is, and what is wrong.
"""

from __future__ import annotations

import functools
import itertools
import os
import re
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Generic, TypeVar

import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from scoring.model import (
    DEFAULT_LANGUAGE,
    AdvisorRule,
    Bank,
    Condition,
    ContextFactor,
    Dimension,
    Item,
    LocalText,
    Move,
    RelationshipType,
)
from survey.problems import Problems, read_text_file

__all__ = [
    "SUPPORTED_VERSIONS",
    "BankError",
    "bank_to_dict",
    "default_bank_path",
    "load_bank",
    "load_bank_cached",
    "load_default_bank",
    "parse_bank",
]

SUPPORTED_VERSIONS = frozenset({1})

#: The score range the type bands must cover exactly (answers 1–5 map to 20–100).
SCORE_FLOOR = 20
SCORE_CEILING = 100

_ID_RE = re.compile(r"[a-z][a-z0-9_]*")
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")


class BankError(Problems):
    """A question bank that cannot be used; ``problems`` lists every problem, one line each."""


# --------------------------------------------------------------------------- YAML


_BOOL_TAG = "tag:yaml.org,2002:bool"


class _BankLoader(yaml.SafeLoader):
    """A safe loader with YAML 1.2 booleans that records duplicate mapping keys."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self.duplicate_keys: list[tuple[int, str]] = []

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _value in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or key_node.value == "<<":
                continue
            key = (key_node.tag, key_node.value)
            if key in seen:
                self.duplicate_keys.append((key_node.start_mark.line + 1, key_node.value))
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


# Only true/false (any case style) are booleans; yes/no/on/off stay strings.
_BankLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_BankLoader.add_implicit_resolver(
    _BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def load_yaml(text: str, source: str, problems: list[str]) -> object:
    """Parse YAML the way banks are read: only true/false are booleans, duplicate keys
    and syntax errors become lines in ``problems`` (the result is then ``None``)."""
    loader: _BankLoader | None = None
    try:
        loader = _BankLoader(text)
        document: object = loader.get_single_data()
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        where = f"line {mark.line + 1}: " if mark is not None else ""
        what = error.problem or error.context or "invalid YAML"
        problems.append(f"{source}: {where}YAML syntax error: {what}")
        return None
    except yaml.reader.ReaderError as error:  # a character YAML does not allow
        line = text.count("\n", 0, max(error.position, 0)) + 1
        problems.append(
            f"{source}: line {line}: YAML syntax error: unacceptable character "
            f"#x{error.character:04x}: {error.reason}"
        )
        return None
    except yaml.YAMLError as error:
        problems.append(f"{source}: YAML syntax error: {error}")
        return None
    finally:
        if loader is not None:
            loader.dispose()
    for line, key in loader.duplicate_keys:
        problems.append(f"{source}: line {line}: duplicate key '{key}'")
    return document


# --------------------------------------------------------------------------- structure


def _short(value: object, limit: int = 40) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _check_id(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError("bank_id", "must be a string (got {got})", {"got": _short(value)})
    if not _ID_RE.fullmatch(value):
        raise PydanticCustomError(
            "bank_id",
            "{got} is not a snake_case id (a lowercase letter, then letters, digits or _)",
            {"got": _short(value)},
        )
    return value


def _check_text(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PydanticCustomError(
            "bank_text",
            "must be a mapping of language code to text, e.g. {{en: ...}} (got {got})",
            {"got": _short(value)},
        )
    issues: list[str] = []
    for language, text in value.items():
        if not isinstance(language, str) or not _LANGUAGE_RE.fullmatch(language):
            issues.append(
                f"bad language code {_short(language)} (expected e.g. 'en', 'fr', 'pt-BR')"
            )
        elif not isinstance(text, str):
            issues.append(f"'{language}' text must be a string (got {_short(text)})")
        elif not text.strip():
            issues.append(f"'{language}' text is empty")
    if DEFAULT_LANGUAGE not in value:
        issues.insert(0, f"missing '{DEFAULT_LANGUAGE}' text")
    if issues:
        raise PydanticCustomError("bank_text", "; ".join(issues))
    return dict(value)


def _check_equals(value: object) -> bool | str:
    if isinstance(value, bool) or (isinstance(value, str) and value):
        return value
    raise PydanticCustomError(
        "bank_equals",
        "must be true, false or one of the factor's choices (got {got})",
        {"got": _short(value)},
    )


Id = Annotated[str, BeforeValidator(_check_id)]
Text = Annotated[dict[str, str], BeforeValidator(_check_text)]
EqualsValue = Annotated[bool | str, BeforeValidator(_check_equals)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


class DimensionModel(_Model):
    id: Id
    title: Text
    description: Text


class ItemTextModel(_Model):
    marketing: Text
    sales: Text


class ItemModel(_Model):
    id: Id
    dimension: Id
    reverse: bool = False
    text: ItemTextModel


class TypeModel(_Model):
    id: Id
    name: Text
    lower: float
    upper: float
    description: Text


class MoveModel(_Model):
    id: Id
    from_: Id = Field(alias="from")
    title: Text
    action: Text
    dimensions: list[Id] = Field(min_length=1)


class FactorModel(_Model):
    id: Id
    question: Text
    choices: list[Id] | None = None


class ConditionModel(_Model):
    factor: Id
    equals: EqualsValue
    reason: Text


class RuleModel(_Model):
    type: Id
    stay_if: list[ConditionModel] = Field(default_factory=list)
    move_if: list[ConditionModel] = Field(default_factory=list)


class AdvisorModel(_Model):
    factors: list[FactorModel] = Field(default_factory=list)
    rules: list[RuleModel] = Field(default_factory=list)


class BankModel(_Model):
    version: int
    dimensions: list[DimensionModel]
    items: list[ItemModel]
    types: list[TypeModel]
    moves: list[MoveModel]
    advisor: AdvisorModel | None = None


_M = TypeVar("_M", bound=_Model)

#: Sections whose entries are named by a key of the raw entry, for readable locations.
_LABEL_KEYS: Mapping[str, str] = {
    "dimensions": "id",
    "items": "id",
    "types": "id",
    "moves": "id",
    "advisor.factors": "id",
    "advisor.rules": "type",
}

_WHAT_BY_ERROR_TYPE: Mapping[str, str] = {
    "missing": "missing",
    "extra_forbidden": "unknown key",
    "model_type": "must be a mapping",
    "model_attributes_type": "must be a mapping",
    "dict_type": "must be a mapping",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "int_type": "must be a whole number",
    "float_type": "must be a number",
    "finite_number": "must be a finite number",
    "too_short": "must not be empty",
}


@dataclass(frozen=True)
class _Section(Generic[_M]):
    """The entries of one list section that passed the structural check."""

    path: str
    raw: Sequence[object]
    entries: tuple[tuple[int, _M], ...]

    @property
    def complete(self) -> bool:
        return len(self.entries) == len(self.raw)

    def raw_values(self, key: str) -> list[str]:
        """``key`` of every raw entry that has a string there, valid or not, in order."""
        return [
            value
            for entry in self.raw
            if isinstance(entry, dict) and isinstance(value := entry.get(key), str)
        ]

    def where(self, index: int) -> str:
        return _label(self.path, index, self.raw[index])


def _label(path: str, index: int, raw: object) -> str:
    key = _LABEL_KEYS.get(path)
    if key is not None and isinstance(raw, dict) and isinstance(name := raw.get(key), str):
        return f"{path}[{index}] ({name})"
    return f"{path}[{index}]"


def _join_location(parts: Sequence[int | str]) -> str:
    text = ""
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _describe_error(error: ErrorDetails, document: Mapping[str, object]) -> tuple[str, str]:
    """``(where, what)`` for one pydantic error, naming list entries by their id."""
    loc = error["loc"]
    kind = error["type"]
    if kind == "invalid_key":  # the offending key is the last part of the location
        loc = loc[:-1]
    head = ""
    rest: Sequence[int | str] = loc
    if len(loc) >= 2 and isinstance(loc[0], str) and isinstance(loc[1], int):
        raw = document.get(loc[0])
        if loc[0] in _LABEL_KEYS and isinstance(raw, list) and loc[1] < len(raw):
            head, rest = _label(loc[0], loc[1], raw[loc[1]]), loc[2:]
    elif len(loc) >= 3 and loc[0] == "advisor" and isinstance(loc[1], str):
        advisor = document.get("advisor")
        raw = advisor.get(loc[1]) if isinstance(advisor, dict) else None
        path = f"advisor.{loc[1]}"
        if isinstance(loc[2], int) and isinstance(raw, list) and loc[2] < len(raw):
            head, rest = _label(path, loc[2], raw[loc[2]]), loc[3:]
    tail = _join_location(rest)
    where = f"{head}: {tail}" if head and tail else head or tail or "document"

    if kind.startswith("bank_"):
        what = error["msg"]
    elif kind in ("missing", "extra_forbidden"):
        what = _WHAT_BY_ERROR_TYPE[kind]
    elif kind == "invalid_key":
        what = f"key {_short(error['input'])} must be a string"
    else:
        what = f"{_WHAT_BY_ERROR_TYPE.get(kind, error['msg'])} (got {_short(error['input'])})"
    return where, what


def _validate_entries(path: str, raw: object, model: type[_M]) -> _Section[_M] | None:
    """Check each entry of a list section on its own, keeping the ones that pass."""
    if not isinstance(raw, list):
        return None
    entries: list[tuple[int, _M]] = []
    for index, entry in enumerate(raw):
        try:
            entries.append((index, model.model_validate(entry)))
        except ValidationError:
            continue  # already reported by the whole-bank validation
    return _Section(path, raw, tuple(entries))


def _section_of(path: str, raw: object, models: Sequence[_M]) -> _Section[_M]:
    assert isinstance(raw, list)
    return _Section(path, raw, tuple(enumerate(models)))


@dataclass(frozen=True)
class _Parsed:
    """Whatever passed the structural check; ``None`` for a section that is unusable."""

    version: int | None
    dimensions: _Section[DimensionModel] | None
    items: _Section[ItemModel] | None
    types: _Section[TypeModel] | None
    moves: _Section[MoveModel] | None
    factors: _Section[FactorModel] | None
    rules: _Section[RuleModel] | None


def _structure(
    document: Mapping[str, object], problem: Callable[[str, str], None]
) -> tuple[_Parsed, BankModel | None]:
    try:
        model = BankModel.model_validate(document)
    except ValidationError as error:
        for details in error.errors(include_url=False):
            problem(*_describe_error(details, document))
    else:
        advisor = document.get("advisor")
        advisor_raw: Mapping[str, object] = advisor if isinstance(advisor, dict) else {}
        factors = model.advisor.factors if model.advisor else []
        rules = model.advisor.rules if model.advisor else []
        parsed = _Parsed(
            version=model.version,
            dimensions=_section_of("dimensions", document["dimensions"], model.dimensions),
            items=_section_of("items", document["items"], model.items),
            types=_section_of("types", document["types"], model.types),
            moves=_section_of("moves", document["moves"], model.moves),
            factors=_section_of("advisor.factors", advisor_raw.get("factors", []), factors),
            rules=_section_of("advisor.rules", advisor_raw.get("rules", []), rules),
        )
        return parsed, model

    # The bank is broken somewhere: keep every entry that is fine on its own so that
    # the semantic checks can still report what they can.
    version = document.get("version")
    advisor = document.get("advisor")
    if advisor is None:
        advisor = {}
    advisor_raw = advisor if isinstance(advisor, dict) else {"factors": None, "rules": None}
    parsed = _Parsed(
        version=version if isinstance(version, int) and not isinstance(version, bool) else None,
        dimensions=_validate_entries("dimensions", document.get("dimensions"), DimensionModel),
        items=_validate_entries("items", document.get("items"), ItemModel),
        types=_validate_entries("types", document.get("types"), TypeModel),
        moves=_validate_entries("moves", document.get("moves"), MoveModel),
        factors=_validate_entries("advisor.factors", advisor_raw.get("factors", []), FactorModel),
        rules=_validate_entries("advisor.rules", advisor_raw.get("rules", []), RuleModel),
    )
    return parsed, None


# --------------------------------------------------------------------------- semantics


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)


def _check_unique(
    section: _Section[Any] | None, noun: str, problem: Callable[[str, str], None]
) -> None:
    if section is None:
        return
    seen: set[str] = set()
    for index, entry in enumerate(section.raw):
        if not isinstance(entry, dict) or not isinstance(entry_id := entry.get("id"), str):
            continue
        if entry_id in seen:
            problem(section.where(index), f"duplicate {noun} id '{entry_id}'")
        seen.add(entry_id)


def _check_not_empty(
    section: _Section[Any] | None, what: str, problem: Callable[[str, str], None]
) -> None:
    if section is not None and not section.raw:
        problem(section.path, f"the bank has no {what}")


def _check_bands(types: _Section[TypeModel], problem: Callable[[str, str], None]) -> None:
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


def _check_conditions(
    where: str,
    field: str,
    conditions: Sequence[ConditionModel],
    factors: Mapping[str, FactorModel] | None,
    problem: Callable[[str, str], None],
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


def _check_semantics(parsed: _Parsed, problem: Callable[[str, str], None]) -> None:
    if parsed.version is not None and parsed.version not in SUPPORTED_VERSIONS:
        supported = ", ".join(str(v) for v in sorted(SUPPORTED_VERSIONS))
        problem("version", f"unknown version {parsed.version} (supported: {supported})")

    dimensions, items, types, moves = parsed.dimensions, parsed.items, parsed.types, parsed.moves
    _check_not_empty(dimensions, "dimensions", problem)
    _check_not_empty(items, "items", problem)
    _check_not_empty(types, "types", problem)
    _check_unique(dimensions, "dimension", problem)
    _check_unique(items, "item", problem)
    _check_unique(types, "type", problem)
    _check_unique(moves, "move", problem)
    _check_unique(parsed.factors, "factor", problem)

    # Names declared anywhere in a section count, even on entries that failed the
    # structural check: that mistake is reported once, not again at every reference.
    dimension_ids = set(dimensions.raw_values("id")) if dimensions is not None else None
    type_ids = types.raw_values("id") if types is not None else None
    top_type = type_ids[-1] if type_ids else None

    if items is not None:
        for index, item in items.entries:
            if dimension_ids is not None and item.dimension not in dimension_ids:
                problem(
                    items.where(index),
                    f"dimension '{item.dimension}' is not declared in dimensions",
                )
    if dimensions is not None and items is not None and items.raw:
        used = set(items.raw_values("dimension"))
        for index, dimension in dimensions.entries:
            if dimension.id not in used:
                problem(dimensions.where(index), "no item belongs to this dimension")

    if types is not None:
        _check_bands(types, problem)

    if moves is not None:
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

    factors: dict[str, FactorModel] | None = None
    if parsed.factors is not None:
        for index, factor in parsed.factors.entries:
            if factor.choices is not None:
                if not factor.choices:
                    problem(
                        parsed.factors.where(index),
                        "choices: must not be empty (leave it out for a yes/no question)",
                    )
                for choice in sorted({c for c in factor.choices if factor.choices.count(c) > 1}):
                    problem(parsed.factors.where(index), f"choices: '{choice}' is listed twice")
        if parsed.factors.complete:
            factors = {factor.id: factor for _index, factor in parsed.factors.entries}

    if parsed.rules is not None:
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


# --------------------------------------------------------------------------- conversion


def _text(values: Mapping[str, str]) -> LocalText:
    return LocalText.of(values)


def _condition(condition: ConditionModel) -> Condition:
    return Condition(
        factor=condition.factor, equals=condition.equals, reason=_text(condition.reason)
    )


def _to_bank(model: BankModel) -> Bank:
    advisor = model.advisor or AdvisorModel()
    return Bank(
        version=model.version,
        dimensions=tuple(
            Dimension(id=d.id, title=_text(d.title), description=_text(d.description))
            for d in model.dimensions
        ),
        items=tuple(
            Item(
                id=i.id,
                dimension=i.dimension,
                marketing=_text(i.text.marketing),
                sales=_text(i.text.sales),
                reverse=i.reverse,
            )
            for i in model.items
        ),
        types=tuple(
            RelationshipType(
                id=t.id,
                name=_text(t.name),
                description=_text(t.description),
                lower=float(t.lower),
                upper=float(t.upper),
            )
            for t in model.types
        ),
        moves=tuple(
            Move(
                id=m.id,
                from_type=m.from_,
                title=_text(m.title),
                action=_text(m.action),
                dimensions=tuple(m.dimensions),
            )
            for m in model.moves
        ),
        context_factors=tuple(
            ContextFactor(id=f.id, question=_text(f.question), choices=tuple(f.choices or ()))
            for f in advisor.factors
        ),
        advisor_rules=tuple(
            AdvisorRule(
                type_id=r.type,
                stay_if=tuple(_condition(c) for c in r.stay_if),
                move_if=tuple(_condition(c) for c in r.move_if),
            )
            for r in advisor.rules
        ),
    )


# --------------------------------------------------------------------------- public API


def _kind_of(value: object) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return "a string"
    return f"a {type(value).__name__} value"


def parse_bank(text: str, source: str = "questions.yaml") -> Bank:
    """Parse and check the text of a question bank; ``source`` names it in problems."""
    problems: list[str] = []

    def problem(where: str, what: str) -> None:
        problems.append(f"{source}: {where}: {what}")

    document = load_yaml(text, source, problems)
    if document is None:
        raise BankError(problems or [f"{source}: the file is empty"])
    if not isinstance(document, dict):
        problems.append(
            f"{source}: the document must be a mapping with version, dimensions, items, "
            f"types and moves (got {_kind_of(document)})"
        )
        raise BankError(problems)

    parsed, model = _structure(document, problem)
    _check_semantics(parsed, problem)
    if problems or model is None:
        raise BankError(problems or [f"{source}: the bank is invalid"])
    return _to_bank(model)


def load_bank(path: str | os.PathLike[str]) -> Bank:
    """Read and parse the question bank at ``path``."""
    return parse_bank(read_text_file(path, BankError), os.fspath(path))


def default_bank_path() -> Path:
    """``questions.yaml`` at the root of the repository."""
    return Path(__file__).resolve().parent.parent / "questions.yaml"


@functools.lru_cache(maxsize=4)
def _load_cached(path: str, mtime_ns: int, size: int) -> Bank:
    del mtime_ns, size  # only part of the cache key
    return load_bank(path)


def load_default_bank() -> Bank:
    """The shipped bank, parsed once and reparsed only when the file changes."""
    return load_bank_cached(default_bank_path())


def load_bank_cached(path: str | os.PathLike[str]) -> Bank:
    """The bank at ``path``, parsed once and reparsed only when the file changes.

    Called on every request, so a bank named by ``BANK_PATH`` costs a ``stat``,
    not a YAML parse.
    """
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as error:
        reason = error.strerror or str(error)
        raise BankError([f"{path}: cannot read file: {reason}"]) from None
    return _load_cached(str(path), stat.st_mtime_ns, stat.st_size)


def _text_dict(text: LocalText) -> dict[str, str]:
    return dict(text.by_language)


def _condition_dict(condition: Condition) -> dict[str, object]:
    return {
        "factor": condition.factor,
        "equals": condition.equals,
        "reason": _text_dict(condition.reason),
    }


def _factor_dict(factor: ContextFactor) -> dict[str, object]:
    result: dict[str, object] = {"id": factor.id, "question": _text_dict(factor.question)}
    if factor.choices:  # a yes/no question has no choices, as in questions.yaml
        result["choices"] = list(factor.choices)
    return result


def bank_to_dict(bank: Bank) -> dict[str, object]:
    """The bank as plain JSON-ready data, in the shape of ``questions.yaml``."""
    return {
        "version": bank.version,
        "dimensions": [
            {"id": d.id, "title": _text_dict(d.title), "description": _text_dict(d.description)}
            for d in bank.dimensions
        ],
        "items": [
            {
                "id": i.id,
                "dimension": i.dimension,
                "reverse": i.reverse,
                "text": {"marketing": _text_dict(i.marketing), "sales": _text_dict(i.sales)},
            }
            for i in bank.items
        ],
        "types": [
            {
                "id": t.id,
                "name": _text_dict(t.name),
                "lower": t.lower,
                "upper": t.upper,
                "description": _text_dict(t.description),
            }
            for t in bank.types
        ],
        "moves": [
            {
                "id": m.id,
                "from": m.from_type,
                "title": _text_dict(m.title),
                "action": _text_dict(m.action),
                "dimensions": list(m.dimensions),
            }
            for m in bank.moves
        ],
        "advisor": {
            "factors": [_factor_dict(f) for f in bank.context_factors],
            "rules": [
                {
                    "type": r.type_id,
                    "stay_if": [_condition_dict(c) for c in r.stay_if],
                    "move_if": [_condition_dict(c) for c in r.move_if],
                }
                for r in bank.advisor_rules
            ],
        },
    }
