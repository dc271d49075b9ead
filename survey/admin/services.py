"""Consultant accounts as an admin sees them, account status changes, the audit log.

Each change starts a write, records itself in the audit log and commits, so
the admin pages and the ``user`` command only parse input and call these.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import func, select

from survey.database import begin_write
from survey.extensions import db
from survey.models import AuditEvent, Organisation, User
from survey.services.accounts import AccountError
from survey.services.audit import record

#: Audit events per page.
AUDIT_PAGE_SIZE = 100


@dataclass(frozen=True)
class ConsultantRow:
    id: int
    email: str
    is_admin: bool
    is_disabled: bool
    created_on: dt.date
    organisations: int


def consultant_rows() -> list[ConsultantRow]:
    """Every account by email, with the number of organisations it runs."""
    count = func.count(Organisation.id)
    rows = db.session.execute(
        select(User, count)
        .outerjoin(Organisation, Organisation.owner_id == User.id)
        .group_by(User.id)
        .order_by(User.email)
    )
    return [
        ConsultantRow(
            id=user.id,
            email=user.email,
            is_admin=user.is_admin,
            is_disabled=user.is_disabled,
            created_on=user.created_on,
            organisations=organisations,
        )
        for user, organisations in rows
    ]


class NoSuchAccount(AccountError):
    """The account to change does not exist."""


class OwnAccount(AccountError):
    """An admin tried to disable the account they are signed in with."""


def set_disabled(account_id: int, *, disabled: bool, actor: User | None) -> User:
    """Disable or enable an account; either ends all of its sessions.

    ``actor`` is the admin doing it (``None`` on the command line); nobody can
    disable their own account, so an installation always keeps an admin who can
    undo a mistake. Setting the status an account already has changes nothing.
    """
    begin_write()
    account = db.session.get(User, account_id)
    if account is None:
        db.session.rollback()
        raise NoSuchAccount(f"there is no account with id {account_id}")
    if disabled and actor is not None and actor.id == account.id:
        db.session.rollback()
        raise OwnAccount("you cannot disable your own account")
    if account.is_disabled == disabled:
        db.session.rollback()
        return account
    account.is_disabled = disabled
    # The user loader compares this with the version in the session cookie.
    account.session_version += 1
    record(
        "account.disable" if disabled else "account.enable",
        account.email,
        actor_email=actor.email if actor is not None else None,
    )
    db.session.commit()
    return account


def audit_page(page: int) -> Pagination:
    """One page of the audit log, newest first."""
    return db.paginate(
        select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc()),
        page=page,
        per_page=AUDIT_PAGE_SIZE,
        max_per_page=AUDIT_PAGE_SIZE,
        error_out=False,
    )
