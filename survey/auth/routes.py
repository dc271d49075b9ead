"""``/login`` and ``/logout``.

Failed sign-ins are limited twice over, per client address and per email
address: ``LOGIN_ATTEMPTS_LIMIT`` failures within its window answer 429 until
the window ends. Only failures count (a successful sign-in redirects, 302).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.auth.forms import EMAIL_MAX, LoginForm
from survey.auth.sessions import end_idle_session, end_session, start_session
from survey.database import begin_write
from survey.extensions import db, limiter
from survey.services.accounts import check_password, find_account, normalise_email
from survey.services.audit import UNKNOWN_ADDRESS, record

bp = Blueprint("auth", __name__)
bp.before_app_request(end_idle_session)


def login_limit() -> str:
    return str(current_app.config["LOGIN_ATTEMPTS_LIMIT"])


def submitted_email() -> str:
    """The limiter's key for the email address a sign-in names (however it is typed)."""
    return "email:" + normalise_email(request.form.get("email", ""))[:EMAIL_MAX]


def failed(response: Response) -> bool:
    return response.status_code != 302


def safe_next(target: str | None) -> str:
    """``target`` if it is a path on this site, otherwise the workspace.

    Browsers read ``//host`` and ``/\\host`` as other sites and drop tabs and
    line breaks, so only a plain absolute path without those is accepted.
    """
    default = url_for("workspace.home")
    if not target or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(character) < 0x21 for character in target):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(
    login_limit,
    key_func=get_remote_address,
    methods=["POST"],
    deduct_when=failed,
    scope="address",
)
@limiter.limit(
    login_limit,
    key_func=submitted_email,
    methods=["POST"],
    deduct_when=failed,
    scope="email",
)
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    wrong = False
    if form.validate_on_submit():
        email = normalise_email(form.email.data or "")
        # Hashing takes a while: check the password in a read transaction, so that on
        # SQLite no survey submission waits for it behind the write lock.
        user = check_password(email, form.password.data or "")
        new_hash = user.password_hash if user is not None and db.session.is_modified(user) else None
        # End the read (dropping a new hash from the session) before the write starts.
        db.session.rollback()
        begin_write()
        # Checked again under the lock: the account may have been disabled meanwhile.
        if user is not None and not user.is_disabled:
            if new_hash is not None:
                user.password_hash = new_hash
            record("login", user.email, actor_email=user.email)
            db.session.commit()
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        account = find_account(email)
        # Only the address of an account: whatever else was typed (perhaps a password,
        # in the wrong field) stays out of the audit log.
        record("login.failed", account.email if account is not None else UNKNOWN_ADDRESS)
        db.session.commit()
        wrong = True
    return render_template("auth/login.html", form=form, wrong=wrong)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        begin_write()
        record("logout", current_user.email)
        db.session.commit()
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))
