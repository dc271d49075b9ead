"""Database tables, one module per area; everything is importable from here.

 Invariants are constraints, so bad rows cannot exist at all.

Anonymity: a ``Response`` holds its side, whether it counts, the *day* it was
submitted and which release of its side included it — never an IP address, a user
agent, an exact time, a cookie, an invitation code or the link token it came
through. Its id is random, not a counter, and on SQLite the response tables have no
hidden row number either (``WITHOUT ROWID``), so storage order does not give away
the order of submissions.

Published figures come from the per-side ledgers (``SideLedger``,
``QuestionTally``, ``ScoreTally``), kept in the same transaction as every stored
response; see ``scoring.release`` for the rule and ``survey.services.ledgers``.
"""

from survey.models.accounts import AuditEvent, PasswordLink, User
from survey.models.base import (
    ID_BYTES,
    INVITATION_MODES,
    NAME_MAX,
    NO_ROW_NUMBER,
    SIDE_CHECK,
    TOKEN_BYTES,
    new_id,
    new_token,
    today,
    utcnow,
)
from survey.models.ledgers import QuestionTally, Release, ScoreTally, SideLedger, WaveSummary
from survey.models.responses import (
    Answer,
    Comment,
    Draft,
    ImportBatch,
    InvitationCode,
    Response,
)
from survey.models.waves import ActionItem, Assessment, BankVersion, Organisation

__all__ = [
    "ID_BYTES",
    "INVITATION_MODES",
    "NAME_MAX",
    "NO_ROW_NUMBER",
    "SIDE_CHECK",
    "TOKEN_BYTES",
    "ActionItem",
    "Answer",
    "Assessment",
    "AuditEvent",
    "BankVersion",
    "Comment",
    "Draft",
    "ImportBatch",
    "InvitationCode",
    "Organisation",
    "PasswordLink",
    "QuestionTally",
    "Release",
    "Response",
    "ScoreTally",
    "SideLedger",
    "User",
    "WaveSummary",
    "new_id",
    "new_token",
    "today",
    "utcnow",
]
