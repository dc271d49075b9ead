"""Workspace pages. Each view parses the request, checks ownership, calls a service, renders."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from werkzeug.utils import secure_filename
from werkzeug.wrappers import Response as BaseResponse

from scoring import Bank, Side
from survey import charts
from survey.charts import CHARTS, Canvas, ChartUnavailable, Size, cached_chart
from survey.i18n import current_locale
from survey.models import Assessment
from survey.services import exports, invitations, overview
from survey.services import organisations as service
from survey.services.assessments import links
from survey.services.banks import bank_of, current_bank
from survey.services.context import ContextError
from survey.workspace import wave_page
from survey.workspace.access import owned_assessment_or_404, owned_organisation_or_404
from survey.workspace.forms import (
    ActionForm,
    CodesForm,
    DeleteAssessmentForm,
    DeleteOrganisationForm,
    OrganisationForm,
    assessment_form_class,
)

bp = Blueprint("workspace", __name__, url_prefix="/workspace")

SVG = "image/svg+xml"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.before_request
@login_required
def require_login() -> None:
    """Every workspace page needs a signed-in consultant (anonymous visitors go to log in)."""


def _svg(data: bytes) -> Response:
    response = Response(data, mimetype=SVG)
    # Charts show client data: keep them out of shared caches.
    response.headers["Cache-Control"] = "private, no-cache"
    return response


def _canvas(bank: Bank) -> Canvas:
    """Where a chart is drawn: the bank, the page's language and ``?size=`` (default wide)."""
    try:
        size = Size(request.args.get("size", Size.WIDE.value))
    except ValueError:
        abort(404)
    return Canvas(bank, current_locale(), size)


def _side_label(side: str) -> str:
    return _("marketing") if side == Side.MARKETING.value else _("sales")


def _invitation(assessment: Assessment, side: str, link: str) -> str:
    return _(
        "Hello,\n\n"
        "%(organisation)s is looking at how marketing and sales work together, and we would "
        "like to hear from the %(side)s team. The survey takes about ten minutes:\n\n"
        "%(link)s\n\n"
        "It is anonymous: nobody sees your individual answers, and a team's results are "
        "shown only once at least %(threshold)d of its members have answered.\n\n"
        "Thank you!",
        organisation=assessment.organisation.name,
        side=_side_label(side),
        link=link,
        threshold=assessment.threshold,
    )


def waiting_text(wave: overview.Wave | overview.Placement) -> str:
    """What a wave that is not placed yet waits for, e.g. "Waiting: 3 more sales responses"."""
    parts = [
        ngettext("%(num)d more marketing response", "%(num)d more marketing responses", needed)
        if side == Side.MARKETING.value
        else ngettext("%(num)d more sales response", "%(num)d more sales responses", needed)
        for side, needed in wave.waiting_for()
    ]
    if not parts:
        return _("Not placed yet")
    if len(parts) == 1:
        return _("Waiting: %(what)s", what=parts[0])
    return _("Waiting: %(first)s and %(second)s", first=parts[0], second=parts[1])


@bp.context_processor
def workspace_helpers() -> dict[str, Any]:
    return {"waiting_text": waiting_text}


# --- organisations -----------------------------------------------------------


@bp.get("/")
def home() -> str:
    cards = overview.organisation_cards(current_user)
    return render_template("workspace/home.html", cards=cards)


@bp.route("/organisations/new", methods=["GET", "POST"])
def new_organisation() -> Any:
    form = OrganisationForm()
    if form.validate_on_submit():
        try:
            organisation = service.create_organisation(current_user, form.name.data)
        except service.WorkspaceError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash(_("The organisation was created. Add its first survey wave."), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template("workspace/organisation_new.html", form=form)


@bp.get("/organisations/<int:organisation_id>")
def organisation(organisation_id: int) -> str:
    organisation = owned_organisation_or_404(organisation_id)
    waves = overview.waves_of(organisation)
    placed = [w for w in waves if w.is_placed]
    return render_template(
        "workspace/organisation.html",
        organisation=organisation,
        waves=waves,
        placed=placed,
        changes=overview.dimension_changes(placed),
        locale=current_locale(),
    )


@bp.get("/organisations/<int:organisation_id>/charts/trend.svg")
def trend_chart(organisation_id: int) -> Response:
    organisation = owned_organisation_or_404(organisation_id)
    points = [
        (w.assessment.name, w.result.score)
        for w in overview.waves_of(organisation)
        if w.is_placed and w.result.score is not None
    ]
    return _svg(charts.trend_chart(points, _canvas(current_bank())))


@bp.route("/organisations/<int:organisation_id>/delete", methods=["GET", "POST"])
def delete_organisation(organisation_id: int) -> Any:
    organisation = owned_organisation_or_404(organisation_id)
    form = DeleteOrganisationForm()
    if form.validate_on_submit() and form.confirms(organisation.name):
        service.delete_organisation(organisation)
        flash(_("The organisation and all its data were deleted."), "success")
        return redirect(url_for(".home"))
    return render_template(
        "workspace/organisation_delete.html", organisation=organisation, form=form
    )


@bp.post("/organisations/<int:organisation_id>/export.json")
def export_organisation(organisation_id: int) -> Response:
    """The organisation's data as a JSON download; a POST, since the export is audited."""
    organisation = owned_organisation_or_404(organisation_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    filename = service.export_filename(organisation)
    data = service.export_organisation(organisation, current_locale())
    response = jsonify(data)
    response.headers.set("Content-Disposition", "attachment", filename=filename)
    response.headers["Cache-Control"] = "no-store"
    return response


# --- waves -------------------------------------------------------------------


@bp.route("/organisations/<int:organisation_id>/assessments/new", methods=["GET", "POST"])
def new_assessment(organisation_id: int) -> Any:
    organisation = owned_organisation_or_404(organisation_id)
    bank = current_bank()
    form_class = assessment_form_class(bank, current_locale())
    form = form_class(threshold=current_app.config["DEFAULT_THRESHOLD"])
    if form.validate_on_submit():
        try:
            assessment = service.create_wave(
                organisation,
                name=form.name.data,
                threshold=form.threshold.data,
                context=form.context_answers(bank),
                identifiable_confirmed=form.identifiable_confirmed.data,
                invitations=form.invitations.data,
                headcounts={
                    Side.MARKETING: form.marketing_headcount.data,
                    Side.SALES: form.sales_headcount.data,
                },
            )
        except (service.WorkspaceError, ContextError) as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            flash(_("The wave was created. Send the two survey links below."), "success")
            return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template(
        "workspace/assessment_new.html",
        organisation=organisation,
        form=form,
    )


@bp.get("/assessments/<int:assessment_id>")
def assessment(assessment_id: int) -> Response:
    assessment = owned_assessment_or_404(assessment_id)
    wave_links = links(assessment)
    texts = {
        side: _invitation(assessment, side, link)
        for side, link in wave_links["survey_links"].items()
    }
    code_counts = {}
    if assessment.invitations == "codes":
        for team in Side:
            rows = invitations.codes_of(assessment, team)
            used = sum(1 for row in rows if row.used)
            code_counts[team.value] = (len(rows) - used, used)
    page = render_template(
        "workspace/assessment.html",
        assessment=assessment,
        organisation=assessment.organisation,
        wave=overview.wave(assessment),
        links=wave_links,
        invitations=texts,
        code_counts=code_counts,
        codes_form=CodesForm(),
        delete_form=DeleteAssessmentForm(),
        locale=current_locale(),
        **wave_page.extras(assessment),
    )
    response = make_response(page)
    # The page holds the survey and report links, which are bearer credentials.
    response.headers["Cache-Control"] = "no-store"
    return response


def back_to_wave(assessment: Assessment) -> BaseResponse:
    return redirect(url_for(".assessment", assessment_id=assessment.id))


@bp.post("/assessments/<int:assessment_id>/close")
def close_assessment(assessment_id: int) -> BaseResponse:
    assessment = owned_assessment_or_404(assessment_id)
    if ActionForm().validate_on_submit():
        service.set_wave_open(assessment, False)
        flash(_("The wave is closed: the survey links no longer accept answers."), "success")
    return back_to_wave(assessment)


@bp.post("/assessments/<int:assessment_id>/reopen")
def reopen_assessment(assessment_id: int) -> BaseResponse:
    assessment = owned_assessment_or_404(assessment_id)
    if ActionForm().validate_on_submit():
        service.set_wave_open(assessment, True)
        flash(_("The wave is open again: the survey links accept answers."), "success")
    return back_to_wave(assessment)


@bp.post("/assessments/<int:assessment_id>/delete")
def delete_assessment(assessment_id: int) -> BaseResponse:
    assessment = owned_assessment_or_404(assessment_id)
    organisation_id = assessment.organisation_id
    form = DeleteAssessmentForm()
    if not form.validate_on_submit():
        flash(
            _("Tick the box to confirm that the wave should be deleted. Nothing was deleted."),
            "error",
        )
        return back_to_wave(assessment)
    service.delete_wave(assessment)
    flash(_("The wave and all its responses were deleted."), "success")
    return redirect(url_for(".organisation", organisation_id=organisation_id))


# --- charts of a wave ----------------------------------------------------------


@bp.get("/assessments/<int:assessment_id>/charts/<name>.svg")
def assessment_chart(assessment_id: int, name: str) -> Response:
    assessment = owned_assessment_or_404(assessment_id)
    if name not in CHARTS:
        abort(404)
    wave = overview.wave(assessment)
    try:
        svg = cached_chart(name, wave.result, wave.fingerprint, _canvas(bank_of(assessment)))
    except ChartUnavailable:
        # Nothing to draw while a side is below the threshold, and nothing may leak.
        abort(404)
    return _svg(svg)


# --- the wave's results as a spreadsheet -------------------------------------------


def _download(assessment: Assessment, data: str | bytes, kind: str, mimetype: str) -> Response:
    name = secure_filename(f"{assessment.organisation.name} {assessment.name}") or "wave"
    response = Response(data, mimetype=mimetype)
    response.headers.set("Content-Disposition", "attachment", filename=f"{name}-results.{kind}")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/assessments/<int:assessment_id>/results.csv")
def results_csv(assessment_id: int) -> Response:
    """The wave's published figures as CSV (released aggregates only, never a response)."""
    assessment = owned_assessment_or_404(assessment_id)
    data = exports.to_csv(exports.tables(assessment, current_locale()))
    return _download(assessment, data, "csv", "text/csv")


@bp.get("/assessments/<int:assessment_id>/results.xlsx")
def results_xlsx(assessment_id: int) -> Response:
    """The same figures as an XLSX workbook, one sheet per table."""
    assessment = owned_assessment_or_404(assessment_id)
    data = exports.to_xlsx(exports.tables(assessment, current_locale()))
    return _download(assessment, data, "xlsx", XLSX)
