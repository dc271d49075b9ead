"""Consultant accounts, their set-password links and the audit log."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import (
    ForeignKey,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.base import (
    today,
    utcnow,
)

if TYPE_CHECKING:  # for annotations only; tables are linked by name
    from survey.models.waves import Organisation


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


class PasswordLink(db.Model):  # type: ignore[name-defined,misc]
    """A one-time, expiring link to set a password, made by an admin (no mail server)."""

    #: SHA-256 of the token in the link; the token itself is shown once, never stored.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[dt.datetime]
    used: Mapped[bool] = mapped_column(default=False)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what to which object, and when. Never holds survey answers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: Kept as text so the trail survives the deletion of the account.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
