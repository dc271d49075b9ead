"""What every model of the API's JSON shares (``survey.services.serialise`` and
``survey.services.serialise_instrument``): strictness and rounding."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

#: Decimals of numbers on the 20–100 scale, and of those on the 1–5 answer scale.
SCORE_DIGITS = 2
MEAN_DIGITS = 3

SideName = Literal["marketing", "sales"]


class Model(BaseModel):
    # Every key is always present, extra keys are never accepted, nothing is mutated.
    model_config = ConfigDict(extra="forbid", frozen=True)
