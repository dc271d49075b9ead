"""The JSON API, version 1: read-only, authorised by an assessment's report token.

``Authorization: Bearer <report token>`` opens exactly the assessment the token
belongs to. Without a bearer token the answer is 401 whatever the id; an id
that does not exist is 404; an existing id with any other token (including the
report token of another assessment) is 401. Errors are ``{"error": ...}`` and
never carry data. Only GET routes live here, so CSRF protection has nothing to
check.
"""

from __future__ import annotations

import hmac

from flask import Response, abort, jsonify, request
from flask_babel import gettext

from survey.api import bp
from survey.api.openapi import openapi_document
from survey.models import Assessment
from survey.report.formatting import language
from survey.services.assessments import get_assessment, response_counts
from survey.services.banks import bank_of
from survey.services.results import assessment_result
from survey.services.serialise import AssessmentInfo, WaveResponses, result_to_json

BEARER_PREFIX = "bearer "
REALM = 'Bearer realm="report"'


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith(BEARER_PREFIX):
        return None
    token = header[len(BEARER_PREFIX) :].strip()
    return token or None


def _unauthorised(message: str, challenge: str) -> Response:
    response = jsonify(error=message)
    response.status_code = 401
    response.headers["WWW-Authenticate"] = challenge
    response.headers["Cache-Control"] = "no-store"
    return response


def _authorised_assessment(assessment_id: int) -> Assessment:
    """The assessment, if the request carries its report token; 401 or 404 otherwise."""
    token = _bearer_token()
    if token is None:
        abort(
            _unauthorised(
                gettext("Send the report token as 'Authorization: Bearer <token>'."), REALM
            )
        )
    assessment = get_assessment(assessment_id)
    if assessment is None:
        abort(404)
    if not hmac.compare_digest(token.encode(), assessment.report_token.encode()):
        abort(
            _unauthorised(
                gettext("This token does not open this assessment."),
                f'{REALM}, error="invalid_token"',
            )
        )
    return assessment


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "private, no-store"
    response.vary.add("Authorization")
    return response


@bp.get("/api/v1/assessments/<int:assessment_id>")
def assessment(assessment_id: int) -> Response:
    found = _authorised_assessment(assessment_id)
    info = AssessmentInfo(
        id=found.id,
        organisation=found.organisation.name,
        wave=found.name,
        created_on=found.created_on.isoformat(),
        is_open=found.is_open,
        threshold=found.threshold,
        bank_version=found.bank_version,
        bank_digest=found.bank_digest,
        responses=WaveResponses.model_validate(response_counts(found.id)),
    )
    return _private(jsonify(info.model_dump(mode="json")))


@bp.get("/api/v1/assessments/<int:assessment_id>/result")
def assessment_result_json(assessment_id: int) -> Response:
    found = _authorised_assessment(assessment_id)
    result, _fingerprint = assessment_result(found)
    return _private(jsonify(result_to_json(result, bank_of(found), language())))


@bp.get("/api/v1/openapi.json")
def openapi() -> Response:
    """The API's OpenAPI 3.1 document (public: it describes shapes, never data)."""
    response = jsonify(openapi_document())
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response
