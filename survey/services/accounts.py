"""Consultant and admin accounts; passwords hashed with argon2."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import User

MIN_PASSWORD_LENGTH = 12
_hasher = PasswordHasher()
# Verifying against this keeps the time of a failed login the same for unknown emails.
_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


class AccountError(ValueError):
    """A clear reason why an account could not be created or changed."""


def normalise_email(email: str) -> str:
    return email.strip().lower()


def find_account(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def create_account(email: str, password: str, *, admin: bool = False) -> User:
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


def check_password(email: str, password: str) -> User | None:
    """The active account with this email and password, or ``None``."""
    user = find_account(email)
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        return None
    if user is None or user.is_disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user
