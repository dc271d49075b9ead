"""Finding a wave by a value one of its two sides holds: a survey token, a join code."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import InstrumentedAttribute

from scoring import Side
from survey.extensions import db
from survey.models import Assessment


def wave_and_side(
    marketing: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    sales: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    value: str,
) -> tuple[Assessment, Side] | None:
    """The wave whose ``marketing`` or ``sales`` column holds ``value``, and that side."""
    assessment = db.session.scalar(
        select(Assessment).where(or_(marketing == value, sales == value))
    )
    if assessment is None:
        return None
    side = Side.MARKETING if getattr(assessment, marketing.key) == value else Side.SALES
    return assessment, side
