"""Answers to the open question, in the respondents' own words.

A comment is stored in the unit of work that stores its response (see
``survey.services.drafts.submit``) but nothing links the two: no response id, no
time, no order. It waits with ``release_group`` unset and is published together
with its side's next whole group (``survey.services.ledgers``), like the answers.
Published comments are read in the order of their random ids, so the order says
nothing about who wrote what, or when.

The consultant may hide a comment from the report (a name, an insult): it is kept,
marked hidden, and the change is audited without its text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import insert, select

from scoring import Side
from survey.extensions import db
from survey.models import Assessment, Comment, new_id
from survey.services.audit import assessment_target
from survey.services.unit_of_work import unit_of_work

#: The longest comment a respondent may send, in characters (not bytes).
COMMENT_MAX = 1000
#: Characters kept although they are control characters: line breaks and tabs.
_KEPT_CONTROLS = frozenset("\n\t")


class CommentTooLong(ValueError):
    """A comment over :data:`COMMENT_MAX` characters; nothing was stored."""

    def __init__(self, length: int) -> None:
        super().__init__(f"the comment has {length} characters; at most {COMMENT_MAX} fit")
        self.length = length


@dataclass(frozen=True)
class ReviewedComment:
    """A published comment as the consultant sees it on the wave page."""

    id: str
    side: Side
    text: str
    hidden: bool


def clean_comment(raw: str | None) -> str:
    """The comment as it is counted and stored.

    Composed characters (NFC), so an accented letter counts once however it was
    typed; browser line ends (CR LF) as one line break; other control characters
    dropped; no surrounding white space.
    """
    text = unicodedata.normalize("NFC", raw or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = "".join(
        character
        for character in text
        if character in _KEPT_CONTROLS or unicodedata.category(character) != "Cc"
    )
    return kept.strip()


def comment_length(text: str) -> int:
    """Characters, as a person counts them (code points after :func:`clean_comment`)."""
    return len(clean_comment(text))


def check_comment(text: str) -> str:
    """The cleaned comment; :class:`CommentTooLong` when it is over the limit."""
    cleaned = clean_comment(text)
    if len(cleaned) > COMMENT_MAX:
        raise CommentTooLong(len(cleaned))
    return cleaned


def add_comment(assessment: Assessment, side: Side, text: str) -> None:
    """Store a non-empty comment, waiting for its side's next release.

    Runs inside the caller's unit of work, before the response is counted into
    its ledger: if that response completes a group, the comment is released with it.
    """
    cleaned = check_comment(text)
    if not cleaned:
        return
    db.session.execute(
        insert(Comment).values(
            id=new_id(),
            assessment_id=assessment.id,
            side=side.value,
            text=cleaned,
            release_group=None,
            hidden=False,
        )
    )


def _released(assessment: Assessment) -> list[Comment]:
    return list(
        db.session.scalars(
            select(Comment)
            .where(Comment.assessment_id == assessment.id, Comment.release_group.is_not(None))
            .order_by(Comment.id)
        )
    )


def published_comments(assessment: Assessment) -> dict[Side, list[str]]:
    """The texts the report shows: released, not hidden, in random order, per side."""
    shown: dict[Side, list[str]] = {side: [] for side in Side}
    for comment in _released(assessment):
        if not comment.hidden:
            shown[Side(comment.side)].append(comment.text)
    return shown


def comments_for_review(assessment: Assessment) -> list[ReviewedComment]:
    """Every released comment, hidden ones included, for the consultant.

    Comments that still wait for a whole group are left out here too: seeing one
    appear right after a person sent their answers would tell who wrote it.
    """
    return [
        ReviewedComment(id=c.id, side=Side(c.side), text=c.text, hidden=c.hidden)
        for c in _released(assessment)
    ]


def set_hidden(assessment: Assessment, comment_id: str, hidden: bool) -> bool:
    """Hide a released comment from the report, or show it again; audited.

    ``False`` (and nothing changed) when the wave has no such released comment.
    """
    with unit_of_work() as work:
        comment = db.session.scalar(
            select(Comment).where(
                Comment.id == comment_id,
                Comment.assessment_id == assessment.id,
                Comment.release_group.is_not(None),
            )
        )
        if comment is None:
            work.discard()
            return False
        comment.hidden = hidden
        action = "comment.hide" if hidden else "comment.show"
        work.audit(action, f"comment {comment_id} of {assessment_target(assessment.id)}")
    return True
