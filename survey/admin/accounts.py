"""Accounts from the browser: an admin makes a consultant, or a set-password link for one.

There is no mail server, so the link is shown to the admin once, to pass on by
hand; only its hash is stored (see ``survey.services.passwords``). The page that
shows it is never cached.
"""

from __future__ import annotations

from typing import Any

from flask import abort, make_response, render_template
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import ActionForm, NewConsultantForm
from survey.admin.routes import bp
from survey.services import passwords
from survey.services.accounts import AccountError, NoSuchAccount
from survey.services.assessments import absolute_url


def _link_page(issued: passwords.IssuedLink, *, new_account: bool) -> Response:
    page = render_template(
        "admin/password_link.html",
        issued=issued,
        link=absolute_url(f"/password/{issued.token}"),
        hours=passwords.LINK_HOURS,
        new_account=new_account,
    )
    response = make_response(page)
    # The page holds a link that sets a password: never keep it anywhere.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/consultants/new", methods=["GET", "POST"])
def new_consultant() -> Any:
    form = NewConsultantForm()
    if form.validate_on_submit():
        try:
            issued = passwords.create_consultant(
                form.email.data or "", admin=bool(form.admin.data), actor=current_user
            )
        except AccountError as error:
            message = str(error)
            if message.startswith("an account for"):
                message = _("There is an account for this address already.")
            elif "is not an email address" in message:
                message = _("This is not an email address.")
            form.email.errors = [*form.email.errors, message]
        else:
            return _link_page(issued, new_account=True)
    return render_template("admin/consultant_new.html", form=form)


@bp.post("/consultants/<int:user_id>/password-link")
def password_link(user_id: int) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        issued = passwords.issue_link(user_id, actor=current_user)
    except NoSuchAccount:
        abort(404)
    return _link_page(issued, new_account=False)
