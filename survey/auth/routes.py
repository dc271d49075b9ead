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
from survey.extensions import limiter
from survey.services.accounts import normalise_email, record_sign_out, sign_in

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
        user = sign_in(form.email.data or "", form.password.data or "")
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        wrong = True
    return render_template("auth/login.html", form=form, wrong=wrong)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        record_sign_out(current_user)
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))
