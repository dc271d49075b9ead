"""The original twenty's score and the funnel map as JSON: two keys of the API's result.

Part of :mod:`survey.services.serialise` (kept apart so each module stays short); the
OpenAPI document is generated from these models too. Shapes::

    "original": {"items": 20, "score": 51.23 | null, "type": "defined" | null,
                 "sides": {"marketing": 55.1 | null, "sales": 47.4 | null}} | null
    "funnel": {"stages": [{"id", "name", "conventional": "marketing" | "sales",
                           "marketing": {"shares": {"marketing", "sales", "both", "nobody"}
                                                   | null,
                                         "answered": 5 | null, "dont_know": 0 | null,
                                         "leader": "sales" | null},
                           "sales": {...}, "combined": {...}, "disagree": false}],
               "handoff": {"marketing": "purchase_intention" | null, "sales": ...},
               "handoff_apart": true} | null

``original`` is ``null`` when the bank marks no statement as original, ``funnel`` when
it has no funnel. A view's ``shares`` (0–1, three decimals) are of the people who named
an owner; while the view has fewer than ``threshold`` of them, or its side is hidden,
``shares``, ``answered``, ``dont_know`` and ``leader`` are ``null``. The combined view
weighs both sides equally and has no counts. ``leader`` is ``null`` on a tie.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from scoring import FunnelMap, Owner, Side, StageView
from scoring.original import OriginalScore
from survey.services.serialise_base import SCORE_DIGITS, Model, SideName

OwnerName = Literal["marketing", "sales", "both", "nobody"]
SHARE_DIGITS = 3
OWNER_NAMES: dict[Owner, OwnerName] = {
    Owner.MARKETING: "marketing",
    Owner.SALES: "sales",
    Owner.BOTH: "both",
    Owner.NOBODY: "nobody",
}


class OriginalSides(Model):
    marketing: float | None
    sales: float | None


class Original(Model):
    """The score on the original published instrument's statements alone, 20–100."""

    items: int = Field(description="How many of the bank's statements are original ones")
    score: float | None = Field(description="Both sides weighed equally; null while waiting")
    type: str | None = Field(description="Bank type id of that score, on the published bands")
    sides: OriginalSides


class Shares(Model):
    marketing: float
    sales: float
    both: float
    nobody: float


class StageViewModel(Model):
    shares: Shares | None = Field(description="Of those who named an owner; null while hidden")
    answered: int | None = Field(description="Named an owner (null for the combined view)")
    dont_know: int | None
    leader: OwnerName | None = Field(description="The owner named most; null on a tie")


class Stage(Model):
    id: str
    name: str
    conventional: SideName = Field(description="Who leads the stage in the textbook split")
    marketing: StageViewModel
    sales: StageViewModel
    combined: StageViewModel
    disagree: bool = Field(description="Both sides shown, and they name different leaders")


class Handoff(Model):
    marketing: str | None = Field(description="First stage the side sees led by sales")
    sales: str | None


class Funnel(Model):
    """Who each side believes leads each stage of the buyer's journey (released answers)."""

    stages: list[Stage]
    handoff: Handoff
    handoff_apart: bool = Field(description="The sides place the handoff at different stages")


def _score(value: float | None) -> float | None:
    return None if value is None else round(value, SCORE_DIGITS)


def original_model(original: OriginalScore | None) -> Original | None:
    if original is None:
        return None
    return Original(
        items=original.items,
        score=_score(original.score),
        type=original.type.id if original.type is not None else None,
        sides=OriginalSides(
            marketing=_score(original.sides[Side.MARKETING]),
            sales=_score(original.sides[Side.SALES]),
        ),
    )


def _view(view: StageView) -> StageViewModel:
    shares = None
    if view.shown:
        shares = Shares(
            **{
                OWNER_NAMES[owner]: round(float(view.shares[owner]), SHARE_DIGITS)
                for owner in Owner
            }
        )
    return StageViewModel(
        shares=shares,
        answered=view.answered,
        dont_know=view.dont_know,
        leader=OWNER_NAMES[view.leader] if view.leader is not None else None,
    )


def funnel_model(funnel: FunnelMap | None, locale: str) -> Funnel | None:
    if funnel is None:
        return None
    marketing, sales = funnel.handoff[Side.MARKETING], funnel.handoff[Side.SALES]
    return Funnel(
        stages=[
            Stage(
                id=stage.stage.id,
                name=stage.stage.name.get(locale),
                conventional=stage.stage.conventional.value,
                marketing=_view(stage.marketing),
                sales=_view(stage.sales),
                combined=_view(stage.combined),
                disagree=stage.disagree,
            )
            for stage in funnel.stages
        ],
        handoff=Handoff(
            marketing=marketing.id if marketing is not None else None,
            sales=sales.id if sales is not None else None,
        ),
        handoff_apart=funnel.handoff_apart,
    )
