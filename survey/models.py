"""Database tables. Invariants are constraints, so bad rows cannot exist at all.

Anonymity: a ``Response`` holds its side, whether it counts and the *day* it
was submitted — never an IP address, a user agent, an exact time, a cookie or
the link token it came through.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db

NAME_MAX = 200
TOKEN_BYTES = 24  # 192 bits, above the 128 the links promise
SIDES = ("marketing", "sales")


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A consultant, or an admin who also manages consultants."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: A disabled account cannot log in; its data stays.
    is_disabled: Mapped[bool] = mapped_column(default=False)
    created_on: Mapped[dt.date] = mapped_column(default=today)
    #: Changes whenever the password or the account status changes, so old sessions end.
    session_version: Mapped[int] = mapped_column(default=1)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="owner")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.is_disabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


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
    #: The ``version`` of the question bank the wave was created with.
    bank_version: Mapped[int]
    #: Sides with fewer counted responses than this are hidden from every report.
    threshold: Mapped[int] = mapped_column(SmallInteger, default=5)
    #: Answers to the advisor's questions (factor id → value); ``None`` if not given.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_on: Mapped[dt.date] = mapped_column(default=today)
    marketing_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    sales_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    report_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)

    organisation: Mapped[Organisation] = relationship(back_populates="assessments")
    responses: Mapped[list[Response]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
    )

    def survey_token(self, side: str) -> str:
        return self.marketing_token if side == "marketing" else self.sales_token


class Response(db.Model):  # type: ignore[name-defined,misc]
    """One anonymous respondent's submission (see the module docstring)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE")
    )
    side: Mapped[str] = mapped_column(String(16))
    #: False when fewer than two thirds of the items had a 1–5 answer.
    counted: Mapped[bool]
    submitted_on: Mapped[dt.date] = mapped_column(default=today)

    assessment: Mapped[Assessment] = relationship(back_populates="responses")
    answers: Mapped[list[Answer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("side IN ('marketing', 'sales')", name="side_known"),
        Index("ix_response_assessment_side", "assessment_id", "side", "counted"),
    )


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """One answer of one response, in long format; ``value`` NULL means "don't know"."""

    response_id: Mapped[int] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)

    __table_args__ = (
        CheckConstraint("value IS NULL OR (value BETWEEN 1 AND 5)", name="value_on_scale"),
    )


class Draft(db.Model):  # type: ignore[name-defined,misc]
    """Answers in progress, keyed by a random cookie so a respondent can resume.

    Deleted when the response is submitted. Holds nothing that identifies a person.
    """

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_on: Mapped[dt.date] = mapped_column(default=today, onupdate=today)

    __table_args__ = (CheckConstraint("side IN ('marketing', 'sales')", name="side_known"),)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what to which object, and when. Never holds survey answers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: Kept as text so the trail survives the deletion of the account.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
