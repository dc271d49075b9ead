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
from types import MappingProxyType

from scoring import Bank, FunnelStage, Item, Owner, Side, is_counted
from scoring import Response as ScoringResponse
from scoring.model import LOWEST_ANSWER
from survey.services.banks import current_bank
from survey.services.context import ContextAnswers, ContextError, parse_context
from survey.services.demo_file import (
    ANSWERING_DAYS,
    DemoScenarioError,
    ScenarioModel,
    WaveModel,
    default_demo_path,
    demo_path,
    parse_scenario,
    read_scenario,
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
