"""What respondents send: responses, answers, drafts, comments, codes, import batches."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from survey.extensions import db
from survey.models.base import (
    ID_BYTES,
    NO_ROW_NUMBER,
    SIDE_CHECK,
    new_id,
    today,
    utcnow,
)

if TYPE_CHECKING:  # for annotations only; tables are linked by name
    from survey.models.waves import Assessment


class Response(db.Model):  # type: ignore[name-defined,misc]
    """One anonymous respondent's submission (see the module docstring)."""

    id: Mapped[str] = mapped_column(String(2 * ID_BYTES), primary_key=True, default=new_id)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("assessment.id", ondelete="CASCADE"))
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
    answers: Mapped[list[Answer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)

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
