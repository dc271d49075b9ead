"""The wave's action plan: choosing steps, owning them, and taking the plan away as CSV.

The plan is shown on the wave page (``wave_page.extras``) and in the report
(``report/_action_plan.html``); here it is changed, one step per page.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from flask import Response, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from survey.i18n import current_locale
from survey.models import ActionItem, Assessment
from survey.services import action_plans
from survey.services.banks import bank_of
from survey.services.exports import neutralised
from survey.workspace.access import owned_assessment_or_404
from survey.workspace.edit_forms import STATUS_LABELS, ActionItemForm, move_choices
from survey.workspace.forms import ActionForm
from survey.workspace.routes import bp


def _language() -> str:
    return current_locale().split("_")[0]


def _form(assessment: Assessment, **data: Any) -> ActionItemForm:
    form = ActionItemForm(data=data or None)
    form.offer(move_choices(bank_of(assessment), _language()))
    return form


def _entry(form: ActionItemForm) -> action_plans.Entry:
    return action_plans.Entry(
        move_id=form.move.data or "",
        marketing_owner=form.marketing_owner.data or "",
        sales_owner=form.sales_owner.data or "",
        due_on=form.due_on.data,
        success_measure=form.success_measure.data or "",
        status=form.status.data or "planned",
    )


def _item_or_404(assessment: Assessment, item_id: int) -> ActionItem:
    item = action_plans.item_of(assessment, item_id)
    if item is None:
        abort(404)
    return item


def _item_page(assessment: Assessment, form: ActionItemForm, item: ActionItem | None = None) -> str:
    """The page of one step: a new one, or a chosen one, which can also be removed there."""
    return render_template(
        "workspace/action_item.html",
        assessment=assessment,
        organisation=assessment.organisation,
        form=form,
        item=item,
        delete_form=ActionForm() if item is not None else None,
    )


def _to_plan(assessment: Assessment) -> Response:
    return redirect(url_for(".assessment", assessment_id=assessment.id, _anchor="action-plan"))


@bp.route("/assessments/<int:assessment_id>/actions/new", methods=["GET", "POST"])
def new_action(assessment_id: int) -> Any:
    assessment = owned_assessment_or_404(assessment_id)
    form = _form(assessment)
    if form.validate_on_submit():
        try:
            action_plans.add_item(assessment, _entry(form))
        except action_plans.ActionPlanError as error:
            form.move.errors = [*form.move.errors, str(error)]
        else:
            flash(_("The step is in the action plan."), "success")
            return _to_plan(assessment)
    return _item_page(assessment, form)


@bp.route("/assessments/<int:assessment_id>/actions/<int:item_id>", methods=["GET", "POST"])
def edit_action(assessment_id: int, item_id: int) -> Any:
    assessment = owned_assessment_or_404(assessment_id)
    item = _item_or_404(assessment, item_id)
    form = _form(
        assessment,
        move=item.move_id,
        marketing_owner=item.marketing_owner,
        sales_owner=item.sales_owner,
        due_on=item.due_on,
        success_measure=item.success_measure,
        status=item.status,
    )
    if form.validate_on_submit():
        try:
            changed = action_plans.update_item(assessment, item, _entry(form))
        except action_plans.ActionPlanError as error:
            form.move.errors = [*form.move.errors, str(error)]
        else:
            if changed:
                flash(_("The step is saved."), "success")
            return _to_plan(assessment)
    return _item_page(assessment, form, item)


@bp.post("/assessments/<int:assessment_id>/actions/<int:item_id>/delete")
def delete_action(assessment_id: int, item_id: int) -> Response:
    assessment = owned_assessment_or_404(assessment_id)
    item = _item_or_404(assessment, item_id)
    if ActionForm().validate_on_submit():
        action_plans.delete_item(assessment, item)
        flash(_("The step is removed from the action plan."), "success")
    return _to_plan(assessment)


@bp.get("/assessments/<int:assessment_id>/action-plan.csv")
def action_plan_csv(assessment_id: int) -> Response:
    """The plan as a spreadsheet: one row per chosen step."""
    assessment = owned_assessment_or_404(assessment_id)
    language = _language()
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(
        [
            _("Step"),
            _("Owner in marketing"),
            _("Owner in sales"),
            _("Due on"),
            _("How you will know it worked"),
            _("Status"),
        ]
    )
    for row in action_plans.plan_of(assessment):
        item = row.item
        writer.writerow(
            [
                row.move.title.get(language) if row.move is not None else item.move_id,
                neutralised(item.marketing_owner),
                neutralised(item.sales_owner),
                item.due_on.isoformat() if item.due_on else "",
                neutralised(item.success_measure),
                str(STATUS_LABELS[item.status]),
            ]
        )
    # A BOM, so that spreadsheet programs read the names as UTF-8.
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers.set("Content-Disposition", "attachment", filename="action-plan.csv")
    response.headers["Cache-Control"] = "no-store"
    return response
