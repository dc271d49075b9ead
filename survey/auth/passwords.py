"""Passwords in the browser: ``/password/<token>`` (a set-password link an admin made) and
``/account/password`` (a signed-in consultant changes their own).

Both are limited like sign-in: ``LOGIN_ATTEMPTS_LIMIT`` refused attempts per client
address (and, for the change, per account) within its window answer 429. A refused
attempt is a link that is unknown, used or expired, or a wrong current password;
a new password that is too short is a typing matter and does not count.

Setting or changing a password ends every session of the account; the change
starts a fresh one for the browser it was made in, so the consultant stays signed
in there and nowhere else.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from survey.auth.forms import ChangePasswordForm, SetPasswordForm
from survey.auth.routes import bp
from survey.auth.sessions import start_session
from survey.extensions import limiter
from survey.services import passwords
from survey.services.accounts import AccountError

#: Statuses of a refused attempt: a link that cannot be used, or a wrong password.
REFUSED_STATUSES = frozenset({403, 404, 410})
LINK_STATUS = {
    passwords.LinkProblem.UNKNOWN: 404,
    passwords.LinkProblem.USED: 410,
    passwords.LinkProblem.EXPIRED: 410,
}


def attempts_limit() -> str:
    """The same number of refused attempts as sign-in allows (``LOGIN_ATTEMPTS_LIMIT``)."""
    return str(current_app.config["LOGIN_ATTEMPTS_LIMIT"])


def refused(response: Response) -> bool:
    return response.status_code in REFUSED_STATUSES


def signed_in_account() -> str:
    return f"account:{current_user.id if current_user.is_authenticated else ''}"


def _no_store(page: str, status: int = 200) -> Response:
    response = make_response(page, status)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/password/<token>", methods=["GET", "POST"])
@limiter.limit(attempts_limit, key_func=get_remote_address, deduct_when=refused, scope="address")
def set_password(token: str) -> Any:
    try:
        account = passwords.link_account(token)
    except passwords.LinkRefused as error:
        page = render_template("auth/password_link_refused.html", problem=error.problem.value)
        return _no_store(page, LINK_STATUS[error.problem])
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            passwords.set_password_with_link(token, form.new_password.data or "")
        except passwords.LinkRefused as error:  # used or expired meanwhile
            page = render_template("auth/password_link_refused.html", problem=error.problem.value)
            return _no_store(page, LINK_STATUS[error.problem])
        except AccountError as error:
            form.new_password.errors = [*form.new_password.errors, str(error)]
        else:
            flash(_("Your password is set. Sign in with it."), "success")
            return redirect(url_for("auth.login"))
    return _no_store(render_template("auth/set_password.html", form=form, email=account.email))


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
@limiter.limit(attempts_limit, key_func=get_remote_address, deduct_when=refused, scope="address")
@limiter.limit(attempts_limit, key_func=signed_in_account, deduct_when=refused, scope="account")
def change_password() -> Any:
    form = ChangePasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            account = passwords.change_password(
                current_user, form.current_password.data or "", form.new_password.data or ""
            )
        except passwords.WrongPassword:
            form.current_password.errors = [
                *form.current_password.errors,
                _("That is not your current password."),
            ]
            status = 403
        except AccountError as error:
            form.new_password.errors = [*form.new_password.errors, str(error)]
        else:
            start_session(account)  # this browser stays signed in; every other session ends
            flash(_("Your password is changed. You are signed out everywhere else."), "success")
            return redirect(url_for("workspace.home"))
    return _no_store(render_template("auth/change_password.html", form=form), status)
