"""Database tables. Invariants are constraints, so bad rows cannot exist at all.

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

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from scoring import DEFAULT_THRESHOLD, Side
from survey.extensions import db

NAME_MAX = 200
TOKEN_BYTES = 24  # 192 bits, above the 128 the links promise
ID_BYTES = 16  # random row ids: 128 bits, never a counter
#: The CHECK every ``side`` column carries, built from the one list of sides.
SIDE_CHECK = "side IN ({})".format(", ".join(f"'{side.value}'" for side in Side))
#: How respondents may get in: anyone with the link, or with a single-use code.
INVITATION_MODES = ("link", "codes")
#: SQLite keeps a hidden, growing row number for ordinary tables; these tables do without.
NO_ROW_NUMBER = {"sqlite_with_rowid": False}


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def new_id() -> str:
    return secrets.token_hex(ID_BYTES)


def today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class User(UserMixin, db.Model):  # type: ignore[name-defined,misc]
    """A consultant, or an admin who also manages consultants."""

    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    is_admin: Mapped[bool] = mapped_column(default=False)
    #: A disabled account cannot log in; its data stays.
    is_disabled: Mapped[bool] = mapped_column(default=False)
    created_on: Mapped[dt.date] = mapped_column(default=today)
    #: Changes whenever the password or the account status changes, so old sessions end.
    session_version: Mapped[int] = mapped_column(default=1)

    organisations: Mapped[list[Organisation]] = relationship(back_populates="owner")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return not self.is_disabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"


class Organisation(db.Model):  # type: ignore[name-defined,misc]
    """A client organisation whose sales and marketing are assessed."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    #: The consultant who runs it; ``None`` for organisations made on the command line.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_on: Mapped[dt.date] = mapped_column(default=today)

    owner: Mapped[User | None] = relationship(back_populates="organisations")
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="organisation",
        cascade="all, delete-orphan",
        passive_deletes=True,
        order_by="Assessment.id",
    )

    __table_args__ = (CheckConstraint("length(name) > 0", name="name_not_empty"),)


class Assessment(db.Model):  # type: ignore[name-defined,misc]
    """One wave of the survey ("baseline", "after 6 months" …) for one organisation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(NAME_MAX), default="Baseline")
    #: The ``version`` number the question bank declared when the wave was created.
    bank_version: Mapped[int]
    #: The exact bank the wave is scored, shown and exported with (see ``BankVersion``).
    bank_digest: Mapped[str] = mapped_column(ForeignKey("bank_version.digest"), index=True)
    #: Published figures move only in whole groups of this many counted responses per side.
    threshold: Mapped[int] = mapped_column(SmallInteger, default=DEFAULT_THRESHOLD)
    #: ``link``: anyone with a side's link may answer (up to its headcount);
    #: ``codes``: each response needs a single-use invitation code.
    invitations: Mapped[str] = mapped_column(String(8), default="link")
    #: Expected respondents per side; a side stops taking responses at its headcount.
    marketing_headcount: Mapped[int | None] = mapped_column(SmallInteger)
    sales_headcount: Mapped[int | None] = mapped_column(SmallInteger)
    #: Answers to the advisor's questions (factor id → value); ``None`` if not given.
    context: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    is_open: Mapped[bool] = mapped_column(default=True)
    created_on: Mapped[dt.date] = mapped_column(default=today)
    marketing_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    sales_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    report_token: Mapped[str] = mapped_column(String(64), unique=True, default=new_token)
    #: Short codes a room can type (``/j/<code>``), each leading to a side's survey link.
    marketing_join_code: Mapped[str | None] = mapped_column(String(16), unique=True)
    sales_join_code: Mapped[str | None] = mapped_column(String(16), unique=True)

    organisation: Mapped[Organisation] = relationship(back_populates="assessments")
    responses: Mapped[list[Response]] = relationship(
        back_populates="assessment", cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint("threshold >= 1", name="threshold_positive"),
        CheckConstraint("length(name) > 0", name="name_not_empty"),
        CheckConstraint(
            "invitations IN ({})".format(", ".join(f"'{mode}'" for mode in INVITATION_MODES)),
            name="invitations_known",
        ),
        CheckConstraint(
            "marketing_headcount IS NULL OR marketing_headcount >= 1",
            name="marketing_headcount_positive",
        ),
        CheckConstraint(
            "sales_headcount IS NULL OR sales_headcount >= 1", name="sales_headcount_positive"
        ),
    )

    def survey_token(self, side: str) -> str:
        return self.marketing_token if side == Side.MARKETING else self.sales_token

    def headcount(self, side: str) -> int | None:
        return self.marketing_headcount if side == Side.MARKETING else self.sales_headcount


class BankVersion(db.Model):  # type: ignore[name-defined,misc]
    """A question bank exactly as some wave was created with it, kept for good.

    Editing ``questions.yaml`` makes a new version for new waves; older waves keep
    being scored, shown and exported with the text stored here.
    """

    __tablename__ = "bank_version"

    #: SHA-256 of ``text``.
    digest: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: The ``version`` number the bank declares.
    version: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    stored_on: Mapped[dt.date] = mapped_column(default=today)


class Response(db.Model):  # type: ignore[name-defined,misc]
    """One anonymous respondent's submission (see the module docstring)."""

    id: Mapped[str] = mapped_column(String(2 * ID_BYTES), primary_key=True, default=new_id)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE")
    )
    side: Mapped[str] = mapped_column(String(16))
    #: False when fewer than two thirds of the items had a 1–5 answer.
    counted: Mapped[bool]
    submitted_on: Mapped[dt.date] = mapped_column(default=today)
    #: Which release of its side included it (1, 2 …); ``None`` while it waits for a group.
    release_group: Mapped[int | None] = mapped_column(SmallInteger)
    #: Set while an import is still being written: such a response is invisible to
    #: everything until the import's last, short transaction clears it (or a killed
    #: import's batch is deleted, and its responses with it).
    import_batch: Mapped[str | None] = mapped_column(
        ForeignKey("import_batch.id", ondelete="CASCADE")
    )

    assessment: Mapped[Assessment] = relationship(back_populates="responses")
    answers: Mapped[list[Answer]] = relationship(
        cascade="all, delete-orphan", passive_deletes=True
    )

    __table_args__ = (
        CheckConstraint(SIDE_CHECK, name="side_known"),
        Index("ix_response_assessment_side", "assessment_id", "side", "counted"),
        Index("ix_response_release", "assessment_id", "side", "release_group"),
        NO_ROW_NUMBER,
    )


class Answer(db.Model):  # type: ignore[name-defined,misc]
    """One answer of one response, in long format; ``value`` NULL means "don't know"."""

    response_id: Mapped[str] = mapped_column(
        ForeignKey("response.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int | None] = mapped_column(SmallInteger)

    __table_args__ = (
        CheckConstraint("value IS NULL OR (value BETWEEN 1 AND 5)", name="value_on_scale"),
        NO_ROW_NUMBER,
    )


class Draft(db.Model):  # type: ignore[name-defined,misc]
    """Answers in progress, keyed by a random cookie so a respondent can resume.

    Deleted when the response is submitted. Holds nothing that identifies a person.
    """

    key_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    answers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    updated_on: Mapped[dt.date] = mapped_column(default=today, onupdate=today)
    #: The invitation code the respondent entered (``codes`` waves); marked used on submit.
    invitation_code: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"), NO_ROW_NUMBER)


class ImportBatch(db.Model):  # type: ignore[name-defined,misc]
    """An import being written in short batches; deleted when it is done or abandoned."""

    id: Mapped[str] = mapped_column(String(2 * ID_BYTES), primary_key=True, default=new_id)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: When the import began, so an abandoned one can be told from one still running.
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Comment(db.Model):  # type: ignore[name-defined,misc]
    """A respondent's answer to the open question, in their own words.

    Stored with its response but not linked to it: no response id, no time. It is
    published with its side's release group, in random order (by its random id),
    and a consultant may hide it from the report (it is kept, marked hidden).
    """

    id: Mapped[str] = mapped_column(String(2 * ID_BYTES), primary_key=True, default=new_id)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    #: The release of its side it was published with; ``None`` while it waits.
    release_group: Mapped[int | None] = mapped_column(SmallInteger)
    hidden: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (
        CheckConstraint(SIDE_CHECK, name="side_known"),
        CheckConstraint("length(text) > 0", name="text_not_empty"),
        NO_ROW_NUMBER,
    )


class ActionItem(db.Model):  # type: ignore[name-defined,misc]
    """A next-step move leadership chose, with who does what by when, and how it went."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The bank's move id (checked against the wave's bank when saved).
    move_id: Mapped[str] = mapped_column(String(64))
    marketing_owner: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    sales_owner: Mapped[str] = mapped_column(String(NAME_MAX), default="")
    due_on: Mapped[dt.date | None]
    success_measure: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="planned")

    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'done', 'dropped')", name="status_known"
        ),
    )


class PasswordLink(db.Model):  # type: ignore[name-defined,misc]
    """A one-time, expiring link to set a password, made by an admin (no mail server)."""

    #: SHA-256 of the token in the link; the token itself is shown once, never stored.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[dt.datetime]
    used: Mapped[bool] = mapped_column(default=False)


class InvitationCode(db.Model):  # type: ignore[name-defined,misc]
    """A single-use code that lets one person answer for one side of a ``codes`` wave.

    Only ``used`` changes when its response is stored (in the same transaction);
    nothing here or in the response says which code went with which response.
    """

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    side: Mapped[str] = mapped_column(String(16))
    used: Mapped[bool] = mapped_column(default=False)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"), NO_ROW_NUMBER)


class SideLedger(db.Model):  # type: ignore[name-defined,misc]
    """Per wave and side: how many responses are released and how many wait for a group."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    groups: Mapped[int] = mapped_column(default=0)
    released_counted: Mapped[int] = mapped_column(default=0)
    released_excluded: Mapped[int] = mapped_column(default=0)
    pending_counted: Mapped[int] = mapped_column(default=0)
    pending_excluded: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class QuestionTally(db.Model):  # type: ignore[name-defined,misc]
    """How many counted responses of a side gave each answer to one question.

    ``n1`` … ``n5`` count the answers 1–5 (for a funnel stage: the owner codes),
    ``dont_know`` the "don't know"s. Released rows are what results are computed
    from; a ``pending`` row holds answers a release held back because too few
    people of its group answered that question (they wait for the next release).
    Responses not yet released are not tallied: a release reads their answers.
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    question: Mapped[str] = mapped_column(String(80), primary_key=True)
    pending: Mapped[bool] = mapped_column(primary_key=True)
    dont_know: Mapped[int] = mapped_column(default=0)
    n1: Mapped[int] = mapped_column(default=0)
    n2: Mapped[int] = mapped_column(default=0)
    n3: Mapped[int] = mapped_column(default=0)
    n4: Mapped[int] = mapped_column(default=0)
    n5: Mapped[int] = mapped_column(default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class ScoreTally(db.Model):  # type: ignore[name-defined,misc]
    """Released respondents' own scores per scope (whole bank ``""`` or a dimension).

    In integer units of ``scoring.rules.SCORE_UNIT`` per point, so sums stay exact.
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(BigInteger, default=0)
    total_squares: Mapped[int] = mapped_column(BigInteger, default=0)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class WaveSummary(db.Model):  # type: ignore[name-defined,misc]
    """A wave's published placement, stored whenever a release or the threshold changes it.

    The workspace's lists read these rows instead of scoring every wave on every
    visit. ``rules`` names the scoring rules that made it; a row made by other
    rules is recomputed (``flask tallies rebuild`` does it for all).
    """

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    rules: Mapped[str] = mapped_column(String(32))
    placed: Mapped[bool] = mapped_column(default=False)
    #: Organisation score (20–100) and its 95 % interval; ``None`` while not placed.
    score: Mapped[float | None]
    score_low: Mapped[float | None]
    score_high: Mapped[float | None]
    type_id: Mapped[str | None] = mapped_column(String(64))


class Release(db.Model):  # type: ignore[name-defined,misc]
    """The threshold each release of a side was made with, so the ledgers can be rebuilt."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    side: Mapped[str] = mapped_column(String(16), primary_key=True)
    number: Mapped[int] = mapped_column(primary_key=True)
    threshold: Mapped[int] = mapped_column(SmallInteger)

    __table_args__ = (CheckConstraint(SIDE_CHECK, name="side_known"),)


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """Who did what to which object, and when. Never holds survey answers."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    #: Kept as text so the trail survives the deletion of the account.
    actor_email: Mapped[str | None] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))
    target: Mapped[str] = mapped_column(Text, default="")
