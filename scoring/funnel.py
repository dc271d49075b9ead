"""The buying-funnel ownership map: who each side believes leads each stage today.

Per stage, each respondent says who leads it: marketing, sales, both together or
nobody (or "don't know", left out). For each side and stage the map gives the
share of each answer and the leader — the answer most of that side gave, or none
when two answers tie. A stage is shown for a side only from ``threshold``
answers, like an item. The sides **disagree** on a stage when both are shown
and name different leaders. A side's **handoff** is the first stage (in funnel
order) it sees led by sales; the sides place the handoff **apart** when both
have one and they differ — the most common quarrel ("we never agreed where a
lead passes from us to them"), so the moves on handoffs and the funnel come first.
The combined view weighs both sides equally (the mean of their shares).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import IntEnum
from fractions import Fraction

from scoring.model import Bank, FunnelStage, Side


class Owner(IntEnum):
    """Who leads a stage; the value is the answer code stored for it."""

    MARKETING = 1
    SALES = 2
    BOTH = 3
    NOBODY = 4


@dataclass(frozen=True)
class StageView:
    """One side's (or the combined) view of who leads one stage."""

    #: Share of the answers naming each owner (exact); empty while not shown.
    shares: Mapping[Owner, Fraction]
    #: How many answered 1–4, and how many said "don't know" (``None`` for the combined view).
    answered: int | None
    dont_know: int | None
    #: The owner most answers named; ``None`` on a tie or while not shown.
    leader: Owner | None

    @property
    def shown(self) -> bool:
        return bool(self.shares)


@dataclass(frozen=True)
class StageMap:
    stage: FunnelStage
    marketing: StageView
    sales: StageView
    combined: StageView

    def view(self, side: Side) -> StageView:
        return self.marketing if side is Side.MARKETING else self.sales

    @property
    def disagree(self) -> bool:
        leaders = (self.marketing.leader, self.sales.leader)
        return None not in leaders and leaders[0] != leaders[1]


@dataclass(frozen=True)
class FunnelMap:
    stages: tuple[StageMap, ...]
    #: Per side, the first stage it sees led by sales (``None``: no such stage shown).
    handoff: Mapping[Side, FunnelStage | None]

    @property
    def handoff_apart(self) -> bool:
        ends = (self.handoff[Side.MARKETING], self.handoff[Side.SALES])
        return None not in ends and ends[0] != ends[1]

    @property
    def disagreements(self) -> tuple[StageMap, ...]:
        return tuple(stage for stage in self.stages if stage.disagree)


def _leader(shares: Mapping[Owner, Fraction]) -> Owner | None:
    if not shares:
        return None
    top = max(shares.values())
    leaders = [owner for owner in Owner if shares.get(owner) == top]
    return leaders[0] if len(leaders) == 1 else None


def _side_view(counts: Mapping[int, int] | None, threshold: int, visible: bool) -> StageView:
    counts = counts or {}
    answered = sum(number for code, number in counts.items() if code in Owner._value2member_map_)
    dont_know = sum(
        number for code, number in counts.items() if code not in Owner._value2member_map_
    )
    if not visible or answered < max(threshold, 1):
        return StageView(shares={}, answered=None, dont_know=None, leader=None)
    shares = {owner: Fraction(counts.get(owner.value, 0), answered) for owner in Owner}
    return StageView(shares=shares, answered=answered, dont_know=dont_know, leader=_leader(shares))


def _combined(marketing: StageView, sales: StageView) -> StageView:
    if not (marketing.shown and sales.shown):
        return StageView(shares={}, answered=None, dont_know=None, leader=None)
    shares = {owner: (marketing.shares[owner] + sales.shares[owner]) / 2 for owner in Owner}
    return StageView(shares=shares, answered=None, dont_know=None, leader=_leader(shares))


def funnel_map(
    bank: Bank,
    counts: Mapping[tuple[Side, str], Mapping[int, int]],
    *,
    threshold: int,
    visible: Mapping[Side, bool],
) -> FunnelMap | None:
    """The map from per-side answer counts (stage id → answer code → number).

    ``visible`` says which sides reached the threshold; ``None`` when the bank
    has no funnel.
    """
    if bank.funnel is None:
        return None
    stages = []
    for stage in bank.funnel.stages:
        views = {
            side: _side_view(counts.get((side, stage.id)), threshold, visible.get(side, False))
            for side in Side
        }
        stages.append(
            StageMap(
                stage=stage,
                marketing=views[Side.MARKETING],
                sales=views[Side.SALES],
                combined=_combined(views[Side.MARKETING], views[Side.SALES]),
            )
        )
    handoff = {
        side: next((s.stage for s in stages if s.view(side).leader is Owner.SALES), None)
        for side in Side
    }
    return FunnelMap(stages=tuple(stages), handoff=handoff)
