"""Consultant accounts: sign in and out, and the rules every signed-in session follows.

The views live in ``routes``, the idle timeout in ``sessions``; this package
exposes ``bp`` and the user loader.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from survey.auth.routes import bp
from survey.extensions import db, login_manager
from survey.models import User

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
# Flash a plain string: a lazy one would be stored in the session cookie as markup.
login_manager.localize_callback = str

__all__ = ["bp", "load_user"]


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
