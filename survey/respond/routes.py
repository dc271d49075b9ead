"""Taking the survey through a team's link, one page per dimension.

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
cookies are described in ``survey.respond.cookies``, the pages in ``survey.respond.pages``.

Unknown tokens, and only they, count against ``SURVEY_TOKEN_LIMIT`` per client
address, so links cannot be guessed; once over it, unknown tokens get 429. A
valid link never consults that limit, so mistyped links in a room behind one
address never lock the others out.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import format_number
from flask_babel import gettext as _
from werkzeug.wrappers import Response as WerkzeugResponse

from scoring import Bank, Side
from survey.models import Assessment, Draft
from survey.respond import bp, limits
from survey.respond.cookies import (
    draft_key,
    mark_sent,
    sent_before,
    sent_marker,
    set_draft_cookie,
)
from survey.respond.forms import BACK, SAVE, SEND, StartForm, SurveyPost, read_post
from survey.respond.pages import (
    PageState,
    Step,
    render_last,
    render_step,
    resume_point,
    step_of,
    steps_of,
    survey_context,
)
from survey.services import invitations
from survey.services.assessments import find_by_survey_token
from survey.services.banks import bank_of
from survey.services.comments import COMMENT_MAX, CommentTooLong, check_comment
from survey.services.drafts import (
    CODES,
    SavedDraft,
    SurveyClosed,
    draft_answers,
    draft_comment,
    find_draft,
    may_start_afresh,
    save_draft,
    start_draft,
    submit,
)
from survey.services.ledgers import SideFull, side_is_full

Page = str | WerkzeugResponse | tuple[str | WerkzeugResponse, int]

#: HTTP status for an answer the closed survey refused.
CLOSED_STATUS = 409
#: HTTP status when a side has all the responses its headcount allows.
FULL_STATUS = 409


@bp.after_request
def keep_out_of_caches(response: WerkzeugResponse) -> WerkzeugResponse:
    """Survey pages show saved answers and a person's own result: never keep them."""
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home() -> str:
    return render_template("respond/home.html")


# --- helpers -----------------------------------------------------------------


def _unknown_token() -> NoReturn:
    abort(404 if limits.hit(limits.UNKNOWN_TOKEN) else 429)


def _survey_or_404(token: str) -> tuple[Assessment, Side]:
    found = find_by_survey_token(token)
    if found is None:
        _unknown_token()
    return found


def _context(assessment: Assessment, side: Side, token: str) -> dict[str, Any]:
    return survey_context(assessment, side, token, bank_of(assessment))


def _notice(template: str, assessment: Assessment, side: Side, token: str, status: int) -> Page:
    """A page that says why nothing goes on: closed, full, too many, code used."""
    context = _context(assessment, side, token)
    page = render_template(template, posted=request.method == "POST", **context)
    return page, status


def _closed(assessment: Assessment, side: Side, token: str) -> Page:
    status = CLOSED_STATUS if request.method == "POST" else 200
    return _notice("respond/closed.html", assessment, side, token, status)


def _needs_code(assessment: Assessment) -> bool:
    return assessment.invitations == CODES


def _start_page(
    assessment: Assessment,
    side: Side,
    token: str,
    *,
    cookie_problem: bool = False,
    form: StartForm | None = None,
) -> str:
    return render_template(
        "respond/start.html",
        form=form or StartForm(),
        needs_code=_needs_code(assessment),
        already_sent=sent_before(),
        cookie_problem=cookie_problem,
        **_context(assessment, side, token),
    )


def _with_cookie(page: Page, token: str, saved: SavedDraft) -> WerkzeugResponse:
    return set_draft_cookie(make_response(page), token, saved.key)


def _go(
    endpoint: str, token: str, saved: SavedDraft | None = None, **args: Any
) -> WerkzeugResponse:
    """See other (303): the next page of a POST, with the draft cookie set anew."""
    if saved is not None and saved.created:
        args["recovered"] = 1
    response = redirect(url_for(endpoint, token=token, **args), code=303)
    return set_draft_cookie(response, token, saved.key) if saved is not None else response


def _already_received(token: str) -> WerkzeugResponse:
    """These answers were sent before: store nothing, and show the thank-you page again."""
    return mark_sent(redirect(url_for("respond.thanks", token=token, again=1), code=303), token)


def _draft_or_page(assessment: Assessment, side: Side, token: str) -> Draft | Page:
    """The browser's draft; or, without one, the page that explains where to go."""
    draft = find_draft(assessment, side, draft_key())
    if draft is not None:
        return draft
    if request.args.get("started") and not sent_before():
        return _start_page(assessment, side, token, cookie_problem=True)
    return redirect(url_for("respond.start", token=token))


def _show(bank: Bank, side: Side, context: dict[str, Any], step: Step, state: PageState) -> str:
    if step.is_last:
        return render_last(bank, side, context, state)
    return render_step(bank, side, context, step, state)


def _step_or_404(bank: Bank, number: int) -> Step:
    steps = steps_of(bank)
    if not 1 <= number <= len(steps):
        abort(404)
    return steps[number - 1]


def _save(assessment: Assessment, side: Side, bank: Bank, post: SurveyPost) -> SavedDraft | None:
    """Keep the page's answers in the draft; the carried copies only when the draft is gone."""
    key = draft_key()
    if may_start_afresh(key, sent_before()):
        comment = post.comment if post.comment is not None else post.carried_comment
        return save_draft(
            assessment, side, key, post.fresh_answers(), bank, create=True, comment=comment
        )
    return save_draft(assessment, side, key, post.given, bank, create=False, comment=post.comment)


# --- start -------------------------------------------------------------------


@bp.get("/s/<token>")
def start(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token)
    if find_draft(assessment, side, draft_key()) is not None:
        return redirect(url_for("respond.questions", token=token))
    if side_is_full(assessment, side):
        return _notice("respond/full.html", assessment, side, token, 200)
    return _start_page(assessment, side, token)


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
    return _start_page(assessment, side, token, form=form), 400


@bp.post("/s/<token>/start")
def begin(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    code: str | None = None
    creating = not sent_before() and find_draft(assessment, side, draft_key()) is None
    if creating and _needs_code(assessment):
        checked = _checked_code(assessment, side, token, form)
        if not isinstance(checked, str):
            return checked
        code = checked
    if creating and side_is_full(assessment, side):
        return _notice("respond/full.html", assessment, side, token, FULL_STATUS)
    try:
        # A browser that sent its answers may go on with a draft it still has, never a new one.
        saved = start_draft(assessment, side, draft_key(), create=not sent_before(), code=code)
    except SurveyClosed:
        return _closed(assessment, side, token)
    if saved is None:
        return redirect(url_for("respond.start", token=token), code=303)
    # ``started`` lets the first page tell a browser that refuses cookies from a newcomer.
    response = redirect(url_for("respond.page", token=token, step=1, started=1), code=303)
    return set_draft_cookie(response, token, saved.key)


# --- the pages of statements -------------------------------------------------


@bp.get("/s/<token>/questions")
def questions(token: str) -> Page:
    """Resume: the first page with a statement not answered yet, focus on that statement."""
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token)
    draft = _draft_or_page(assessment, side, token)
    if not isinstance(draft, Draft):
        return draft
    bank = bank_of(assessment)
    answers = draft_answers(bank, draft)
    step, item_id = resume_point(steps_of(bank), answers)
    state = PageState(answers, draft_comment(draft), focus=item_id, welcome_back=bool(answers))
    return _show(bank, side, _context(assessment, side, token), step, state)


@bp.get("/s/<token>/questions/<int:step>")
def page(token: str, step: int) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token)
    bank = bank_of(assessment)
    shown = _step_or_404(bank, step)
    draft = _draft_or_page(assessment, side, token)
    if not isinstance(draft, Draft):
        return draft
    recovered = bool(request.args.get("recovered"))
    state = PageState(draft_answers(bank, draft), draft_comment(draft), recovered=recovered)
    return _show(bank, side, _context(assessment, side, token), shown, state)


@bp.post("/s/<token>/questions/<int:step>")
def answer_page(token: str, step: int) -> Page:
    assessment, side = _survey_or_404(token)
    bank = bank_of(assessment)
    shown = _step_or_404(bank, step)
    if shown.is_last:
        return send(token)
    post = read_post(bank, request.form, shown.item_ids)
    try:
        saved = _save(assessment, side, bank, post)
    except SurveyClosed:
        return _closed(assessment, side, token)
    if saved is None:
        return _already_received(token)
    if post.action == SAVE:
        return _go("respond.saved", token, saved)
    if post.action == BACK:
        return _go("respond.page", token, saved, step=max(1, step - 1))
    missing = [item_id for item_id in shown.item_ids if item_id not in saved.answers]
    if missing:
        state = PageState(saved.answers, saved.comment, missing=missing, recovered=saved.created)
        page = render_step(bank, side, _context(assessment, side, token), shown, state)
        return _with_cookie(page, token, saved)
    return _go("respond.page", token, saved, step=step + 1)


# --- sending -----------------------------------------------------------------


@bp.post("/s/<token>/questions")
def send(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    bank = bank_of(assessment)
    post = read_post(bank, request.form)
    try:
        saved = _save(assessment, side, bank, post)
    except SurveyClosed:
        return _closed(assessment, side, token)
    if saved is None:
        return _already_received(token)
    if post.action == SAVE:
        return _go("respond.saved", token, saved)
    last = len(steps_of(bank))
    if post.action == BACK:
        return _go("respond.page", token, saved, step=last - 1)
    if post.action != SEND or saved.created:
        # A fresh draft (the saved one was lost) sends nothing yet: the next "Send" does.
        return _go("respond.page", token, saved, step=last)
    return _send(assessment, side, token, bank, saved)


def _send(assessment: Assessment, side: Side, token: str, bank: Bank, saved: SavedDraft) -> Page:
    context = _context(assessment, side, token)
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
    if not _needs_code(assessment) and not limits.hit(limits.NEW_RESPONSE, token):
        # The answers wait in the draft, so nothing is lost.
        return _notice("respond/too_many.html", assessment, side, token, 429)
    try:
        submission = submit(assessment, side, draft_key(), saved.answers, bank, comment)
    except SurveyClosed:
        return _closed(assessment, side, token)
    except SideFull:
        return _notice("respond/full.html", assessment, side, token, FULL_STATUS)
    except invitations.CodeUsed:
        return _notice("respond/code_used.html", assessment, side, token, FULL_STATUS)
    if submission is None:
        # The draft went with an earlier request (a double click, a replay).
        return _already_received(token)
    return mark_sent(redirect(url_for("respond.thanks", token=token), code=303), token, submission)


# --- after saving, after sending ---------------------------------------------


@bp.get("/s/<token>/saved")
def saved(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    draft = find_draft(assessment, side, draft_key())
    if draft is None:
        return redirect(url_for("respond.start", token=token))
    return render_template(
        "respond/saved.html",
        answered=len(draft_answers(bank_of(assessment), draft)),
        recovered=bool(request.args.get("recovered")),
        **_context(assessment, side, token),
    )


@bp.get("/s/<token>/thanks")
def thanks(token: str) -> Page:
    """Thank you, and the own view the "sent" cookie keeps: reloadable, revisitable."""
    assessment, side = _survey_or_404(token)
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
        **_context(assessment, side, token),
    )


@bp.post("/s/<token>/draft")
def autosave(token: str) -> Page:
    assessment, side = _survey_or_404(token)
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
