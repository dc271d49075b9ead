"""Presenter mode: the live workshop view a room watches on a projector.

One screen without scrolling (1280 × 720 up to 1920 × 1080): per side a large QR
code, the join code and its short address, and the responses received against the
threshold and the headcount; once both sides are released, the placement and the
five largest marked gaps, shown only when the consultant presses R (the room talks
about what it expects first). ``static/js/live.js`` asks for ``live.json`` every
``LIVE_POLL_MS`` so a release shows within about two seconds.

Everything shown comes from released groups (``overview.wave``); the only numbers
that move with a single response are the ``received`` and ``waiting`` counters,
which say that someone answered, never what.
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, make_response, render_template, request, url_for

from scoring import AssessmentResult, ItemResult, Side
from survey.i18n import current_locale
from survey.models import Assessment
from survey.report.formatting import gap as format_gap
from survey.report.formatting import mean as format_mean
from survey.report.formatting import score as format_score
from survey.services import join_codes, overview
from survey.services.assessments import absolute_url, links
from survey.workspace.access import owned_assessment_or_404
from survey.workspace.routes import bp

#: How often the presenter view asks for new counts, in milliseconds (a release shows
#: within one interval plus one request).
LIVE_POLL_MS = 1500
#: How many marked gaps the room sees.
TOP_GAPS = 5


def top_gaps(result: AssessmentResult, language: str) -> list[dict[str, str]]:
    """The largest marked gaps (either direction), as the screen shows them."""
    flagged: list[ItemResult] = sorted(
        result.flagged_items, key=lambda item: -abs(item.gap or 0.0)
    )[:TOP_GAPS]
    return [
        {
            "statement": item.item.marketing.get(language),
            "marketing": format_mean(item.marketing_mean),
            "sales": format_mean(item.sales_mean),
            "gap": format_gap(item.gap),
        }
        for item in flagged
    ]


def live_state(assessment: Assessment) -> dict[str, Any]:
    """What the presenter view shows: released results only, and counts that reveal no
    answers (``received`` and ``waiting`` move with each response, nothing else does)."""
    wave = overview.wave(assessment)
    result = wave.result
    state: dict[str, Any] = {
        "threshold": assessment.threshold,
        "is_open": assessment.is_open,
        "sides": {
            side.value: {
                "received": progress.received,
                "waiting": progress.waiting,
                "counted": progress.counted,
                "needed": result.sides[side].needed,
                "headcount": progress.headcount,
            }
            for side, progress in wave.progress.items()
        },
        "placed": result.is_placed,
        # Changes only when a release changes what may be shown.
        "version": wave.fingerprint.version,
    }
    if result.is_placed and result.type is not None and result.score is not None:
        language = current_locale().split("_")[0]
        state.update(
            type=result.type.name.get(language),
            score_text=format_score(result.score),
            gaps=top_gaps(result, language),
            flagged=len(result.flagged_items),
        )
    return state


def side_links(assessment: Assessment) -> dict[str, dict[str, str]]:
    """Per side: the survey link, the join code as printed and the short address.

    A wave made before join codes existed gets them here, the first time.
    """
    survey_links = links(assessment)["survey_links"]
    codes = join_codes.ensure_codes(assessment)
    return {
        side.value: {
            "survey": survey_links[side.value],
            "code": codes[side].shown,
            "short": absolute_url(codes[side].path),
        }
        for side in Side
    }


@bp.get("/assessments/<int:assessment_id>/live")
def live(assessment_id: int) -> Response:
    assessment = owned_assessment_or_404(assessment_id)
    page = render_template(
        "workspace/live.html",
        assessment=assessment,
        organisation=assessment.organisation,
        state=live_state(assessment),
        sides=side_links(assessment),
        # Without JavaScript, ?reveal=1 shows the results (the R key does it with it).
        revealed=request.args.get("reveal") == "1",
        poll_ms=LIVE_POLL_MS,
        json_url=url_for(".live_json", assessment_id=assessment.id),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assessments/<int:assessment_id>/live.json")
def live_json(assessment_id: int) -> Response:
    assessment = owned_assessment_or_404(assessment_id)
    response = jsonify(live_state(assessment))
    response.headers["Cache-Control"] = "no-store"
    return response
