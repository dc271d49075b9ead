"""The unit of work every change runs in: one write transaction, audited, all or nothing.

::

    with unit_of_work() as work:
        organisation = Organisation(...)
        ...
        work.audit("organisation.create", organisation_target(organisation.id))

The write lock is taken before anything is read (``BEGIN IMMEDIATE`` on SQLite,
see ``survey.database``), the audit entry is written in the same transaction as
the change it records, and the block commits when it ends normally. An exception
rolls everything back and goes on; ``work.discard()`` ends the block without
writing anything (for "nothing to change").
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from survey.database import begin_write
from survey.extensions import db
from survey.services.audit import record


class UnitOfWork:
    """What a block of work may do besides changing rows: audit itself, or write nothing."""

    def __init__(self) -> None:
        self.discarded = False

    def audit(self, action: str, target: str = "", *, actor_email: str | None = None) -> None:
        """Record the change in the audit log (see ``survey.services.audit.record``)."""
        record(action, target, actor_email=actor_email)

    def discard(self) -> None:
        """Roll back instead of committing when the block ends."""
        self.discarded = True


@contextmanager
def unit_of_work() -> Iterator[UnitOfWork]:
    begin_write()
    work = UnitOfWork()
    try:
        yield work
    except BaseException:
        db.session.rollback()
        raise
    if work.discarded:
        db.session.rollback()
    else:
        db.session.commit()


def end_read() -> None:
    """End the read transaction a request or command may hold (it changed nothing)."""
    db.session.rollback()
