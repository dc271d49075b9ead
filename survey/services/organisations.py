"""The consultant's workspace: their organisations and waves, from creation to deletion.

Every function that changes something starts a write transaction, records the
action in the audit log and commits, so a view only parses the request, calls
one function here and renders. Ownership is checked by the caller
(``survey.workspace.access``) before any of these run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from werkzeug.utils import secure_filename

from scoring import Side
from survey.config import MAX_THRESHOLD
from survey.extensions import db
from survey.models import INVITATION_MODES, NAME_MAX, Assessment, Organisation, User
from survey.services import assessments as assessment_service
from survey.services import overview
from survey.services.accounts import find_account
from survey.services.action_plans import plan_to_json
from survey.services.audit import assessment_target, organisation_target
from survey.services.banks import current_bank
from survey.services.comments import published_comments
from survey.services.serialise import result_to_json
from survey.services.unit_of_work import unit_of_work

#: Thresholds below this make it possible to guess who answered what.
IDENTIFIABLE_BELOW = 3
#: The most respondents a side may expect (the column is a small integer).
MAX_HEADCOUNT = 10_000
#: Longest part of an export file name taken from the organisation's name.
FILENAME_STEM_MAX = 60
EXPORT_FORMAT = "alignment-survey.organisation-export"
EXPORT_VERSION = 1


class WorkspaceError(ValueError):
    """A consultant's input that cannot be accepted; the message says why."""


# --- names and thresholds ----------------------------------------------------


def clean_name(raw: str | None, what: str = "name") -> str:
    """``raw`` without surrounding spaces; 1 to ``NAME_MAX`` characters or an error."""
    name = (raw or "").strip()
    if not name:
        raise WorkspaceError(f"the {what} is empty")
    if len(name) > NAME_MAX:
        raise WorkspaceError(f"the {what} is longer than {NAME_MAX} characters")
    return name


def check_threshold(threshold: int, *, identifiable_confirmed: bool) -> None:
    if not 1 <= threshold <= MAX_THRESHOLD:
        raise WorkspaceError(f"the threshold must be between 1 and {MAX_THRESHOLD}")
    if threshold < IDENTIFIABLE_BELOW and not identifiable_confirmed:
        raise WorkspaceError(
            f"a threshold below {IDENTIFIABLE_BELOW} needs the confirmation that answers "
            "may be identifiable"
        )


# --- organisations -----------------------------------------------------------


def _is_owner(user: Any, organisation: Organisation | None) -> bool:
    return (
        organisation is not None
        and user is not None
        and user.is_authenticated
        and organisation.owner_id is not None
        and organisation.owner_id == user.id
    )


def owned_organisation(user: Any, organisation_id: int) -> Organisation | None:
    """The organisation if ``user`` runs it; ``None`` if it is missing or someone else's."""
    organisation = db.session.get(Organisation, organisation_id)
    return organisation if _is_owner(user, organisation) else None


def owned_assessment(user: Any, assessment_id: int) -> Assessment | None:
    """The wave if ``user`` runs its organisation; ``None`` otherwise."""
    assessment = db.session.get(Assessment, assessment_id)
    if assessment is None or not _is_owner(user, assessment.organisation):
        return None
    return assessment


def organisations_of(owner: User) -> list[Organisation]:
    """The consultant's own organisations, by name."""
    return list(
        db.session.scalars(
            select(Organisation)
            .where(Organisation.owner_id == owner.id)
            .order_by(func.lower(Organisation.name), Organisation.id)
        )
    )


def create_organisation(owner: User, name: str) -> Organisation:
    name = clean_name(name, "organisation name")
    with unit_of_work() as work:
        organisation = assessment_service.create_organisation(name, owner)
        work.audit("organisation.create", organisation_target(organisation.id))
    return organisation


def delete_organisation(organisation: Organisation) -> None:
    """Delete the organisation with every wave, response, answer and draft of it.

    The database cascades (ON DELETE CASCADE) remove the rows the ORM has not loaded.
    """
    with unit_of_work() as work:
        work.audit("organisation.delete", organisation_target(organisation.id))
        db.session.delete(organisation)


# --- waves -------------------------------------------------------------------


def check_headcounts(headcounts: Mapping[Side, int | None]) -> None:
    for side, headcount in headcounts.items():
        if headcount is not None and not 1 <= headcount <= MAX_HEADCOUNT:
            raise WorkspaceError(
                f"the {side.value} headcount must be between 1 and {MAX_HEADCOUNT}"
            )


def create_wave(
    organisation: Organisation,
    *,
    name: str,
    threshold: int,
    context: Mapping[str, bool | str] | None,
    identifiable_confirmed: bool = False,
    invitations: str = "link",
    headcounts: Mapping[Side, int | None] | None = None,
) -> Assessment:
    name = clean_name(name, "wave name")
    check_threshold(threshold, identifiable_confirmed=identifiable_confirmed)
    headcounts = headcounts or {}
    check_headcounts(headcounts)
    if invitations not in INVITATION_MODES:
        raise WorkspaceError(f"invitations must be one of {', '.join(INVITATION_MODES)}")
    with unit_of_work() as work:
        assessment = assessment_service.create_assessment(
            organisation, name=name, threshold=threshold, context=context or None
        )
        assessment.invitations = invitations
        assessment.marketing_headcount = headcounts.get(Side.MARKETING)
        assessment.sales_headcount = headcounts.get(Side.SALES)
        work.audit("assessment.create", assessment_target(assessment.id))
    return assessment


def active_account(email: str | None) -> User | None:
    """The active consultant account for ``email`` (``None`` for no email), or an error."""
    if email is None:
        return None
    account = find_account(email)
    if account is None or account.is_disabled:
        state = "is disabled" if account else "does not exist"
        raise WorkspaceError(f"the account {email.strip()} {state}")
    return account


def create_wave_from_command(
    *,
    organisation_name: str | None,
    organisation_id: int | None,
    owner_email: str | None,
    name: str,
    threshold: int | None,
    context: Mapping[str, bool | str] | None,
    invitations: str = "link",
    headcounts: Mapping[Side, int | None] | None = None,
) -> Assessment:
    """A wave for a new organisation (``organisation_name``) or an existing one (its id).

    The command line allows any threshold from 1 (it warns about low ones itself).
    """
    headcounts = headcounts or {}
    check_headcounts(headcounts)
    if invitations not in INVITATION_MODES:
        raise WorkspaceError(f"invitations must be one of {', '.join(INVITATION_MODES)}")
    with unit_of_work() as work:
        owner = active_account(owner_email)
        if organisation_id is not None:
            organisation = db.session.get(Organisation, organisation_id)
            if organisation is None:
                raise WorkspaceError(f"there is no organisation with id {organisation_id}")
        else:
            organisation = assessment_service.create_organisation(
                clean_name(organisation_name, "organisation name"), owner
            )
        assessment = assessment_service.create_assessment(
            organisation, name=name, threshold=threshold, context=context
        )
        assessment.invitations = invitations
        assessment.marketing_headcount = headcounts.get(Side.MARKETING)
        assessment.sales_headcount = headcounts.get(Side.SALES)
        work.audit("assessment.create", assessment_target(assessment.id))
    return assessment


def set_wave_open(assessment: Assessment, is_open: bool) -> bool:
    """Open or close the wave; ``False`` when it already was (nothing is written)."""
    with unit_of_work() as work:
        if assessment.is_open == is_open:
            work.discard()
            return False
        assessment.is_open = is_open
        action = "assessment.reopen" if is_open else "assessment.close"
        work.audit(action, assessment_target(assessment.id))
    return True


def rotate_report_link(assessment: Assessment) -> None:
    """Give the wave a new report link; the old one stops working at once."""
    with unit_of_work() as work:
        assessment_service.rotate_report_token(assessment)
        work.audit("assessment.rotate_report_link", assessment_target(assessment.id))


def delete_wave(assessment: Assessment) -> None:
    with unit_of_work() as work:
        work.audit("assessment.delete", assessment_target(assessment.id))
        db.session.delete(assessment)


# --- export ------------------------------------------------------------------


def export_organisation(organisation: Organisation, locale: str) -> dict[str, Any]:
    """Everything a consultant may take away about an organisation, as plain data.

    Each wave's result is serialised as the API gives it (``result_to_json``):
    aggregates only, never an individual response, and nothing about a side
    below its wave's threshold; the answers to the open question only from
    released groups, without those the consultant hid. The export is recorded in
    the audit log.
    """
    bank = current_bank()
    waves = [
        {
            "name": w.assessment.name,
            "created_on": w.assessment.created_on.isoformat(),
            "threshold": w.assessment.threshold,
            "context": w.assessment.context,
            "is_open": w.assessment.is_open,
            "counts": {
                side.value: {
                    "counted": w.result.sides[side].counted,
                    "excluded": w.result.sides[side].excluded,
                }
                for side in Side
            },
            "result": result_to_json(w.result, bank, locale),
            # Answers to the open question: released groups only, hidden ones left out.
            "comments": {
                side.value: texts for side, texts in published_comments(w.assessment).items()
            },
            # The steps leadership chose, with their owners, dates, measures and status.
            "action_plan": plan_to_json(w.assessment, locale.split("_")[0]),
        }
        for w in overview.waves_of(organisation)
    ]
    data = {
        "format": EXPORT_FORMAT,
        "version": EXPORT_VERSION,
        "organisation": {
            "name": organisation.name,
            "created_on": organisation.created_on.isoformat(),
        },
        "waves": waves,
    }
    with unit_of_work() as work:
        work.audit("organisation.export", organisation_target(organisation.id))
    return data


def export_filename(organisation: Organisation) -> str:
    """A file name safe on every system, from the organisation's name (ASCII only)."""
    # secure_filename keeps dots; a stem of letters, digits and dashes reads as no type.
    safe = secure_filename(organisation.name).replace("_", "-").replace(".", "-")
    stem = re.sub("-+", "-", safe).lower()[:FILENAME_STEM_MAX]
    stem = stem.strip("-.") or f"organisation-{organisation.id}"
    return f"{stem}-export.json"


__all__ = [
    "IDENTIFIABLE_BELOW",
    "MAX_HEADCOUNT",
    "MAX_THRESHOLD",
    "WorkspaceError",
    "active_account",
    "check_threshold",
    "clean_name",
    "create_organisation",
    "create_wave",
    "create_wave_from_command",
    "delete_organisation",
    "delete_wave",
    "export_filename",
    "export_organisation",
    "organisations_of",
    "owned_assessment",
    "owned_organisation",
    "rotate_report_link",
    "set_wave_open",
]
