"""The shape of a question bank: frozen, strict pydantic models of ``questions.yaml``.

A broken bank is still checked as far as it can be: :func:`structure` keeps every
list entry that is fine on its own, so the semantic checks (``survey.bank.checks``)
can report the rest of the problems in the same pass.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Generic, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from scoring.model import DEFAULT_LANGUAGE
from survey.yaml_input import CUSTOM_ERROR_PREFIX, describe_error, shown

_ID_RE = re.compile(r"[a-z][a-z0-9_]*")
_LANGUAGE_RE = re.compile(r"[a-z]{2,3}(-[A-Z]{2})?")

Problem = Callable[[str, str], None]


def _check_id(value: object) -> str:
    if not isinstance(value, str):
        raise PydanticCustomError(
            f"{CUSTOM_ERROR_PREFIX}id", "must be a string (got {got})", {"got": shown(value)}
        )
    if not _ID_RE.fullmatch(value):
        raise PydanticCustomError(
            f"{CUSTOM_ERROR_PREFIX}id",
            "{got} is not a snake_case id (a lowercase letter, then letters, digits or _)",
            {"got": shown(value)},
        )
    return value


def _check_text(value: object) -> dict[str, str]:
    if not isinstance(value, dict):
        raise PydanticCustomError(
            f"{CUSTOM_ERROR_PREFIX}text",
            "must be a mapping of language code to text, e.g. {{en: ...}} (got {got})",
            {"got": shown(value)},
        )
    issues: list[str] = []
    for language, text in value.items():
        if not isinstance(language, str) or not _LANGUAGE_RE.fullmatch(language):
            issues.append(
                f"bad language code {shown(language)} (expected e.g. 'en', 'fr', 'pt-BR')"
            )
        elif not isinstance(text, str):
            issues.append(f"'{language}' text must be a string (got {shown(text)})")
        elif not text.strip():
            issues.append(f"'{language}' text is empty")
    if DEFAULT_LANGUAGE not in value:
        issues.insert(0, f"missing '{DEFAULT_LANGUAGE}' text")
    if issues:
        raise PydanticCustomError(f"{CUSTOM_ERROR_PREFIX}text", "; ".join(issues))
    return dict(value)


def _check_equals(value: object) -> bool | str:
    if isinstance(value, bool) or (isinstance(value, str) and value):
        return value
    raise PydanticCustomError(
        f"{CUSTOM_ERROR_PREFIX}equals",
        "must be true, false or one of the factor's choices (got {got})",
        {"got": shown(value)},
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
    original: bool = False
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


class OpenQuestionModel(_Model):
    """The question each side may answer in its own words (optional)."""

    marketing: Text
    sales: Text


class FunnelQuestionModel(_Model):
    marketing: Text
    sales: Text


class StageModel(_Model):
    id: Id
    name: Text
    description: Text
    conventional: Annotated[str, Field(pattern="^(marketing|sales)$")]


class FunnelModel(_Model):
    question: FunnelQuestionModel
    stages: list[StageModel] = Field(min_length=2)
    related_dimensions: list[Id] = Field(default_factory=list)


class BankModel(_Model):
    version: int
    dimensions: list[DimensionModel]
    items: list[ItemModel]
    types: list[TypeModel]
    moves: list[MoveModel]
    advisor: AdvisorModel | None = None
    open_question: OpenQuestionModel | None = None
    funnel: FunnelModel | None = None


_M = TypeVar("_M", bound=_Model)

#: Sections whose entries are named by a key of the raw entry, for readable locations.
LABEL_KEYS: Mapping[str, str] = {
    "dimensions": "id",
    "items": "id",
    "types": "id",
    "moves": "id",
    "advisor.factors": "id",
    "advisor.rules": "type",
    "funnel.stages": "id",
}


@dataclass(frozen=True)
class Section(Generic[_M]):
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
        raw = self.raw[index]
        key = LABEL_KEYS.get(self.path)
        if key is not None and isinstance(raw, dict) and isinstance(name := raw.get(key), str):
            return f"{self.path}[{index}] ({name})"
        return f"{self.path}[{index}]"


@dataclass(frozen=True)
class Parsed:
    """Whatever passed the structural check; ``None`` for a section that is unusable."""

    version: int | None
    dimensions: Section[DimensionModel] | None
    items: Section[ItemModel] | None
    types: Section[TypeModel] | None
    moves: Section[MoveModel] | None
    factors: Section[FactorModel] | None
    rules: Section[RuleModel] | None


def _validate_entries(path: str, raw: object, model: type[_M]) -> Section[_M] | None:
    """Check each entry of a list section on its own, keeping the ones that pass."""
    if not isinstance(raw, list):
        return None
    entries: list[tuple[int, _M]] = []
    for index, entry in enumerate(raw):
        try:
            entries.append((index, model.model_validate(entry)))
        except ValidationError:
            continue  # already reported by the whole-bank validation
    return Section(path, raw, tuple(entries))


def _section_of(path: str, raw: object, models: Sequence[_M]) -> Section[_M]:
    assert isinstance(raw, list)
    return Section(path, raw, tuple(enumerate(models)))


def _advisor_part(document: Mapping[str, object]) -> Mapping[str, object]:
    advisor = document.get("advisor")
    if advisor is None:
        return {}
    return advisor if isinstance(advisor, dict) else {"factors": None, "rules": None}


def structure(document: Mapping[str, object], problem: Problem) -> tuple[Parsed, BankModel | None]:
    """Check the shape of the whole bank; report each problem as ``(where, what)``."""
    advisor = _advisor_part(document)
    try:
        model = BankModel.model_validate(document)
    except ValidationError as error:
        for details in error.errors(include_url=False):
            problem(*describe_error(details, document, LABEL_KEYS))
    else:
        factors = model.advisor.factors if model.advisor else []
        rules = model.advisor.rules if model.advisor else []
        return (
            Parsed(
                version=model.version,
                dimensions=_section_of("dimensions", document["dimensions"], model.dimensions),
                items=_section_of("items", document["items"], model.items),
                types=_section_of("types", document["types"], model.types),
                moves=_section_of("moves", document["moves"], model.moves),
                factors=_section_of("advisor.factors", advisor.get("factors", []), factors),
                rules=_section_of("advisor.rules", advisor.get("rules", []), rules),
            ),
            model,
        )

    # The bank is broken somewhere: keep every entry that is fine on its own so that
    # the semantic checks can still report what they can.
    version = document.get("version")
    return (
        Parsed(
            version=version if isinstance(version, int) and not isinstance(version, bool) else None,
            dimensions=_validate_entries("dimensions", document.get("dimensions"), DimensionModel),
            items=_validate_entries("items", document.get("items"), ItemModel),
            types=_validate_entries("types", document.get("types"), TypeModel),
            moves=_validate_entries("moves", document.get("moves"), MoveModel),
            factors=_validate_entries("advisor.factors", advisor.get("factors", []), FactorModel),
            rules=_validate_entries("advisor.rules", advisor.get("rules", []), RuleModel),
        ),
        None,
    )
