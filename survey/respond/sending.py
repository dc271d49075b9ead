"""Sending the answers, and the pages after: saved, thank you.

``POST /s/<token>/questions`` is the last page's form: "Send my answers"
(``action=submit``), Back or "Save and finish later"; it also takes a whole
questionnaire in one POST. A successful send redirects to ``/s/<token>/thanks``,
which is read from the "sent" cookie (``survey.respond.cookies``), so it can be
reloaded and opened again from the same browser.
"""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _

from scoring import Bank, Side
from survey.models import Assessment
from survey.respond import bp, limits
from survey.respond.cookies import draft_key, mark_sent, sent_marker
from survey.respond.forms import SEND, SurveyPost, read_post
from survey.respond.helpers import (
    FULL_STATUS,
    Page,
    already_received,
    closed,
    context_of,
    go,
    needs_code,
    notice,
    save_or_leave,
    survey_or_404,
)
from survey.respond.pages import PageState, render_last, render_step, step_of, steps_of
from survey.services import invitations
from survey.services.banks import bank_of
from survey.services.comments import COMMENT_MAX, CommentTooLong, check_comment
from survey.services.drafts import (
    SavedDraft,
    SurveyClosed,
    draft_answers,
    draft_comment,
    find_draft,
    statements_answered,
    submit,
)
from survey.services.ledgers import SideFull


@bp.post("/s/<token>/questions")
def send(token: str) -> Page:
    # Asked before the write transaction begins, which holds SQLite's write lock: the
    # limit store (Redis) may take up to its timeout to answer.
    within_limit = request.form.get("action") == SEND and limits.test(limits.NEW_RESPONSE, token)
    assessment, side = survey_or_404(token, to_write=True)
    bank = bank_of(assessment)
    post = read_post(bank, request.form)
    if within_limit and (sent := _send_at_once(assessment, side, token, bank, post)):
        return sent
    last = len(steps_of(bank))
    saved = save_or_leave(assessment, side, token, bank, post, back_to=last - 1)
    if not isinstance(saved, SavedDraft):
        return saved
    if post.action != SEND or saved.created:
        # A fresh draft (the saved one was lost) sends nothing yet: the next "Send" does.
        return go("respond.page", token, saved, step=last)
    return _send(assessment, side, token, bank, saved)


def _send_at_once(
    assessment: Assessment, side: Side, token: str, bank: Bank, post: SurveyPost
) -> Page | None:
    """Send the draft's answers with this page's in one write, when nothing stands in the way.

    Saving the page's answers first, as every other case does, would be a write of its
    own. When anything is unusual — no draft, an answer missing, the comment too long,
    the limit reached, the survey closed or full, the draft gone — this returns ``None``
    and the answers are saved and handled as before (``_send``), pages and all.
    """
    key = draft_key()
    # In the write transaction ``send`` began: ``submit`` goes on with this draft.
    draft = find_draft(assessment, side, key, lock=True)
    if draft is None:
        return None
    answers = {**draft_answers(bank, draft), **post.given}
    comment = draft_comment(draft) if post.comment is None else post.comment
    if any(item.id not in answers for item in bank.items):
        return None
    try:
        comment = check_comment(comment)
    except CommentTooLong:
        return None
    counts = not needs_code(assessment)  # read now: the wave is expired once submit commits
    try:
        submission = submit(assessment, side, key, answers, bank, comment, draft=draft)
    except (SurveyClosed, SideFull, invitations.CodeUsed):
        return None
    if submission is None:
        return None
    if counts:
        limits.hit(limits.NEW_RESPONSE, token)
    return mark_sent(redirect(url_for("respond.thanks", token=token), code=303), token, submission)


def _send(assessment: Assessment, side: Side, token: str, bank: Bank, saved: SavedDraft) -> Page:
    context = context_of(assessment, side, token)
    try:
        comment = check_comment(saved.comment)
    except CommentTooLong as error:
        message = _(
            "Your answer is %(length)s characters long. Please shorten it to %(most)s "
            "characters or fewer; it is kept here as you wrote it.",
            length=format_number(error.length),
            most=format_number(COMMENT_MAX),
        )
        state = PageState(saved.answers, saved.comment, comment_error=message)
        return render_last(bank, side, context, state)
    missing = [item.id for item in bank.items if item.id not in saved.answers]
    if missing:
        shown = step_of(steps_of(bank), missing[0])
        state = PageState(saved.answers, saved.comment, missing=missing)
        return render_step(bank, side, context, shown, state)
    if not needs_code(assessment) and not limits.hit(limits.NEW_RESPONSE, token):
        # The answers wait in the draft, so nothing is lost.
        return notice("respond/too_many.html", assessment, side, token, 429)
    try:
        submission = submit(assessment, side, draft_key(), saved.answers, bank, comment)
    except SurveyClosed:
        return closed(assessment, side, token)
    except SideFull:
        return notice("respond/full.html", assessment, side, token, FULL_STATUS)
    except invitations.CodeUsed:
        return notice("respond/code_used.html", assessment, side, token, FULL_STATUS)
    if submission is None:
        # The draft went with an earlier request (a double click, a replay).
        return already_received(token)
    return mark_sent(redirect(url_for("respond.thanks", token=token), code=303), token, submission)


@bp.get("/s/<token>/saved")
def saved(token: str) -> Page:
    assessment, side = survey_or_404(token)
    draft = find_draft(assessment, side, draft_key())
    if draft is None:
        return redirect(url_for("respond.start", token=token))
    bank = bank_of(assessment)
    return render_template(
        "respond/saved.html",
        answered=statements_answered(bank, draft_answers(bank, draft)),
        recovered=bool(request.args.get("recovered")),
        **context_of(assessment, side, token),
    )


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> Page:
    """Thank you, and the own view the "sent" cookie keeps: reloadable, revisitable."""
    assessment, side = survey_or_404(token)
    marker = sent_marker()
    if marker is None:
        return redirect(url_for("respond.start", token=token))
    bank = bank_of(assessment)
    known = {relationship.id: relationship for relationship in bank.types}
    return render_template(
        "respond/thanks.html",
        again=bool(request.args.get("again")),
        marker=marker,
        own_type=known.get(marker.type_id or ""),
        **context_of(assessment, side, token),
    )
