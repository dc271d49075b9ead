"""Client organisations, their assessment waves and the bank versions waves keep."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring import DEFAULT_THRESHOLD, Side
from survey.extensions import db
from survey.models.base import (
    INVITATION_MODES,
    NAME_MAX,
    new_token,
    today,
)

if TYPE_CHECKING:  # for annotations only; tables are linked by name
    from survey.models.accounts import User
    from survey.models.responses import Response


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    """A client organisation whose sales and marketing are assessed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: The consultant who runs it; ``None`` for organisations made on the command line.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_on: Mapped[dt.date] = mapped_column(default=today)

    owner: Mapped[User | None] = relationship(back_populates="organisations")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Assessment.id",
    )

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)


class Assessment(db.Model):  # type: ignore[name-defined,misc]
    """One wave of the survey ("baseline", "after 6 months" …) for one organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="Baseline")
    #: The ``version`` number the question bank declared when the wave was created.
    bank_version: Mapped[int]
    #: The exact bank the wave is scored, shown and exported with (see ``BankVersion``).
    bank_digest: Mapped[str] = mapped_column(ForeignKey("bank_version.digest"), index=True)
    #: Published figures move only in whole groups of this many counted responses per side.
    threshold: Mapped[int] = mapped_column(SmallInteger, default=DEFAULT_THRESHOLD)
    #: ``link``: anyone with a side's link may answer (up to its headcount);
    #: ``codes``: each response needs a single-use invitation code.
    invitations: Mapped[str] = mapped_column(String(8), default="link")
    #: Expected respondents per side; a side stops taking responses at its headcount.
    marketing_headcount: Mapped[int | None] = mapped_column(SmallInteger)
    sales_headcount: Mapped[int | None] = mapped_column(SmallInteger)
    #: Answers to the advisor's questions (factor id → value); ``None`` if not given.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_on: Mapped[dt.date] = mapped_column(default=today)
    marketing_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    sales_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    report_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: Short codes a room can type (``/j/<code>``), each leading to a side's survey link.
    marketing_join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    sales_join_code: Mapped[str | None] = mapped_column(String(16), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="assessments")
    responses: Mapped[list[Response]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "invitations IN ({})".format(", ".join(f"'{mode}'" for mode in INVITATION_MODES)),
            name="invitations_known",
        ),
        CheckConstraint(
            "marketing_headcount IS NULL OR marketing_headcount >= 1",
            name="marketing_headcount_positive",
        ),
        CheckConstraint(
            "sales_headcount IS NULL OR sales_headcount >= 1", name="sales_headcount_positive"
        ),
    )

    def survey_token(self, side: str) -> str:
        return self.marketing_token if side == Side.MARKETING else self.sales_token

    def headcount(self, side: str) -> int | None:
        return self.marketing_headcount if side == Side.MARKETING else self.sales_headcount


class BankVersion(db.Model):  # type: ignore[name-defined,misc]
    """A question bank exactly as some wave was created with it, kept for good.

    Editing ``questions.yaml`` makes a new version for new waves; older waves keep
    being scored, shown and exported with the text stored here.
    """

    __tablename__ = "bank_version"

    #: SHA-256 of ``text``.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The ``version`` number the bank declares.
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    stored_on: Mapped[dt.date] = mapped_column(default=today)


class ActionItem(db.Model):  # type: ignore[name-defined,misc]
    """A next-step move leadership chose, with who does what by when, and how it went."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The bank's move id (checked against the wave's bank when saved).
    move_id: Mapped[str] = mapped_column(String(64))
    marketing_owner: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    sales_owner: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    due_on: Mapped[dt.date | None]
    success_measure: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")

    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'dropped')", name="status_known"
        ),
    )
