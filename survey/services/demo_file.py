"""The demo scenario file (``demo.yaml`` or ``DEMO_PATH``): where it is, and its shape.

Its shape is checked with frozen pydantic models; every problem is reported at once,
each line naming the file and the key. ``survey.services.demo_scenario`` then checks
it against the bank.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
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

from scoring import Owner, Side
from scoring.model import HIGHEST_ANSWER, LOWEST_ANSWER
from survey.models import NAME_MAX
from survey.problems import Problems, read_text_file
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
