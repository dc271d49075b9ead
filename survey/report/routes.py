"""The leadership report at /r/<report-token>, its charts and its PDF handout.

The report token is the only key: anyone holding the link sees the report,
nobody else can tell it exists. A rotated token stops working at once.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from flask import Response, abort, current_app, make_response, render_template, request, url_for
from werkzeug.utils import secure_filename

from scoring import AssessmentResult, Side
from scoring.rules import FLAG_GAP
from survey.charts import CHARTS, Canvas, ChartUnavailable, Size, cached_chart, chart_etag
from survey.models import Assessment
from survey.report import bp
from survey.report.formatting import helpers, language
from survey.report.pdf import DEFAULT_PAPER, PAPERS, render_pdf
from survey.services import funnel as funnel_words
from survey.services import highlights
from survey.services.assessments import find_by_report_token
from survey.services.banks import bank_of
from survey.services.comments import published_comments
from survey.services.comparison import comparison_of
from survey.services.results import Fingerprint, assessment_result, progress

#: Seconds a browser may reuse a chart before asking again (then with its ETag).
CHART_MAX_AGE = 300
# A chart is an image, never a document: no scripts, no loads; its SVG styles its
# shapes with presentation attributes only, so the strict CSP holds for it too.


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


def _chart_urls(assessment: Assessment) -> dict[str, str]:
    return {
        name: url_for("report.chart", token=assessment.report_token, name=name) for name in CHARTS
    }


def _page(
    assessment: Assessment, result: AssessmentResult, *, for_pdf: bool = False, paper: str = ""
) -> str:
    """The report page; ``for_pdf`` draws it for WeasyPrint (charts at print size)."""
    return render_template(
        "report/report.html",
        assessment=assessment,
        organisation=assessment.organisation,
        result=result,
        bank=bank_of(assessment),
        progress=progress(assessment),
        sides=list(Side),
        charts=_chart_urls(assessment),
        for_pdf=for_pdf,
        paper=paper,
        papers=PAPERS,
        gap_order=highlights.gaps_by_size(result) if result.is_placed else [],
        largest_gaps=highlights.largest_gaps(result) if result.is_placed else [],
        gaps_that_matter=highlights.gaps_that_matter(result) if result.is_placed else [],
        first_steps=highlights.next_steps(result),
        comparison=comparison_of(assessment, result),
        flag_gap=float(FLAG_GAP),
        comments=published_comments(assessment),
        funnel_shown=result.funnel is not None and funnel_words.anything_shown(result.funnel),
        funnel_cells=funnel_words.cells,
        owner_name=funnel_words.owner_name,
    )


@bp.get("/r/<token>")
def report(token: str) -> Response:
    assessment = _assessment_or_404(token)
    result, _fingerprint = assessment_result(assessment)
    response = make_response(_page(assessment, result))
    response.headers["Cache-Control"] = "private, no-store"
    return _private(response)


def _size() -> Size:
    try:
        return Size(request.args.get("size", Size.WIDE.value))
    except ValueError:
        abort(404)


@bp.get("/r/<token>/charts/<name>.svg")
def chart(token: str, name: str) -> Response:
    if name not in CHARTS:
        abort(404)
    canvas_size = _size()
    assessment = _assessment_or_404(token)
    result, fingerprint = assessment_result(assessment)
    if not result.is_placed:
        abort(404)  # no chart may show a side below the threshold
    canvas = Canvas(bank_of(assessment), language(), canvas_size)
    etag = chart_etag(fingerprint, name, canvas)
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        try:
            svg = cached_chart(name, result, fingerprint, canvas)
        except ChartUnavailable:
            abort(404)  # e.g. the funnel map of a wave whose bank has no funnel
        response = Response(svg, mimetype="image/svg+xml")
    response.set_etag(etag)
    response.headers["Cache-Control"] = f"private, max-age={CHART_MAX_AGE}"
    return _private(response)


def _print_charts(
    assessment: Assessment, result: AssessmentResult, fingerprint: Fingerprint
) -> dict[str, bytes]:
    """Every chart at print size, keyed by the path the PDF's page names it with."""
    if not result.is_placed:
        return {}
    canvas = Canvas(bank_of(assessment), language(), Size.PRINT)
    drawn = {}
    for name, url in _chart_urls(assessment).items():
        try:
            svg = cached_chart(name, result, fingerprint, canvas)
        except ChartUnavailable:
            continue  # a chart the page does not show (no funnel in the wave's bank)
        drawn[f"{url}?size={Size.PRINT.value}"] = svg
    return drawn


def pdf_filename(assessment: Assessment) -> str:
    name = secure_filename(f"{assessment.organisation.name} {assessment.name}") or "report"
    return f"{name}.pdf"


@bp.get("/r/<token>/report.pdf")
def report_pdf(token: str) -> Response:
    """The report as a PDF handout, A4 or (``?paper=letter``) Letter."""
    paper = request.args.get("paper", DEFAULT_PAPER)
    if paper not in PAPERS:
        abort(404)
    assessment = _assessment_or_404(token)
    started = time.perf_counter()
    result, fingerprint = assessment_result(assessment)
    html = _page(assessment, result, for_pdf=True, paper=paper)
    data = render_pdf(
        html,
        base_url=request.host_url,
        resources=_print_charts(assessment, result, fingerprint),
        static_folder=Path(current_app.static_folder or "static"),
        static_url=current_app.static_url_path or "/static",
        paper=paper,
    )
    current_app.logger.debug("report PDF drawn in %.2f s", time.perf_counter() - started)
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{pdf_filename(assessment)}"'
    response.headers["Cache-Control"] = "private, no-store"
    return _private(response)
