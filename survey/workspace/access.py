"""Ownership checks: a consultant sees only their own organisations and waves.

Every workspace route that takes an id goes through one of these helpers. Any
object that is missing or belongs to someone else is a plain 404, so a
consultant cannot even learn that another consultant's id exists.
"""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from survey.extensions import db
from survey.models import Assessment, Organisation


def _is_mine(organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and current_user.is_authenticated
        and organisation.owner_id is not None
        and organisation.owner_id == current_user.id
    )


def owned_organisation_or_404(organisation_id: int) -> Organisation:
    organisation = db.session.get(Organisation, organisation_id)
    if organisation is None or not _is_mine(organisation):
        abort(404)
    return organisation


def owned_assessment_or_404(assessment_id: int) -> Assessment:
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not _is_mine(assessment.organisation):
        abort(404)
    return assessment
