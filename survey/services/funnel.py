"""The funnel ownership map as the report, its chart, the API and the exports word it.

The map itself is scored in the core (``scoring.funnel``) from released tallies only;
this module names owners and views in the reader's language and picks what the report
says about the map: each side's handoff, the stages the sides disagree on, and whether
anything can be shown at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from flask_babel import gettext

from scoring import FunnelMap, Owner, Side, StageMap, StageView


def owner_name(owner: Owner) -> str:
    """Who leads a stage, as the report and the chart write it."""
    names = {
        Owner.MARKETING: gettext("Marketing"),
        Owner.SALES: gettext("Sales"),
        Owner.BOTH: gettext("Both together"),
        Owner.NOBODY: gettext("Nobody"),
    }
    return str(names[owner])


def side_owner(side: Side) -> Owner:
    """The owner code that names the side itself (a side's "conventional" stages)."""
    return Owner.MARKETING if side is Side.MARKETING else Owner.SALES


@dataclass(frozen=True)
class Cell:
    """One view of one stage as a reader sees it: who leads, with what share."""

    view: StageView

    @property
    def shown(self) -> bool:
        return self.view.shown

    @property
    def leader(self) -> Owner | None:
        return self.view.leader

    @property
    def tie(self) -> bool:
        return self.view.shown and self.view.leader is None

    @property
    def _top(self) -> Fraction | None:
        return max(self.view.shares.values()) if self.view.shown else None

    @property
    def share(self) -> float | None:
        """The leader's share (0–1), or the tied owners' common share."""
        top = self._top
        return float(top) if top is not None else None

    @property
    def tied(self) -> list[Owner]:
        """The owners who share the top answer (one when there is a leader)."""
        top = self._top
        return [owner for owner in Owner if self.view.shares.get(owner) == top] if top else []

    @property
    def others(self) -> list[tuple[Owner, float]]:
        """The other owners some people named, largest share first."""
        named = [
            (owner, float(share))
            for owner, share in self.view.shares.items()
            if share and owner not in self.tied
        ]
        return sorted(named, key=lambda entry: -entry[1])


def cells(stage: StageMap) -> dict[str, Cell]:
    """A stage's three views, keyed ``marketing``, ``sales`` and ``combined``."""
    return {
        "marketing": Cell(stage.marketing),
        "sales": Cell(stage.sales),
        "combined": Cell(stage.combined),
    }


def anything_shown(funnel: FunnelMap) -> bool:
    """Whether any stage has a view with enough answers to show."""
    return any(view.shown for stage in funnel.stages for view in (stage.marketing, stage.sales))
