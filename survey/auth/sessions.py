"""Signed-in sessions: a fresh cookie at sign-in, and an end after 30 idle minutes.

Flask keeps the session in a signed cookie, so there is no server-side id to
rotate: clearing the session before signing in issues a new cookie that shares
nothing with the one a visitor had before (no session fixation). The cookie is
permanent for ``PERMANENT_SESSION_LIFETIME`` and re-issued on every request; the
signature itself expires after that time too. The ``seen`` timestamp makes the
idle rule explicit and testable.
"""

from __future__ import annotations

import time

from flask import current_app, flash, session
from flask_babel import gettext as _
from flask_login import login_user, logout_user

from survey.models import User

#: Seconds since the epoch of the last request of the signed-in session.
SEEN_KEY = "seen"
#: Where Flask-Login keeps the signed-in account.
USER_KEY = "_user_id"


def start_session(user: User) -> None:
    """Sign ``user`` in on a new session."""
    session.clear()
    login_user(user)
    session.permanent = True
    session[SEEN_KEY] = int(time.time())


def end_session() -> None:
    logout_user()
    session.clear()


def end_idle_session() -> None:
    """Before every request: sign out a session idle for longer than the session lifetime."""
    if USER_KEY not in session:
        return
    now = int(time.time())
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    seen = session.get(SEEN_KEY)
    if isinstance(seen, int) and now - seen > idle_limit:
        end_session()
        flash(
            _(
                "You were signed out after %(minutes)d minutes without activity. "
                "Please sign in again.",
                minutes=int(idle_limit // 60),
            ),
            "info",
        )
        return
    session.permanent = True
    session[SEEN_KEY] = now
