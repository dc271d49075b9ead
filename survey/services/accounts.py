"""Consultant and admin accounts: creating, signing in, changing status; the audit log.

Passwords are hashed with argon2. Every change runs in one unit of work that
also records it in the audit log, so the sign-in page, the admin pages and the
``user`` command only parse input and call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import AuditEvent, Organisation, User
from survey.services.audit import UNKNOWN_ADDRESS
from survey.services.unit_of_work import end_read, unit_of_work

MIN_PASSWORD_LENGTH = 12
#: Audit events per page.
AUDIT_PAGE_SIZE = 100
_hasher = PasswordHasher()
_dummy_hash: str | None = None


class AccountError(ValueError):
    """A clear reason why an account could not be created or changed."""


class NoSuchAccount(AccountError):
    """The account to change does not exist."""


class OwnAccount(AccountError):
    """An admin tried to disable the account they are signed in with."""


def _timing_hash() -> str:
    """A hash to verify against for unknown emails, so a failed sign-in takes as long.

    Made on first use, not at import: every CLI command would otherwise pay for it.
    """
    global _dummy_hash
    if _dummy_hash is None:
        _dummy_hash = _hasher.hash("not a real password, only for timing")
    return _dummy_hash


def hash_password(password: str) -> str:
    """The argon2 hash of ``password`` (a few tens of milliseconds: call it outside a write)."""
    return _hasher.hash(password)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def all_accounts() -> list[User]:
    return list(db.session.scalars(select(User).order_by(User.email)))


def session_user(user_id: str) -> User | None:
    """The account a session cookie names as ``"<id>:<session version>"``, if still valid.

    The version changes with the password and the account status, so either ends
    every session that was opened before.
    """
    account_id, _, version = user_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalar(select(User).where(User.id == int(account_id)))
    if user is None or user.session_version != int(version) or user.is_disabled:
        return None
    return user


def create_account(email: str, password: str, *, admin: bool = False) -> User:
    """Add an account to the session (the caller's unit of work commits)."""
    email = normalise_email(email)
    if "@" not in email or len(email) > 254:
        raise AccountError(f"{email!r} is not an email address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if find_account(email) is not None:
        raise AccountError(f"an account for {email} already exists")
    user = User(email=email, password_hash=_hasher.hash(password), is_admin=admin)
    db.session.add(user)
    db.session.flush()
    return user


def register_account(email: str, password: str, *, admin: bool = False) -> User:
    """Create an account and record it in the audit log."""
    with unit_of_work() as work:
        user = create_account(email, password, admin=admin)
        work.audit("account.create", f"{user.email} (admin)" if admin else user.email)
    return user


def check_password(email: str, password: str) -> User | None:
    """The active account with this email and password, or ``None``."""
    user = find_account(email)
    try:
        _hasher.verify(user.password_hash if user else _timing_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.is_disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def sign_in(email: str, password: str) -> User | None:
    """The account these credentials open, with the attempt recorded; ``None`` if refused.

    The password is checked in a read transaction, so that on SQLite no survey
    submission waits behind the write lock while argon2 works.
    """
    email = normalise_email(email)
    user = check_password(email, password)
    new_hash = user.password_hash if user is not None and db.session.is_modified(user) else None
    end_read()  # also drops a new hash from the session until the write below
    with unit_of_work() as work:
        # Checked again under the lock: the account may have been disabled meanwhile.
        if user is not None and not user.is_disabled:
            if new_hash is not None:
                user.password_hash = new_hash
            work.audit("login", user.email, actor_email=user.email)
            return user
        account = find_account(email)
        # Only the address of an account: whatever else was typed (perhaps a password,
        # in the wrong field) stays out of the audit log.
        work.audit("login.failed", account.email if account is not None else UNKNOWN_ADDRESS)
    return None


def record_sign_out(user: User) -> None:
    """Sign out: every session of the account ends, on every device.

    The session cookie is signed, not stored, so a copy of it would otherwise stay
    valid; bumping the version the user loader compares makes every copy worthless.
    """
    with unit_of_work() as work:
        account = db.session.get(User, user.id)
        if account is not None:
            account.session_version += 1
        work.audit("logout", user.email)


def set_password_by_email(email: str, password: str) -> User:
    """Give an account a new password (the ``user password`` command); every session of
    the account ends."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    new_hash = _hasher.hash(password)  # before the write: argon2 holds no lock
    end_read()
    with unit_of_work() as work:
        account = find_account(email)
        if account is None:
            raise NoSuchAccount(f"there is no account for {email.strip()} (see `user list`)")
        account.password_hash = new_hash
        account.session_version += 1
        work.audit("account.password_set", account.email)
    return account


# --- what an admin manages ---------------------------------------------------------


@dataclass(frozen=True)
class ConsultantRow:
    id: int
    email: str
    is_admin: bool
    is_disabled: bool
    created_on: dt.date
    organisations: int


def consultant_rows() -> list[ConsultantRow]:
    """Every account by email, with the number of organisations it runs."""
    count = func.count(Organisation.id)
    rows = db.session.execute(
        select(User, count)
        .outerjoin(Organisation, Organisation.owner_id == User.id)
        .group_by(User.id)
        .order_by(User.email)
    )
    return [
        ConsultantRow(
            id=user.id,
            email=user.email,
            is_admin=user.is_admin,
            is_disabled=user.is_disabled,
            created_on=user.created_on,
            organisations=organisations,
        )
        for user, organisations in rows
    ]


def set_disabled(account_id: int, *, disabled: bool, actor: User | None) -> User:
    """Disable or enable an account; either ends all of its sessions.

    ``actor`` is the admin doing it (``None`` on the command line); nobody can
    disable their own account, so an installation always keeps an admin who can
    undo a mistake. Setting the status an account already has changes nothing.
    """
    with unit_of_work() as work:
        account = db.session.get(User, account_id)
        if account is None:
            raise NoSuchAccount(f"there is no account with id {account_id}")
        if disabled and actor is not None and actor.id == account.id:
            raise OwnAccount("you cannot disable your own account")
        if account.is_disabled == disabled:
            work.discard()
            return account
        account.is_disabled = disabled
        # The user loader compares this with the version in the session cookie.
        account.session_version += 1
        work.audit(
            "account.disable" if disabled else "account.enable",
            account.email,
            actor_email=actor.email if actor is not None else None,
        )
    return account


def set_disabled_by_email(email: str, *, disabled: bool) -> User:
    account = find_account(email)
    if account is None:
        end_read()
        raise NoSuchAccount(f"there is no account for {email.strip()} (see `user list`)")
    return set_disabled(account.id, disabled=disabled, actor=None)


def audit_page(page: int) -> Pagination:
    """One page of the audit log, newest first."""
    return db.paginate(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=AUDIT_PAGE_SIZE,
        max_per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
