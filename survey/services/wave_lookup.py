"""Finding a wave by a value one of its two sides holds: a survey token, a join code."""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Select, bindparam, or_, select
from sqlalchemy.orm import InstrumentedAttribute, joinedload

from scoring import Side
from survey.extensions import db
from survey.models import Assessment


@cache
def _query(marketing: str, sales: str) -> Select[Any]:
    # Built once per pair of columns: every survey request runs it, and building the
    # select cost as much as running it. The organisation comes in the same query, as
    # the survey's pages name it (a lazy load was a second query).
    value = bindparam("value")
    return (
        select(Assessment)
        .where(or_(getattr(Assessment, marketing) == value, getattr(Assessment, sales) == value))
        .options(joinedload(Assessment.organisation))
    )


def wave_and_side(
    marketing: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    sales: InstrumentedAttribute[str] | InstrumentedAttribute[str | None],
    value: str,
) -> tuple[Assessment, Side] | None:
    """The wave whose ``marketing`` or ``sales`` column holds ``value``, and that side."""
    assessment = db.session.scalar(_query(marketing.key, sales.key), {"value": value})
    if assessment is None:
        return None
    side = Side.MARKETING if getattr(assessment, marketing.key) == value else Side.SALES
    return assessment, side
