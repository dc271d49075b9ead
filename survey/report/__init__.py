"""The leadership report: /r/<report-token>."""

from flask import Blueprint

bp = Blueprint("report", __name__)
