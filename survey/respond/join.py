"""``GET /j/<code>``: a join code typed off a projector or a poster leads to the survey.

The code (see ``survey.services.join_codes``) is read forgivingly and answered with
a redirect to the side's survey link. Unknown codes count against the same
per-address limit as unknown survey links (``SURVEY_TOKEN_LIMIT``): 404 until the
limit, 429 after it, so codes cannot be found by trying them. A known code never
consults the limit, so a room behind one address that mistypes now and then is
not locked out.
"""

from __future__ import annotations

from flask import abort, redirect, url_for
from werkzeug.wrappers import Response

from survey.respond import bp, limits
from survey.services import join_codes


@bp.get("/j/<code>")
def join(code: str) -> Response:
    found = join_codes.find(code)
    if found is None:
        abort(404 if limits.hit(limits.UNKNOWN_TOKEN) else 429)
    assessment, side = found
    return redirect(url_for("respond.start", token=assessment.survey_token(side.value)))
