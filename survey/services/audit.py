"""The audit log of consultant actions: who, what, when. Never survey answers.

Targets name objects by id only (``organisation 12``, ``assessment 3``): an
organisation's or a wave's name is client data, and must be gone from the
database once the organisation is deleted, the audit log included.
"""

from __future__ import annotations

from flask_login import current_user

from survey.extensions import db
from survey.models import AuditEvent

#: The target of a failed sign-in with an address that has no account: whatever
#: was typed (perhaps a password, in the wrong field) is never recorded.
UNKNOWN_ADDRESS = "unknown address"


def organisation_target(organisation_id: int) -> str:
    """``organisation 12``: the audit target of an organisation, without its name."""
    return f"organisation {organisation_id}"


def assessment_target(assessment_id: int) -> str:
    """``assessment 3``: the audit target of a wave, without its or its client's name."""
    return f"assessment {assessment_id}"


def record(action: str, target: str = "", *, actor_email: str | None = None) -> AuditEvent:
    """Add an audit event to the session (committed with the action it records).

    ``action`` is a short verb phrase such as ``"assessment.close"``; ``target``
    names the object by id (:func:`assessment_target`) or an account by its email.
    """
    if actor_email is None and current_user and current_user.is_authenticated:
        actor_email = current_user.email
    event = AuditEvent(actor_email=actor_email, action=action, target=target)
    db.session.add(event)
    return event
