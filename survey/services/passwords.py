"""Passwords from the browser: set-password links an admin hands out, and changing one's own.

There is no mail server, so an admin makes a consultant's account (or resets a
forgotten password) by issuing a *set-password link* and passing it on. The link
carries 256 random bits; only their SHA-256 is stored (``PasswordLink``), so a copy
of the database opens no account. A link works once and for ``LINK_HOURS`` hours;
setting a password through it uses up every open link of that account.

Setting or changing a password bumps ``User.session_version``, which ends every
session the account had (see ``survey.services.accounts.session_user``); the view
that changed it starts a fresh session for the one it was changed in.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select, update

from survey.extensions import db
from survey.models import PasswordLink, User, utcnow
from survey.services import accounts
from survey.services.accounts import MIN_PASSWORD_LENGTH, AccountError, NoSuchAccount
from survey.services.unit_of_work import end_read, unit_of_work

#: How long a set-password link works.
LINK_HOURS = 72
TOKEN_BYTES = 32


class LinkProblem(StrEnum):
    """Why a set-password link cannot be used."""

    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"


class LinkRefused(AccountError):
    def __init__(self, problem: LinkProblem) -> None:
        super().__init__(f"the set-password link is {problem.value}")
        self.problem = problem


class WrongPassword(AccountError):
    """The current password given to change it was wrong."""


@dataclass(frozen=True)
class IssuedLink:
    """A link just made: the token is shown once to the admin and never stored."""

    user: User
    token: str
    expires_at: dt.datetime


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_new_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")


def _issue(user: User, now: dt.datetime) -> IssuedLink:
    token = secrets.token_urlsafe(TOKEN_BYTES)
    expires_at = now + dt.timedelta(hours=LINK_HOURS)
    db.session.add(
        PasswordLink(token_hash=token_hash(token), user_id=user.id, expires_at=expires_at)
    )
    return IssuedLink(user=user, token=token, expires_at=expires_at)


def create_consultant(
    email: str, *, admin: bool, actor: User, now: dt.datetime | None = None
) -> IssuedLink:
    """A new account without a usable password, and the link to set one."""
    with unit_of_work() as work:
        # Nobody knows this password: the account opens only through the link.
        user = accounts.create_account(email, secrets.token_urlsafe(32), admin=admin)
        work.audit(
            "account.create",
            f"{user.email} (admin)" if admin else user.email,
            actor_email=actor.email,
        )
        issued = _issue(user, now or utcnow())
        work.audit("account.password_link", user.email, actor_email=actor.email)
    return issued


def issue_link(user_id: int, *, actor: User, now: dt.datetime | None = None) -> IssuedLink:
    """A new set-password link for an existing account (a forgotten password).

    The account's password and sessions stay as they are until the link is used.
    """
    with unit_of_work() as work:
        user = db.session.get(User, user_id)
        if user is None:
            raise NoSuchAccount(f"there is no account with id {user_id}")
        issued = _issue(user, now or utcnow())
        work.audit("account.password_link", user.email, actor_email=actor.email)
    return issued


def _usable(token: str, now: dt.datetime, *, lock: bool = False) -> PasswordLink:
    query = select(PasswordLink).where(PasswordLink.token_hash == token_hash(token))
    if lock:
        query = query.with_for_update()
    link = db.session.scalar(query)
    if link is None:
        raise LinkRefused(LinkProblem.UNKNOWN)
    if link.used:
        raise LinkRefused(LinkProblem.USED)
    if link.expires_at <= now:
        raise LinkRefused(LinkProblem.EXPIRED)
    return link


def link_account(token: str, now: dt.datetime | None = None) -> User:
    """The account a usable link sets the password of; :class:`LinkRefused` otherwise."""
    link = _usable(token, now or utcnow())
    user = db.session.get(User, link.user_id)
    if user is None or user.is_disabled:
        raise LinkRefused(LinkProblem.UNKNOWN)
    return user


def set_password_with_link(token: str, password: str, now: dt.datetime | None = None) -> User:
    """Set the account's password through the link; the link (and every other open link
    of the account) is used up, and every session of the account ends."""
    check_new_password(password)
    new_hash = accounts.hash_password(password)
    end_read()
    with unit_of_work() as work:
        link = _usable(token, now or utcnow(), lock=True)
        user = db.session.get(User, link.user_id)
        if user is None or user.is_disabled:
            raise LinkRefused(LinkProblem.UNKNOWN)
        db.session.execute(
            update(PasswordLink).where(PasswordLink.user_id == user.id).values(used=True)
        )
        user.password_hash = new_hash
        user.session_version += 1
        work.audit("account.password_set", user.email, actor_email=user.email)
    return user


def change_password(user: User, current: str, new: str) -> User:
    """Change the signed-in consultant's own password; every session of the account ends.

    The current password is checked in a read transaction, as at sign-in, so the
    argon2 work holds up no other write.
    """
    check_new_password(new)
    if accounts.check_password(user.email, current) is None:
        end_read()
        raise WrongPassword("the current password is wrong")
    new_hash = accounts.hash_password(new)
    end_read()
    with unit_of_work() as work:
        account = db.session.get(User, user.id)
        if account is None or account.is_disabled:
            raise NoSuchAccount("the account is gone or disabled")
        account.password_hash = new_hash
        account.session_version += 1
        work.audit("account.password_change", account.email, actor_email=account.email)
    return account
