"""``/admin``: consultant accounts and the audit log, for admins only.

Anonymous visitors are sent to sign in; a signed-in consultant who is not an
admin gets a plain 404, so the pages do not even reveal that they exist.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from survey.admin.forms import ActionForm
from survey.extensions import login_manager
from survey.services import accounts as services

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.before_request
def require_admin() -> Response | None:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()  # type: ignore[no-any-return]
    if not current_user.is_admin:
        abort(404)
    return None


@bp.get("/")
def index() -> Response:
    return redirect(url_for(".consultants"))


@bp.get("/consultants")
def consultants() -> str:
    return render_template(
        "admin/consultants.html", consultants=services.consultant_rows(), form=ActionForm()
    )


def _change_status(user_id: int, *, disabled: bool) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        account = services.set_disabled(user_id, disabled=disabled, actor=current_user)
    except services.NoSuchAccount:
        abort(404)
    except services.OwnAccount:
        flash(_("You cannot disable your own account. Nothing was changed."), "error")
    else:
        if disabled:
            flash(_("%(email)s is disabled and signed out.", email=account.email), "success")
        else:
            flash(_("%(email)s can sign in again.", email=account.email), "success")
    return redirect(url_for(".consultants"))


@bp.post("/consultants/<int:user_id>/disable")
def disable(user_id: int) -> Response:
    return _change_status(user_id, disabled=True)


@bp.post("/consultants/<int:user_id>/enable")
def enable(user_id: int) -> Response:
    return _change_status(user_id, disabled=False)


@bp.get("/audit")
def audit() -> str:
    page = request.args.get("page", 1, type=int)
    # Event ids are 32-bit, so no log has more pages; larger numbers would overflow OFFSET.
    if not 1 <= page <= (2**31 - 1) // services.AUDIT_PAGE_SIZE + 1:
        abort(404)
    events = services.audit_page(page)
    if page > 1 and not events.items:
        abort(404)
    return render_template("admin/audit.html", events=events)
