"""Consultant accounts: sign in and out, and the rules every signed-in session follows.

The views live in ``routes``, the idle timeout in ``sessions``; this package
exposes ``bp`` and the user loader.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from survey.auth import passwords  # noqa: F401  (its views join the blueprint)
from survey.auth.routes import bp
from survey.extensions import login_manager
from survey.models import User
from survey.services.accounts import session_user

login_manager.login_view = "auth.login"
login_manager.login_message = _l("Please sign in to see this page.")
login_manager.login_message_category = "info"
# Flash a plain string: a lazy one would be stored in the session cookie as markup.
login_manager.localize_callback = str

__all__ = ["bp", "load_user"]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return session_user(user_id)
