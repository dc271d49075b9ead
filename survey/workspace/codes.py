"""Invitation codes of a wave: making them, a printable sheet of slips, a CSV for a mail merge."""

from __future__ import annotations

import csv
import io

from flask import Response, flash, redirect, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from werkzeug.wrappers import Response as BaseResponse

from scoring import Side
from survey.models import Assessment
from survey.services import invitations
from survey.services.invitations import MAX_CODES
from survey.workspace.forms import CodesForm
from survey.workspace.pages import owned_side_or_404, printable_sheet, survey_link
from survey.workspace.routes import back_to_wave, bp


@bp.post("/assessments/<int:assessment_id>/codes/<side>")
def make_codes(assessment_id: int, side: str) -> BaseResponse:
    assessment, team = owned_side_or_404(assessment_id, side)
    form = CodesForm()
    if not form.validate_on_submit():
        flash(_("Enter how many codes to make, from 1 to %(max)d.", max=MAX_CODES), "error")
        return back_to_wave(assessment)
    codes = invitations.generate(assessment, team, form.count.data)
    flash(
        ngettext("%(num)d new code was made.", "%(num)d new codes were made.", len(codes)),
        "success",
    )
    return redirect(url_for(".code_sheet", assessment_id=assessment.id, side=team.value))


def _unused_codes(assessment: Assessment, team: Side) -> list[str]:
    return [
        invitations.shown(row.code)
        for row in invitations.codes_of(assessment, team)
        if not row.used
    ]


@bp.get("/assessments/<int:assessment_id>/codes/<side>")
def code_sheet(assessment_id: int, side: str) -> Response:
    """A printable A4 sheet: one slip per unused code, with the link and a QR code."""
    assessment, team = owned_side_or_404(assessment_id, side)
    return printable_sheet(
        "workspace/code_sheet.html",
        assessment,
        team,
        codes=_unused_codes(assessment, team),
    )


@bp.get("/assessments/<int:assessment_id>/codes/<side>.csv")
def code_list(assessment_id: int, side: str) -> Response:
    """The unused codes with the survey link, for a mail merge."""
    assessment, team = owned_side_or_404(assessment_id, side)
    link = survey_link(assessment, team)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["code", "survey_link"])
    writer.writerows([code, link] for code in _unused_codes(assessment, team))
    response = Response(buffer.getvalue(), mimetype="text/csv")
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"invitation-codes-{team.value}.csv"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
