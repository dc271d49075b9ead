"""The leadership report: /r/<report-token>."""

from flask import Blueprint

from survey.services.action_plans import report_plan

bp = Blueprint("report", __name__)
# The action plan section (report/_action_plan.html) reads its own data.
bp.add_app_template_global(report_plan, "action_plan_of")

from survey.report import routes  # noqa: E402,F401
