"""The leadership report at /r/<report-token> and its charts.

The report token is the only key: anyone holding the link sees the report,
nobody else can tell it exists. A rotated token stops working at once.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, make_response, render_template, request, url_for

from scoring import Side
from scoring.rules import FLAG_GAP
from survey.charts import CHARTS, cached_chart, chart_etag, items_by_gap
from survey.models import Assessment
from survey.report import bp
from survey.report.formatting import helpers, language
from survey.services.assessments import find_by_report_token
from survey.services.banks import bank_of
from survey.services.comments import published_comments
from survey.services.results import assessment_result, progress

#: Seconds a browser may reuse a chart before asking again (then with its ETag).
CHART_MAX_AGE = 300
# A chart is an image, never a document: no scripts, no loads; matplotlib's
# SVG styles its shapes with inline style attributes, which images may keep.


@bp.context_processor
def report_helpers() -> dict[str, Any]:
    return helpers()


def _assessment_or_404(token: str) -> Assessment:
    assessment = find_by_report_token(token)
    if assessment is None:
        abort(404)
    return assessment


def _private(response: Response) -> Response:
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.vary.add("Accept-Language")
    return response


@bp.get("/r/<token>")
def report(token: str) -> Response:
    assessment = _assessment_or_404(token)
    result, _fingerprint = assessment_result(assessment)
    charts = {
        name: url_for("report.chart", token=assessment.report_token, name=name) for name in CHARTS
    }
    page = render_template(
        "report/report.html",
        assessment=assessment,
        organisation=assessment.organisation,
        result=result,
        bank=bank_of(assessment),
        progress=progress(assessment),
        sides=list(Side),
        charts=charts,
        gap_order=items_by_gap(result) if result.is_placed else [],
        flag_gap=float(FLAG_GAP),
        comments=published_comments(assessment),
    )
    response = make_response(page)
    response.headers["Cache-Control"] = "private, no-store"
    return _private(response)


@bp.get("/r/<token>/charts/<name>.svg")
def chart(token: str, name: str) -> Response:
    if name not in CHARTS:
        abort(404)
    assessment = _assessment_or_404(token)
    result, fingerprint = assessment_result(assessment)
    if not result.is_placed:
        abort(404)  # no chart may show a side below the threshold
    locale = language()
    etag = chart_etag(fingerprint, name, locale)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        svg = cached_chart(name, result, fingerprint, bank_of(assessment), locale)
        response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"private, max-age={CHART_MAX_AGE}"
    return _private(response)
