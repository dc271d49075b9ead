"""Reviewing the answers to the open question before leadership reads them.

The wave page lists the comments of released groups only (``_comments.html``); a
consultant may hide one from the report (a name, an insult) and show it again. The
comment is kept, marked hidden; each change is audited without its text.
"""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as BaseResponse

from survey.services import comments
from survey.workspace.access import owned_assessment_or_404
from survey.workspace.forms import ActionForm
from survey.workspace.routes import bp


@bp.context_processor
def comment_review() -> dict[str, Any]:
    """``comments_for_review(assessment)`` for the wave page's section."""
    return {"comments_for_review": comments.comments_for_review}


def _set_hidden(assessment_id: int, comment_id: str, hidden: bool) -> BaseResponse:
    assessment = owned_assessment_or_404(assessment_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    if not comments.set_hidden(assessment, comment_id, hidden):
        abort(404)
    if hidden:
        flash(
            _("The comment is hidden from the report. It is kept, and you can show it again."),
            "success",
        )
    else:
        flash(_("The comment is shown in the report again."), "success")
    return redirect(url_for(".assessment", assessment_id=assessment.id, _anchor="comments"))


@bp.post("/assessments/<int:assessment_id>/comments/<comment_id>/hide")
def hide_comment(assessment_id: int, comment_id: str) -> BaseResponse:
    return _set_hidden(assessment_id, comment_id, True)


@bp.post("/assessments/<int:assessment_id>/comments/<comment_id>/show")
def show_comment(assessment_id: int, comment_id: str) -> BaseResponse:
    return _set_hidden(assessment_id, comment_id, False)
