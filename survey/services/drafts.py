"""Answers in progress and their submission.

A respondent's unfinished answers live in a ``Draft`` row keyed by the SHA-256
of a random key that only their browser holds (in a cookie limited to the
survey link). The database never sees the key itself, and nothing else about
the respondent is kept. Submitting turns the draft into a ``Response`` and
deletes the draft in one write transaction, so a replayed or doubled POST finds
no draft and stores nothing.

After a submission the browser holds, instead of the key, a marker cookie that
says only "sent" (no id; nothing about it is stored). A POST that finds no draft
is then read like this (see :func:`may_start_afresh`):

* it carries the marker, or a key whose draft is gone: these answers were sent
  already (a replay, or the second request of a double click, which was sent
  before the first one's marker arrived). Nothing is stored, no draft is made.
* it carries neither: the cookie was lost or expired, and its draft with it. The
  posted answers go into a fresh draft, and nothing claims they were sent.

A draft outlives its cookie: the cookie is (re)set only together with the
draft's ``updated_on``, and both last ``DRAFT_DAYS``, so a browser that still
sends a key never finds its draft cleaned up.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field

from sqlalchemy import delete, inspect, select

from scoring import Bank, Owner, OwnView, Side, own_view
from scoring import Response as ScoringResponse
from scoring.model import FUNNEL_PREFIX, HIGHEST_ANSWER, LOWEST_ANSWER, funnel_question
from scoring.rules import COUNTED_SHARE
from survey.extensions import db
from survey.models import Assessment, Draft, today
from survey.services import comments, invitations
from survey.services.responses import DONT_KNOW, parse_answer, store_response
from survey.services.unit_of_work import unit_of_work

COOKIE_NAME = "survey_draft"
#: The cookie that replaces the draft cookie once the answers were sent; its value is ``"1"``.
SENT_COOKIE_NAME = "survey_submitted"
SENT_COOKIE_VALUE = "1"
KEY_BYTES = 32
#: How long an unfinished draft (and its cookie) is kept.
DRAFT_DAYS = 30
#: How long a browser remembers that it sent its answers to a link.
SENT_DAYS = 30
#: A rough reading-and-choosing time per statement, for the start page: a statement of
#: about twenty words read at a steady pace, then one of five answers chosen.
SECONDS_PER_ITEM = 15
#: The same for a stage of the buyer's journey: a name and a short line, then who leads
#: it. Quicker than a statement: the five choices are the same for every stage.
SECONDS_PER_STAGE = 8
#: What a form may send for one item: the scale, then "don't know".
ANSWER_VALUES: tuple[str, ...] = (
    *(str(value) for value in range(LOWEST_ANSWER, HIGHEST_ANSWER + 1)),
    DONT_KNOW,
)
#: What a form may send for one funnel stage: an owner's code (``scoring.Owner``), then
#: "don't know".
STAGE_VALUES: tuple[str, ...] = (*(str(owner.value) for owner in Owner), DONT_KNOW)


#: The invitation mode of waves whose respondents need a single-use code.
CODES = "codes"
#: Where a draft keeps the answer to the open question; no item id can look like it.
COMMENT_KEY = "#comment"


class SurveyClosed(Exception):
    """The assessment no longer accepts answers; nothing was changed."""


@dataclass(frozen=True)
class SavedDraft:
    #: The key for the cookie: the one sent, or a new one when a draft was created.
    key: str
    created: bool
    #: How many statements have an answer (funnel stages are not counted).
    answered: int
    #: Every answer the draft holds now, and its answer to the open question.
    answers: Mapping[str, str] = field(default_factory=dict)
    comment: str = ""


@dataclass(frozen=True)
class Submission:
    counted: bool
    #: How many items had a 1–5 answer (the rest were "don't know").
    rated: int
    own_view: OwnView


def new_key() -> str:
    return secrets.token_urlsafe(KEY_BYTES)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def funnel_keys(bank: Bank) -> list[str]:
    """The answer keys of the bank's funnel stages (``funnel:<stage id>``), in funnel order."""
    return [funnel_question(stage.id) for stage in bank.funnel.stages] if bank.funnel else []


def estimated_minutes(bank: Bank) -> int:
    """How long the questionnaire takes, in whole minutes (at least one): the statements
    and the funnel's stages."""
    seconds = len(bank.items) * SECONDS_PER_ITEM + len(funnel_keys(bank)) * SECONDS_PER_STAGE
    return max(1, round(seconds / 60))


def answers_needed_to_count(bank: Bank) -> int:
    """The fewest 1–5 answers a response needs to count toward the results."""
    return math.ceil(COUNTED_SHARE * len(bank.items))


def clean_answers(bank: Bank, raw: Mapping[str, object]) -> dict[str, str]:
    """Only the bank's items, then its funnel stages, each with a known choice, in bank order."""
    answers = {
        item.id: value
        for item in bank.items
        if isinstance(value := raw.get(item.id), str) and value in ANSWER_VALUES
    }
    for key in funnel_keys(bank):
        value = raw.get(key)
        if isinstance(value, str) and value in STAGE_VALUES:
            answers[key] = value
    return answers


def statements_answered(bank: Bank, answers: Mapping[str, str]) -> int:
    """How many of the bank's statements ``answers`` holds (funnel stages are not statements)."""
    return sum(1 for item in bank.items if item.id in answers)


def stage_values(bank: Bank, answers: Mapping[str, str]) -> dict[str, int | None]:
    """Every funnel stage's stored value: the owner's code, or ``None`` for "don't know".

    A stage without a choice is sent as "don't know": who leads a stage never decides
    whether a response counts, so a skipped stage does not hold the statements back.
    """
    return {
        key: int(value) if (value := answers.get(key)) not in (None, DONT_KNOW) else None
        for key in funnel_keys(bank)
    }


def may_start_afresh(key: str | None, sent_before: bool) -> bool:
    """Whether a POST that finds no draft may put its answers into a new one.

    Only when the browser sent neither a draft key nor the "sent" marker: its
    progress was lost, not sent. A key whose draft is gone was submitted.
    """
    return key is None and not sent_before


def find_draft(
    assessment: Assessment, side: Side, key: str | None, *, lock: bool = False
) -> Draft | None:
    """The draft the cookie's key belongs to, on this survey link; ``lock`` takes its row lock."""
    if not key:
        return None
    query = select(Draft).where(
        Draft.key_hash == hash_key(key),
        Draft.assessment_id == assessment.id,
        Draft.side == side.value,
    )
    if lock:
        # Two concurrent submissions of one draft: the second waits, then finds it gone.
        query = query.with_for_update()
    return db.session.scalar(query)


def draft_answers(bank: Bank, draft: Draft | None) -> dict[str, str]:
    return clean_answers(bank, draft.answers or {}) if draft is not None else {}


def draft_comment(draft: Draft | None) -> str:
    """The answer to the open question saved so far (empty when none)."""
    saved = (draft.answers or {}).get(COMMENT_KEY) if draft is not None else None
    return saved if isinstance(saved, str) else ""


def _draft_content(answers: Mapping[str, str], comment: str | None) -> dict[str, str]:
    content = dict(answers)
    if comment:
        content[COMMENT_KEY] = comment
    return content


def _require_open(assessment: Assessment) -> None:
    if not assessment.is_open:
        raise SurveyClosed


def _delete_stale_drafts(assessment: Assessment) -> None:
    cutoff = today() - dt.timedelta(days=DRAFT_DAYS)
    db.session.execute(
        delete(Draft).where(Draft.assessment_id == assessment.id, Draft.updated_on < cutoff)
    )


def _create_draft(
    assessment: Assessment,
    side: Side,
    answers: Mapping[str, str],
    code: str | None = None,
    comment: str | None = None,
) -> str:
    _delete_stale_drafts(assessment)
    key = new_key()
    db.session.add(
        Draft(
            key_hash=hash_key(key),
            assessment_id=assessment.id,
            side=side.value,
            answers=_draft_content(answers, comment),
            invitation_code=code,
        )
    )
    return key


def start_draft(
    assessment: Assessment,
    side: Side,
    key: str | None,
    *,
    create: bool = True,
    code: str | None = None,
) -> SavedDraft | None:
    """The respondent's draft: the existing one for ``key``, or a new, empty one.

    Without a draft for ``key`` and with ``create`` unset, nothing is stored and
    the result is ``None``. ``code`` is the checked invitation code a new draft
    keeps until its response is stored (waves that need codes).
    """
    with unit_of_work() as work:
        _require_open(assessment)
        draft = find_draft(assessment, side, key, lock=True)
        if draft is not None and key:
            # The cookie is set again with this answer: the draft must last as long.
            draft.updated_on = today()
            answered = sum(
                1
                for name in draft.answers or {}
                if name != COMMENT_KEY and not name.startswith(FUNNEL_PREFIX)
            )
            return SavedDraft(key=key, created=False, answered=answered)
        if not create:
            work.discard()
            return None
        new = _create_draft(assessment, side, {}, code)
    return SavedDraft(key=new, created=True, answered=0)


def save_draft(
    assessment: Assessment,
    side: Side,
    key: str | None,
    answers: Mapping[str, str],
    bank: Bank,
    *,
    create: bool = True,
    comment: str | None = None,
) -> SavedDraft | None:
    """Add ``answers`` to the draft (later answers replace earlier ones).

    ``comment``, when given, replaces the saved answer to the open question (an
    empty one removes it). Without a draft, a new one is made when ``create`` is
    set; otherwise nothing is stored and the result is ``None``.
    """
    given = clean_answers(bank, answers)
    with unit_of_work() as work:
        _require_open(assessment)
        draft = find_draft(assessment, side, key, lock=True)
        if draft is None:
            if not create:
                work.discard()
                return None
            fresh = comments.clean_comment(comment)
            new = _create_draft(assessment, side, given, comment=fresh)
            return SavedDraft(new, True, statements_answered(bank, given), given, fresh)
        merged = {**draft_answers(bank, draft), **given}
        kept = draft_comment(draft) if comment is None else comments.clean_comment(comment)
        # A new dict, so the JSON column sees the change.
        draft.answers = _draft_content(merged, kept)
        draft.updated_on = today()
    assert key is not None  # a draft was found by it
    return SavedDraft(key, False, statements_answered(bank, merged), merged, kept)


def _ended(draft: Draft) -> bool:
    """Whether the transaction ``draft`` was read in has ended since (the session commits
    and rolls back expiring what it read, and detaches what it deleted)."""
    state = inspect(draft)
    return state.expired or not state.persistent


def submit(
    assessment: Assessment,
    side: Side,
    key: str | None,
    answers: Mapping[str, str],
    bank: Bank,
    comment: str | None = None,
    *,
    draft: Draft | None = None,
) -> Submission | None:
    """Store the complete ``answers`` as one response and delete the draft, atomically.

    ``None`` when the draft is gone (already submitted): nothing is stored. In a wave
    that needs invitation codes, the draft's code is marked used in the same unit of
    work (``invitations.CodeUsed`` if it cannot be, and nothing is stored). Raises
    ``ledgers.SideFull`` when the side has all the responses its headcount allows.

    The answer to the open question (``comment``, or else the one saved in the draft)
    is stored in the same unit of work as a ``Comment`` that nothing links to the
    response (``comments.CommentTooLong`` if it is too long: nothing is stored).

    ``draft`` is the draft for ``key`` when the caller found it (``find_draft`` with
    ``lock``) in the write transaction this goes on in, so it is not read again; if
    that transaction has ended since (the draft is expired), it is looked up anew.
    """
    given = clean_answers(bank, answers)
    values = {item.id: parse_answer(given[item.id]) for item in bank.items if item.id in given}
    if len(values) != len(bank.items):
        raise ValueError("every item needs an answer (1–5 or don't know) before submitting")
    stages = stage_values(bank, given)
    with unit_of_work() as work:
        _require_open(assessment)
        if draft is None or _ended(draft):
            draft = find_draft(assessment, side, key, lock=True)
        if draft is None:
            work.discard()
            return None
        if assessment.invitations == CODES:
            invitations.use(assessment, side, draft.invitation_code)
        if bank.open_question is not None:
            # Before the response: if it completes a group, the comment joins that release.
            text = draft_comment(draft) if comment is None else comment
            comments.add_comment(assessment, side, text)
        counted = store_response(assessment, side, {**values, **stages}, bank)
        db.session.delete(draft)
    return Submission(
        counted=counted,
        rated=sum(1 for value in values.values() if value is not None),
        own_view=own_view(bank, ScoringResponse(side, values)),
    )
