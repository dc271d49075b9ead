"""The audit log of consultant actions: who, what, when. Never survey answers."""

from __future__ import annotations

from flask_login import current_user

from survey.extensions import db
from survey.models import AuditEvent


def record(action: str, target: str = "", *, actor_email: str | None = None) -> AuditEvent:
    """Add an audit event to the session (committed with the action it records).

    ``action`` is a short verb phrase such as ``"assessment.close"``; ``target``
    names the object, e.g. ``"assessment 12 (Acme / Baseline)"``.
    """
    if actor_email is None and current_user and current_user.is_authenticated:
        actor_email = current_user.email
    event = AuditEvent(actor_email=actor_email, action=action, target=target)
    db.session.add(event)
    return event
