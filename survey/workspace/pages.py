"""Page shapes that several workspace views share: a wave and a side from the URL, a
printable sheet for one side, and the confirmation page in front of an action that
breaks links.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from flask import Response, abort, flash, make_response, render_template

from scoring import Side
from survey.models import Assessment
from survey.services.assessments import links
from survey.workspace.access import owned_assessment_or_404
from survey.workspace.forms import ActionForm
from survey.workspace.routes import back_to_wave


def owned_side_or_404(assessment_id: int, side: str) -> tuple[Assessment, Side]:
    """The consultant's own wave and one of its sides, or a plain 404."""
    assessment = owned_assessment_or_404(assessment_id)
    if side not in {s.value for s in Side}:
        abort(404)
    return assessment, Side(side)


def survey_link(assessment: Assessment, team: Side) -> str:
    return str(links(assessment)["survey_links"][team.value])


def printable_sheet(template: str, assessment: Assessment, team: Side, **context: Any) -> Response:
    """A sheet to print for one side; it carries links, so nothing may keep a copy."""
    page = render_template(
        template,
        assessment=assessment,
        organisation=assessment.organisation,
        side=team.value,
        link=survey_link(assessment, team),
        **context,
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


def confirm_then(
    assessment: Assessment,
    action: Callable[[Assessment], object],
    done: str,
    *,
    heading: str,
    breaks: Sequence[str],
    button: str,
) -> Any:
    """GET says what stops working; POST (the confirmation) runs ``action`` and says ``done``."""
    form = ActionForm()
    if form.validate_on_submit():
        action(assessment)
        flash(done, "success")
        return back_to_wave(assessment)
    return render_template(
        "workspace/confirm.html",
        assessment=assessment,
        organisation=assessment.organisation,
        form=form,
        heading=heading,
        breaks=breaks,
        button=button,
    )
