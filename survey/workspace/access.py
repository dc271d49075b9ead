"""Ownership checks: a consultant sees only their own organisations and waves.

Every workspace route that takes an id goes through one of these helpers. Any
object that is missing or belongs to someone else is a plain 404, so a
consultant cannot even learn that another consultant's id exists.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from survey.models import Assessment, Organisation
from survey.services.organisations import owned_assessment, owned_organisation


def owned_organisation_or_404(organisation_id: int) -> Organisation:
    organisation = owned_organisation(current_user, organisation_id)
    if organisation is None:
        abort(404)
    return organisation


def owned_assessment_or_404(assessment_id: int) -> Assessment:
    assessment = owned_assessment(current_user, assessment_id)
    if assessment is None:
        abort(404)
    return assessment
