"""Consultant accounts: sign in and out."""

from __future__ import annotations

from flask import Blueprint
from sqlalchemy import select

from survey.extensions import db, login_manager
from survey.models import User

bp = Blueprint("auth", __name__)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    # The id carries the account's session version, so a password change or a
    # disabled account ends every session that was opened before.
    account_id, _, version = user_id.partition(":")
    if not account_id.isdigit() or not version.isdigit():
        return None
    user = db.session.scalar(select(User).where(User.id == int(account_id)))
    if user is None or user.session_version != int(version) or user.is_disabled:
        return None
    return user


@bp.get("/login")
def login() -> str:
    return "login"


@bp.post("/logout")
def logout() -> str:
    return "logout"
