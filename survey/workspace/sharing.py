"""Handing out a wave's links: QR codes (to show or download), a printable sheet per side,
and new join codes when the old ones reached the wrong people.

QR codes carry the side's survey link with the 4-module quiet zone the QR standard
asks for (ISO/IEC 18004), so phones read them off a projector or a poster.
"""

from __future__ import annotations

import io
from typing import Any

import segno
from flask import Response, abort
from flask_babel import gettext as _

from survey.services import join_codes
from survey.workspace.access import owned_assessment_or_404
from survey.workspace.pages import confirm_then, owned_side_or_404, printable_sheet, survey_link
from survey.workspace.routes import bp
from survey.workspace.wave_page import short_links

#: Modules of light margin around a QR code (the standard's minimum).
QUIET_ZONE = 4
#: Pixels per module of a downloaded PNG: 41 modules with the margin → 49 × 12 = 588 px.
PNG_SCALE = 12
SVG = "image/svg+xml"


def qr_bytes(link: str, kind: str) -> bytes:
    """The QR code of ``link`` as an SVG (scalable) or a PNG (``PNG_SCALE`` px a module)."""
    buffer = io.BytesIO()
    code = segno.make(link, error="m")
    if kind == "png":
        code.save(buffer, kind="png", scale=PNG_SCALE, border=QUIET_ZONE)
    else:
        code.save(
            buffer,
            kind="svg",
            scale=4,
            border=QUIET_ZONE,
            xmldecl=False,
            omitsize=True,
            light="#fff",
        )
    return buffer.getvalue()


def _private(response: Response) -> Response:
    # The code carries a survey link: keep it out of shared caches.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.get("/assessments/<int:assessment_id>/qr/<side>.svg")
def qr_code(assessment_id: int, side: str) -> Response:
    assessment, team = owned_side_or_404(assessment_id, side)
    link = survey_link(assessment, team)
    return _private(Response(qr_bytes(link, "svg"), mimetype=SVG))


@bp.get("/assessments/<int:assessment_id>/qr/<side>/download.<kind>")
def qr_download(assessment_id: int, side: str, kind: str) -> Response:
    """The QR code as a file for slides and posters: ``download.svg`` or ``download.png``."""
    assessment, team = owned_side_or_404(assessment_id, side)
    if kind not in {"svg", "png"}:
        abort(404)
    link = survey_link(assessment, team)
    mimetype = SVG if kind == "svg" else "image/png"
    response = Response(qr_bytes(link, kind), mimetype=mimetype)
    response.headers.set(
        "Content-Disposition", "attachment", filename=f"survey-qr-{team.value}.{kind}"
    )
    return _private(response)


@bp.get("/assessments/<int:assessment_id>/sheet/<side>")
def side_sheet(assessment_id: int, side: str) -> Response:
    """A printable A4 sheet for one side: QR code, join code, short address, one line."""
    assessment, team = owned_side_or_404(assessment_id, side)
    return printable_sheet(
        "workspace/side_sheet.html",
        assessment,
        team,
        short=(short_links(assessment) or {}).get(team.value),
    )


@bp.route("/assessments/<int:assessment_id>/join-codes/replace", methods=["GET", "POST"])
def replace_join_codes(assessment_id: int) -> Any:
    """GET says what stops working; POST (the confirmation) makes new codes."""
    return confirm_then(
        owned_assessment_or_404(assessment_id),
        join_codes.replace_codes,
        _("Both teams have new join codes. The old codes and short addresses no longer work."),
        heading=_("Replace the join codes?"),
        breaks=[
            _(
                "The join codes and short addresses on slides, posters and printed sheets stop "
                "working at once. Anyone who types them gets “not found”."
            ),
            _(
                "The QR codes and the full survey links keep working: they do not use the "
                "join codes."
            ),
            _("Answers already given are kept."),
        ],
        button=_("Replace the join codes"),
    )
