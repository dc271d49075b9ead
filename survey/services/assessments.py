"""Organisations and their assessment waves: creating, finding, linking."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy import func, select

from scoring import Side
from survey.database import begin_write
from survey.extensions import db
from survey.models import Assessment, Organisation, Response, User, new_token
from survey.services import join_codes
from survey.services.banks import store_current_version
from survey.services.ledgers import ledger_rows, open_ledgers
from survey.services.wave_lookup import wave_and_side


def create_organisation(name: str, owner: User | None = None) -> Organisation:
    organisation = Organisation(name=name, owner=owner)
    db.session.add(organisation)
    db.session.flush()
    return organisation


def create_assessment(
    organisation: Organisation,
    *,
    name: str = "Baseline",
    threshold: int | None = None,
    context: Mapping[str, Any] | None = None,
) -> Assessment:
    bank = store_current_version()
    assessment = Assessment(
        organisation=organisation,
        name=name,
        bank_version=bank.version,
        bank_digest=bank.digest,
        threshold=threshold or current_app.config["DEFAULT_THRESHOLD"],
        context=dict(context) if context else None,
    )
    db.session.add(assessment)
    db.session.flush()
    open_ledgers(assessment)
    join_codes.assign(assessment)
    return assessment


def find_by_survey_token(token: str) -> tuple[Assessment, Side] | None:
    """The assessment and side a survey link belongs to."""
    return wave_and_side(Assessment.marketing_token, Assessment.sales_token, token)


def find_by_survey_token_to_write(token: str) -> tuple[Assessment, Side] | None:
    """The same, looked up in the write transaction the request's unit of work goes on in.

    A respondent's POST reads its wave to know what to store. Read under the write
    lock, the wave is not read a second time when the unit of work begins (which
    would otherwise end the read transaction and load the wave again to check it).
    An unknown token ends that transaction at once: nothing will be written, and the
    lock is not kept while the failure is counted and the error page is made.
    """
    begin_write()
    found = find_by_survey_token(token)
    if found is None:
        db.session.rollback()
    return found


def get_assessment(assessment_id: int) -> Assessment | None:
    return db.session.get(Assessment, assessment_id)


def find_by_report_token(token: str) -> Assessment | None:
    return db.session.scalar(select(Assessment).where(Assessment.report_token == token))


def absolute_url(path: str) -> str:
    return current_app.config["BASE_URL"].rstrip("/") + path


def links(assessment: Assessment) -> dict[str, Any]:
    """The absolute survey and report links a consultant hands out."""
    return {
        "survey_links": {
            side.value: absolute_url(f"/s/{assessment.survey_token(side.value)}") for side in Side
        },
        "report_link": absolute_url(f"/r/{assessment.report_token}"),
    }


def rotate_report_token(assessment: Assessment) -> None:
    """Issue a new report link; the old one stops working at once."""
    assessment.report_token = new_token()


def all_assessments() -> list[Assessment]:
    return list(
        db.session.scalars(select(Assessment).join(Assessment.organisation).order_by(Assessment.id))
    )


def all_response_counts() -> dict[tuple[int, str, bool], int]:
    """(assessment id, side, counted) → number of responses, for every assessment."""
    return {
        (assessment_id, side, counted): number
        for assessment_id, side, counted, number in db.session.execute(
            select(Response.assessment_id, Response.side, Response.counted, func.count())
            .where(Response.import_batch.is_(None))
            .group_by(Response.assessment_id, Response.side, Response.counted)
        )
    }


def response_counts(assessment_id: int) -> dict[str, dict[str, int]]:
    """Per side: the released counted and excluded responses, and how many wait for the
    next release (whether a waiting response counts is not shown until it is released)."""
    rows = ledger_rows([assessment_id])
    counts = {}
    for side in Side:
        row = rows.get((assessment_id, side))
        counts[side.value] = {
            "counted": row.released_counted if row else 0,
            "excluded": row.released_excluded if row else 0,
            "waiting": row.pending_counted + row.pending_excluded if row else 0,
        }
    return counts


__all__ = [
    "absolute_url",
    "all_assessments",
    "all_response_counts",
    "create_assessment",
    "create_organisation",
    "find_by_report_token",
    "find_by_survey_token",
    "find_by_survey_token_to_write",
    "get_assessment",
    "links",
    "response_counts",
    "rotate_report_token",
]
