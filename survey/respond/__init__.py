"""Taking the survey: /s/<survey-token>."""

from flask import Blueprint

bp = Blueprint("respond", __name__)

from survey.respond import join, routes  # noqa: E402,F401
