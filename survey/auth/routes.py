"""``/login`` and ``/logout``.

Failed sign-ins are limited per client address (429 once over the limit) and slowed
down per account (never refused): see ``survey.auth.throttle``. Signing out ends
every session of the account, on every device (``survey.services.accounts``).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.auth import throttle
from survey.auth.forms import EMAIL_MAX, LoginForm
from survey.auth.sessions import end_idle_session, end_session, start_session
from survey.services.accounts import normalise_email, record_sign_out, sign_in

bp = Blueprint("auth", __name__)
bp.before_app_request(end_idle_session)


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
def login() -> Response | str:
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if request.method == "POST" and not throttle.address_may_try():
        abort(429)
    form = LoginForm()
    wrong = False
    if form.validate_on_submit():
        email = form.email.data or ""
        user = sign_in(email, form.password.data or "")
        if user is not None:
            start_session(user)
            return redirect(safe_next(request.args.get("next")))
        wrong = True
        throttle.wait(throttle.record_failure(normalise_email(email)[:EMAIL_MAX]))
    return render_template("auth/login.html", form=form, wrong=wrong)


@bp.post("/logout")
def logout() -> Response:
    if current_user.is_authenticated:
        record_sign_out(current_user)
    end_session()
    flash(_("You are signed out."), "success")
    return redirect(url_for("auth.login"))
