"""The demo's story as data: ``demo.yaml`` (or ``DEMO_PATH``), read and checked.

The scenario is checked in two steps, like the bank: its shape with frozen
pydantic models, then its ids against the bank in use. Every problem is reported
at once, each line naming the file and the key, before anything is written.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Annotated, Any

import click
from flask import current_app
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from scoring import Bank, FunnelStage, Item, Owner, Side, is_counted
from scoring import Response as ScoringResponse
from scoring.model import HIGHEST_ANSWER, LOWEST_ANSWER
from survey.models import NAME_MAX
from survey.problems import Problems, read_text_file
from survey.services.banks import current_bank
from survey.services.context import ContextAnswers, ContextError, parse_context
from survey.yaml_input import CUSTOM_ERROR_PREFIX, describe_error, load_yaml

#: A wave's responses all arrive on one day, up to this many days after it starts.
ANSWERING_DAYS = 10
#: Limits that keep a mistyped scenario from filling the database or the calendar.
MAX_RESPONDENTS = 1000
MAX_DAYS_BEFORE_TODAY = 3650


def default_demo_path() -> Path:
    """``demo.yaml`` at the root of the repository, beside ``questions.yaml``."""
    return Path(__file__).resolve().parent.parent.parent / "demo.yaml"


def demo_path() -> Path:
    """The scenario file named by ``DEMO_PATH``, or the shipped ``demo.yaml``."""
    configured = current_app.config.get("DEMO_PATH")
    return Path(configured) if configured else default_demo_path()


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


class DemoScenarioError(Problems, click.ClickException):
    """A demo scenario that cannot be used; ``problems`` lists every problem, one line each.

    Also a ``ClickException`` (as ``survey.config.ConfigError`` is) so that
    ``flask … demo`` prints the problems and exits 1 instead of showing a traceback.
    """

    def __init__(self, problems: Iterable[str]) -> None:
        Problems.__init__(self, problems)
        heading = (
            f"the demo scenario has {_count(len(self.problems), 'problem')}; nothing was created:"
        )
        click.ClickException.__init__(
            self, "\n".join([heading, *(f"  {line}" for line in self.problems)])
        )


# --------------------------------------------------------------------------- the story


@dataclass(frozen=True)
class Tendency:
    """How one side tends to rate practices, on the scored scale (5 = works well).

    A reverse item's tendency is also on the scored scale: a low value means the
    side agrees with the problem the item describes.
    """

    base: float
    dimensions: Mapping[str, float] = field(default_factory=dict)
    items: Mapping[str, float] = field(default_factory=dict)
    #: Who the side believes leads a funnel stage, by stage id; a stage left out
    #: follows the bank's conventional split.
    funnel: Mapping[str, Owner] = field(default_factory=dict)

    def mean_for(self, item: Item) -> float:
        if item.id in self.items:
            return self.items[item.id]
        return self.dimensions.get(item.dimension, self.base)

    def owner_for(self, stage: FunnelStage) -> Owner:
        if stage.id in self.funnel:
            return self.funnel[stage.id]
        return Owner.MARKETING if stage.conventional is Side.MARKETING else Owner.SALES


@dataclass(frozen=True)
class Profile:
    """Both sides' tendencies in one wave, and how much single answers scatter."""

    marketing: Tendency
    sales: Tendency
    #: Standard deviation of one answer around its tendency.
    answer_spread: float
    #: Standard deviation of one respondent's overall leaning (some people rate higher).
    respondent_spread: float
    #: Chance of a "don't know" for any one item or funnel stage.
    dont_know: float
    #: Chance that one respondent names another owner of a funnel stage than the side does.
    funnel_noise: float = 0.0

    def tendency(self, side: Side) -> Tendency:
        return self.marketing if side is Side.MARKETING else self.sales


@dataclass(frozen=True)
class DemoWave:
    name: str
    days_before_today: int
    #: Respondents per side whose responses count.
    respondents: Mapping[Side, int]
    #: Further respondents per side who answered too few items to count.
    excluded: Mapping[Side, int]
    profile: Profile


@dataclass(frozen=True)
class DemoScenario:
    """A checked demo scenario, ready to simulate with the bank it was checked against."""

    organisation: str
    seed: int
    #: Share of the items an excluded respondent answered.
    excluded_share: float
    context: Mapping[str, bool | str]
    waves: tuple[DemoWave, ...]


# --------------------------------------------------------------------------- the file's shape


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=True, allow_inf_nan=False)


def _side(value: object) -> Side:
    if isinstance(value, str) and value in {side.value for side in Side}:
        return Side(value)
    raise PydanticCustomError(
        f"{CUSTOM_ERROR_PREFIX}side",
        "{got} is not a side (the sides: {sides})",
        {"got": repr(value), "sides": ", ".join(side.value for side in Side)},
    )


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=NAME_MAX)]
Rating = Annotated[float, Field(ge=LOWEST_ANSWER, le=HIGHEST_ANSWER)]
Spread = Annotated[float, Field(ge=0, le=HIGHEST_ANSWER - LOWEST_ANSWER)]
Share = Annotated[float, Field(ge=0, lt=1)]
SideKey = Annotated[Side, BeforeValidator(_side)]


def _owner(value: object) -> Owner:
    names = {owner.name.lower(): owner for owner in Owner}
    if isinstance(value, str) and value in names:
        return names[value]
    raise PydanticCustomError(
        f"{CUSTOM_ERROR_PREFIX}owner",
        "{got} is not an owner of a stage (the owners: {owners})",
        {"got": repr(value), "owners": ", ".join(names)},
    )


OwnerName = Annotated[Owner, BeforeValidator(_owner)]


class SideModel(_Model):
    respondents: Annotated[int, Field(ge=1, le=MAX_RESPONDENTS)]
    excluded: Annotated[int, Field(ge=0, le=MAX_RESPONDENTS)] = 0
    base: Rating
    dimensions: dict[str, Rating] = Field(default_factory=dict)
    items: dict[str, Rating] = Field(default_factory=dict)
    #: Funnel stage id → who the side believes leads it (marketing, sales, both, nobody).
    funnel: dict[str, OwnerName] = Field(default_factory=dict)


class WaveModel(_Model):
    name: Name
    days_before_today: Annotated[int, Field(ge=0, le=MAX_DAYS_BEFORE_TODAY)]
    sides: dict[SideKey, SideModel]

    @model_validator(mode="after")
    def _has_every_side(self) -> WaveModel:
        missing = [side.value for side in Side if side not in self.sides]
        if missing:
            raise PydanticCustomError(
                f"{CUSTOM_ERROR_PREFIX}sides",
                "sides: {missing} missing (a wave simulates both sides)",
                {"missing": " and ".join(missing) + (" is" if len(missing) == 1 else " are")},
            )
        return self


class AnswersModel(_Model):
    dont_know: Share
    answer_spread: Spread
    respondent_spread: Spread
    excluded_share: Share
    #: Chance that one respondent names another owner of a funnel stage than the side does.
    funnel_noise: Share = 0.1


#: Lists whose entries problems name by a key of the entry.
_LABEL_KEYS = {"waves": "name"}


class ScenarioModel(_Model):
    organisation: Name
    seed: int
    answers: AnswersModel
    #: Checked against the bank by ``parse_context``, which names each factor.
    context: Any = None
    waves: list[WaveModel] = Field(min_length=1)


def _wave_label(index: int, document: Mapping[str, object]) -> str:
    waves = document.get("waves")
    wave = waves[index] if isinstance(waves, list) and index < len(waves) else None
    name = wave.get("name") if isinstance(wave, dict) else None
    return (
        f"waves[{index}] ({name})" if isinstance(name, str) and name.strip() else f"waves[{index}]"
    )


def parse_scenario(text: str, source: str = "demo.yaml") -> ScenarioModel:
    """Check the shape of a scenario document; ``source`` names it in problems."""
    problems: list[str] = []
    document = load_yaml(text, source, problems)
    if problems:
        raise DemoScenarioError(problems)
    if document is None:
        raise DemoScenarioError([f"{source}: the file is empty"])
    if not isinstance(document, dict):
        raise DemoScenarioError(
            [
                f"{source}: the document must be a mapping with organisation, seed, "
                f"answers, context and waves (got a {type(document).__name__} value)"
            ]
        )
    try:
        model = ScenarioModel.model_validate(document)
    except ValidationError as error:
        raise DemoScenarioError(
            f"{source}: {where}: {what}"
            for details in error.errors(include_url=False)
            for where, what in [describe_error(details, document, _LABEL_KEYS)]
        ) from None
    names: set[str] = set()
    for index, wave in enumerate(model.waves):
        where = f"{source}: {_wave_label(index, document)}"
        if wave.name in names:
            problems.append(f"{where}: name: {wave.name!r} is used by an earlier wave")
        names.add(wave.name)
        if index and wave.days_before_today >= model.waves[index - 1].days_before_today:
            problems.append(
                f"{where}: days_before_today: must be fewer than the previous wave's "
                f"({model.waves[index - 1].days_before_today}); waves are listed oldest first"
            )
    if problems:
        raise DemoScenarioError(problems)
    return model


def read_scenario(path: str | os.PathLike[str]) -> ScenarioModel:
    """Read the scenario file at ``path`` and check its shape (not yet against a bank)."""
    source = os.fspath(path)
    text = read_text_file(path, DemoScenarioError)
    return parse_scenario(text, source)


# --------------------------------------------------------------------------- against the bank


def _unknown(noun: str, key: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(key, list(known), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{key!r} is not {noun} of the bank{hint}"


def _excluded_share_problem(bank: Bank, share: float) -> str | None:
    """Why excluded respondents with ``share`` of the items answered would count, if so."""
    item_ids = [item.id for item in bank.items]
    answered = round(len(item_ids) * share)
    probe = ScoringResponse(
        side=Side.MARKETING, answers=dict.fromkeys(item_ids[:answered], LOWEST_ANSWER)
    )
    if not is_counted(bank, probe):
        return None
    return (
        f"answers.excluded_share: {share} is too high for the bank: a respondent who "
        f"answers {answered} of its {len(item_ids)} items is counted, not excluded"
    )


def check_scenario(model: ScenarioModel, bank: Bank, source: str = "demo.yaml") -> DemoScenario:
    """Check the scenario's ids and advisor answers against ``bank``; every problem at once."""
    problems: list[str] = []
    dimension_ids = [dimension.id for dimension in bank.dimensions]
    item_ids = [item.id for item in bank.items]
    stage_ids = [stage.id for stage in bank.funnel.stages] if bank.funnel is not None else []
    for index, wave in enumerate(model.waves):
        where = f"{source}: waves[{index}] ({wave.name})"
        for side, tendency in wave.sides.items():
            for key in tendency.dimensions:
                if key not in dimension_ids:
                    what = _unknown("a dimension", key, dimension_ids)
                    problems.append(f"{where}: sides.{side.value}.dimensions: {what}")
            for key in tendency.items:
                if not bank.has_item(key):
                    what = _unknown("an item", key, item_ids)
                    problems.append(f"{where}: sides.{side.value}.items: {what}")
            if tendency.funnel and bank.funnel is None:
                problems.append(f"{where}: sides.{side.value}.funnel: the bank has no funnel")
                continue
            for key in tendency.funnel:
                if key not in stage_ids:
                    what = _unknown("a funnel stage", key, stage_ids)
                    problems.append(f"{where}: sides.{side.value}.funnel: {what}")
    if (share_problem := _excluded_share_problem(bank, model.answers.excluded_share)) is not None:
        problems.append(f"{source}: {share_problem}")
    context: ContextAnswers = {}
    try:
        context = parse_context(model.context, bank, f"{source}: context")
    except ContextError as error:
        problems.extend(error.problems)
    if problems:
        raise DemoScenarioError(problems)
    return _to_scenario(model, context)


def _to_scenario(model: ScenarioModel, context: ContextAnswers) -> DemoScenario:
    answers = model.answers

    def profile(wave: WaveModel) -> Profile:
        tendencies = {
            side: Tendency(
                base=values.base,
                dimensions=MappingProxyType(dict(values.dimensions)),
                items=MappingProxyType(dict(values.items)),
                funnel=MappingProxyType(dict(values.funnel)),
            )
            for side, values in wave.sides.items()
        }
        return Profile(
            marketing=tendencies[Side.MARKETING],
            sales=tendencies[Side.SALES],
            answer_spread=answers.answer_spread,
            respondent_spread=answers.respondent_spread,
            dont_know=answers.dont_know,
            funnel_noise=answers.funnel_noise,
        )

    return DemoScenario(
        organisation=model.organisation,
        seed=model.seed,
        excluded_share=answers.excluded_share,
        context=MappingProxyType(context),
        waves=tuple(
            DemoWave(
                name=wave.name,
                days_before_today=wave.days_before_today,
                respondents=MappingProxyType({s: wave.sides[s].respondents for s in Side}),
                excluded=MappingProxyType({s: wave.sides[s].excluded for s in Side}),
                profile=profile(wave),
            )
            for wave in model.waves
        ),
    )


def load_scenario(bank: Bank, path: str | os.PathLike[str]) -> DemoScenario:
    """Read the scenario file at ``path`` and check it against ``bank``."""
    return check_scenario(read_scenario(path), bank, os.fspath(path))


def current_scenario(bank: Bank | None = None) -> DemoScenario:
    """The scenario of ``DEMO_PATH`` (or ``demo.yaml``), checked against ``bank``."""
    return load_scenario(bank or current_bank(), demo_path())


__all__ = [
    "ANSWERING_DAYS",
    "DemoScenario",
    "DemoScenarioError",
    "DemoWave",
    "Profile",
    "Tendency",
    "check_scenario",
    "current_scenario",
    "default_demo_path",
    "demo_path",
    "load_scenario",
    "parse_scenario",
    "read_scenario",
]
