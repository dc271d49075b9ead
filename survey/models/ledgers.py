"""The write-time ledgers published figures are computed from (see ``scoring.release``)."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
)
from sqlalchemy.orm import Mapped, mapped_column

from survey.extensions import db
from survey.models.base import (
    SIDE_CHECK,
)


class SideLedger(db.Model):  # type: ignore[name-defined,misc]
    """Per wave and side: how many responses are released and how many wait for a group."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    groups: Mapped[int] = mapped_column(default=0)
    released_counted: Mapped[int] = mapped_column(default=0)
    released_excluded: Mapped[int] = mapped_column(default=0)
    pending_counted: Mapped[int] = mapped_column(default=0)
    pending_excluded: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class QuestionTally(db.Model):  # type: ignore[name-defined,misc]
    """How many counted responses of a side gave each answer to one question.

    ``n1`` … ``n5`` count the answers 1–5 (for a funnel stage: the owner codes),
    ``dont_know`` the "don't know"s. Released rows are what results are computed
    from; a ``pending`` row holds answers a release held back because too few
    people of its group answered that question (they wait for the next release).
    Responses not yet released are not tallied: a release reads their answers.
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    question: Mapped[str] = mapped_column(String(80), primary_key=True)
    pending: Mapped[bool] = mapped_column(primary_key=True)
    dont_know: Mapped[int] = mapped_column(default=0)
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class ScoreTally(db.Model):  # type: ignore[name-defined,misc]
    """Released respondents' own scores per scope (whole bank ``""`` or a dimension).

    In integer units of ``scoring.rules.SCORE_UNIT`` per point, so sums stay exact.
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    total_squares: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class WaveSummary(db.Model):  # type: ignore[name-defined,misc]
    """A wave's published placement, stored whenever a release or the threshold changes it.

    The workspace's lists read these rows instead of scoring every wave on every
    visit. ``rules`` names the scoring rules that made it; a row made by other
    rules is recomputed (``flask tallies rebuild`` does it for all).
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[str] = mapped_column(String(32))
    placed: Mapped[bool] = mapped_column(default=False)
    #: Organisation score (20–100) and its 95 % interval; ``None`` while not placed.
    score: Mapped[float | None]
    score_low: Mapped[float | None]
    score_high: Mapped[float | None]
    type_id: Mapped[str | None] = mapped_column(String(64))


class Release(db.Model):  # type: ignore[name-defined,misc]
    """The threshold each release of a side was made with, so the ledgers can be rebuilt."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)
