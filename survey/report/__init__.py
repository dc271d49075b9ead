"""The leadership report: /r/<report-token>."""

from flask import Blueprint

bp = Blueprint("report", __name__)

from survey.report import routes  # noqa: E402,F401
