"""Taking the survey through a team's link, one page per dimension and one for the funnel.

``GET  /s/<token>``                  the start page (a browser with a draft goes on where it left)
``POST /s/<token>/start``            makes the draft and its cookie, then goes to the first page
``GET  /s/<token>/questions``        where the respondent left off: the first page with a
                                     statement not answered yet, focus on that statement
``GET  /s/<token>/questions/<n>``    page ``n`` with the saved answers chosen; the last page
                                     holds the open question and the "Send" button
``POST /s/<token>/questions/<n>``    saves the page, then ``Next`` (the page must be answered),
                                     ``Back`` or ``Save and finish later``
``POST /s/<token>/questions``        the last page: "Send my answers" (``action=submit``), Back
                                     or Save; it also takes a whole questionnaire in one POST
``GET  /s/<token>/saved``            "your answers are saved"
``GET  /s/<token>/thanks``           the thank-you page with the own view, from the "sent" cookie
``POST /s/<token>/draft``            the autosave of ``static/js/survey.js`` (JSON, never creates)

Every POST that changes something answers with a redirect (post/redirect/get), except
when the page must be shown again with what is wrong. The link fixes the side; the
cookies are described in ``survey.respond.cookies``, the pages in ``survey.respond.pages``;
sending and the pages after it are in ``survey.respond.sending``.

Unknown tokens, and only they, count against ``SURVEY_TOKEN_LIMIT`` per client
address, so links cannot be guessed; once over it, unknown tokens get 429. A
valid link never consults that limit, so mistyped links in a room behind one
address never lock the others out.
"""

from __future__ import annotations

from flask import abort, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from scoring import Side
from survey.models import Assessment, Draft
from survey.respond import bp, limits
from survey.respond.cookies import draft_key, sent_before, set_draft_cookie
from survey.respond.forms import StartForm, read_post
from survey.respond.helpers import (
    FULL_STATUS,
    Page,
    closed,
    context_of,
    draft_or_page,
    go,
    needs_code,
    notice,
    save_or_leave,
    show,
    start_page,
    step_or_404,
    survey_or_404,
    with_cookie,
)
from survey.respond.pages import PageState, resume_point, steps_of
from survey.respond.sending import send
from survey.services import invitations
from survey.services.banks import bank_of
from survey.services.drafts import (
    SavedDraft,
    SurveyClosed,
    draft_answers,
    draft_comment,
    find_draft,
    may_start_afresh,
    save_draft,
    start_draft,
)
from survey.services.ledgers import side_is_full

#: HTTP status of the autosave when the survey is closed.
CLOSED_STATUS = 409


@bp.after_request
def keep_out_of_caches(response: WerkzeugResponse) -> WerkzeugResponse:
    """Survey pages show saved answers and a person's own result: never keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home() -> str:
    return render_template("respond/home.html")


# --- start -------------------------------------------------------------------


@bp.get("/s/<token>")
def start(token: str) -> Page:
    assessment, side = survey_or_404(token)
    if not assessment.is_open:
        return closed(assessment, side, token)
    if find_draft(assessment, side, draft_key()) is not None:
        return redirect(url_for("respond.questions", token=token))
    if side_is_full(assessment, side):
        return notice("respond/full.html", assessment, side, token, 200)
    return start_page(assessment, side, token)


def _checked_code(assessment: Assessment, side: Side, token: str, form: StartForm) -> str | Page:
    """The invitation code the respondent typed, or the start page saying what is wrong."""
    if not limits.test(limits.WRONG_CODE):
        abort(429)
    code = invitations.usable(assessment, side, form.code.data)
    if code is not None:
        return code
    limits.hit(limits.WRONG_CODE)
    form.code.errors = [
        _("This code is not valid for this survey, or it was used already. Check it and try again.")
    ]
    return start_page(assessment, side, token, form=form), 400


@bp.post("/s/<token>/start")
def begin(token: str) -> Page:
    assessment, side = survey_or_404(token, to_write=True)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    code: str | None = None
    creating = not sent_before() and find_draft(assessment, side, draft_key()) is None
    if creating and needs_code(assessment):
        checked = _checked_code(assessment, side, token, form)
        if not isinstance(checked, str):
            return checked
        code = checked
    if creating and side_is_full(assessment, side):
        return notice("respond/full.html", assessment, side, token, FULL_STATUS)
    try:
        # A browser that sent its answers may go on with a draft it still has, never a new one.
        saved = start_draft(assessment, side, draft_key(), create=not sent_before(), code=code)
    except SurveyClosed:
        return closed(assessment, side, token)
    if saved is None:
        return redirect(url_for("respond.start", token=token), code=303)
    # ``started`` lets the first page tell a browser that refuses cookies from a newcomer.
    response = redirect(url_for("respond.page", token=token, step=1, started=1), code=303)
    return set_draft_cookie(response, token, saved.key)


# --- the pages of statements -------------------------------------------------


@bp.get("/s/<token>/questions")
def questions(token: str) -> Page:
    """Resume: the first page with a statement not answered yet, focus on that statement."""
    assessment, side = survey_or_404(token)
    if not assessment.is_open:
        return closed(assessment, side, token)
    draft = draft_or_page(assessment, side, token)
    if not isinstance(draft, Draft):
        return draft
    bank = bank_of(assessment)
    answers = draft_answers(bank, draft)
    step, item_id = resume_point(steps_of(bank), answers)
    state = PageState(answers, draft_comment(draft), focus=item_id, welcome_back=bool(answers))
    return show(bank, side, context_of(assessment, side, token), step, state)


@bp.get("/s/<token>/questions/<int:step>")
def page(token: str, step: int) -> Page:
    assessment, side = survey_or_404(token)
    if not assessment.is_open:
        return closed(assessment, side, token)
    bank = bank_of(assessment)
    shown = step_or_404(bank, step)
    draft = draft_or_page(assessment, side, token)
    if not isinstance(draft, Draft):
        return draft
    recovered = bool(request.args.get("recovered"))
    state = PageState(draft_answers(bank, draft), draft_comment(draft), recovered=recovered)
    return show(bank, side, context_of(assessment, side, token), shown, state)


@bp.post("/s/<token>/questions/<int:step>")
def answer_page(token: str, step: int) -> Page:
    assessment, side = survey_or_404(token, to_write=True)
    bank = bank_of(assessment)
    shown = step_or_404(bank, step)
    if shown.is_last:
        return send(token)
    post = read_post(bank, request.form, shown.item_ids)
    saved = save_or_leave(assessment, side, token, bank, post, back_to=max(1, step - 1))
    if not isinstance(saved, SavedDraft):
        return saved
    missing = [item_id for item_id in shown.item_ids if item_id not in saved.answers]
    if missing:
        state = PageState(saved.answers, saved.comment, missing=missing, recovered=saved.created)
        page = show(bank, side, context_of(assessment, side, token), shown, state)
        return with_cookie(page, token, saved)
    return go("respond.page", token, saved, step=step + 1)


@bp.post("/s/<token>/draft")
def autosave(token: str) -> Page:
    assessment, side = survey_or_404(token, to_write=True)
    bank = bank_of(assessment)
    post = read_post(bank, request.form)
    key = draft_key()
    try:
        saved = save_draft(
            assessment, side, key, post.given, bank, create=False, comment=post.comment
        )
    except SurveyClosed:
        return jsonify(saved=False, reason=_("The survey is closed.")), CLOSED_STATUS
    if saved is not None:
        return jsonify(saved=True, answered=saved.answered)
    # Never bring a draft back from the background: the buttons on the page do that.
    if may_start_afresh(key, sent_before()):
        reason = _(
            "Your saved progress could not be found on this device. Your answers stay on "
            "this page: press a button below to keep them."
        )
        return jsonify(saved=False, sent=False, reason=reason), 409
    reason = _("Your answers from this device were already received. Nothing more was stored.")
    return jsonify(saved=False, sent=True, reason=reason), 409
