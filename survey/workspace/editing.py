"""Changing what was set up: an organisation's name, a wave's settings, the report link.

Renaming, the threshold, the headcounts and the advisor's context go through
``survey.services.wave_settings``; giving the report a new link breaks the one
leadership has, so it has a confirmation page (GET says what breaks, POST does it).
"""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _

from scoring import Side
from survey.i18n import current_locale
from survey.services import organisations as service
from survey.services import wave_settings
from survey.services.banks import bank_of
from survey.services.context import ContextError
from survey.workspace.access import owned_assessment_or_404, owned_organisation_or_404
from survey.workspace.edit_forms import settings_form
from survey.workspace.forms import OrganisationForm
from survey.workspace.pages import confirm_then
from survey.workspace.routes import bp


@bp.route("/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
def edit_organisation(organisation_id: int) -> Any:
    organisation = owned_organisation_or_404(organisation_id)
    form = OrganisationForm(data={"name": organisation.name})
    if form.validate_on_submit():
        try:
            changed = wave_settings.rename_organisation(organisation, form.name.data)
        except service.WorkspaceError as error:
            form.name.errors = [*form.name.errors, str(error)]
        else:
            if changed:
                flash(_("The organisation is renamed."), "success")
            return redirect(url_for(".organisation", organisation_id=organisation.id))
    return render_template("workspace/organisation_edit.html", organisation=organisation, form=form)


def _settings_error(form: Any, error: service.WorkspaceError | ContextError) -> None:
    if isinstance(error, wave_settings.ThresholdLocked):
        message = _(
            "Responses have arrived, so the threshold can only go up, not down. "
            "A lower threshold would show smaller groups than people were promised."
        )
        form.threshold.errors = [*form.threshold.errors, message]
    elif isinstance(error, wave_settings.HeadcountTooLow):
        field = form[f"{error.side.value}_headcount"]
        message = _(
            "%(num)d responses have arrived from this team already; the headcount cannot be lower.",
            num=error.received,
        )
        field.errors = [*field.errors, message]
    else:
        form.name.errors = [*form.name.errors, str(error)]


@bp.route("/assessments/<int:assessment_id>/edit", methods=["GET", "POST"])
def edit_assessment(assessment_id: int) -> Any:
    assessment = owned_assessment_or_404(assessment_id)
    bank = bank_of(assessment)
    form = settings_form(assessment, bank, current_locale())
    if form.validate_on_submit():
        settings = wave_settings.WaveSettings(
            name=form.name.data or "",
            threshold=form.threshold.data,
            headcounts={
                Side.MARKETING: form.marketing_headcount.data,
                Side.SALES: form.sales_headcount.data,
            },
            context=form.context_answers(bank),
            identifiable_confirmed=bool(form.identifiable_confirmed.data),
        )
        try:
            changes = wave_settings.update_wave(assessment, settings)
        except (service.WorkspaceError, ContextError) as error:
            _settings_error(form, error)
        else:
            if changes.changed:
                flash(_("The wave's settings are saved. The report shows them now."), "success")
            return redirect(url_for(".assessment", assessment_id=assessment.id))
    return render_template(
        "workspace/assessment_edit.html",
        assessment=assessment,
        organisation=assessment.organisation,
        form=form,
        may_lower=wave_settings.threshold_may_go_down(assessment),
    )


@bp.route("/assessments/<int:assessment_id>/rotate-report-link", methods=["GET", "POST"])
def rotate_report_link(assessment_id: int) -> Any:
    """GET says what stops working; POST (the confirmation) issues the new link."""
    return confirm_then(
        owned_assessment_or_404(assessment_id),
        service.rotate_report_link,
        _("The report has a new link. The old link no longer works."),
        heading=_("Give the report a new link?"),
        breaks=[
            _(
                "The report's current link stops working at once, for everyone who has it: "
                "leadership, bookmarks, forwarded emails and printed copies of the link."
            ),
            _("Anything built on the result API with the old link gets “not authorised”."),
            _("You send the new link to the people who should still read the report."),
        ],
        button=_("Give the report a new link"),
    )
