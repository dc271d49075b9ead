"""Taking the survey through a team's link.

``GET /s/<token>``                the start page: who it is for, how long, the anonymity promise
``POST /s/<token>/start``         makes the draft and its cookie, then goes to the questions
``GET /s/<token>/questions``      every question on one page, with the saved answers filled in
``POST /s/<token>/questions``     "Send my answers" (``action=submit``) or "Save and finish
                                  later" (``action=save``)
``POST /s/<token>/draft``         the autosave of ``static/js/survey.js`` (JSON, never creates)

The link fixes the side. The draft cookie holds a random key whose SHA-256 is the
draft's primary key; its path is the survey link, so it is sent nowhere else.
After the answers are sent, a "sent" marker cookie with the same path takes its
place (see ``survey.services.drafts`` for how a POST without a draft is read).

Unknown tokens, and only they, count against ``SURVEY_TOKEN_LIMIT`` per client
address, so links cannot be guessed; once over it, unknown tokens get 429. A
valid link never consults the limit, so mistyped links in a room behind one
address never lock the others out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NoReturn

from flask import (
    abort,
    current_app,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from markupsafe import Markup
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import RadioField

from scoring import Bank, Side
from survey.i18n import current_locale
from survey.models import Assessment
from survey.respond import bp, limits
from survey.respond.forms import ANSWER_LABELS, AnswerForm, StartForm, answer_form_class
from survey.services import invitations
from survey.services.assessments import find_by_survey_token
from survey.services.banks import bank_of
from survey.services.drafts import (
    CODES,
    COOKIE_NAME,
    DRAFT_DAYS,
    SENT_COOKIE_NAME,
    SENT_COOKIE_VALUE,
    SENT_DAYS,
    SavedDraft,
    SurveyClosed,
    answers_needed_to_count,
    draft_answers,
    estimated_minutes,
    find_draft,
    may_start_afresh,
    save_draft,
    start_draft,
    submit,
)
from survey.services.ledgers import SideFull, side_is_full
from survey.services.organisations import IDENTIFIABLE_BELOW
from survey.services.responses import DONT_KNOW

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


# --- unknown tokens ----------------------------------------------------------


def _unknown_token() -> NoReturn:
    abort(404 if limits.hit(limits.UNKNOWN_TOKEN) else 429)


# --- helpers -----------------------------------------------------------------


def _survey_or_404(token: str) -> tuple[Assessment, Side]:
    found = find_by_survey_token(token)
    if found is None:
        _unknown_token()
    return found


def _draft_key() -> str | None:
    return request.cookies.get(COOKIE_NAME) or None


def _sent_before() -> bool:
    """The browser says it sent its answers to this link (the cookie's path is the link)."""
    return request.cookies.get(SENT_COOKIE_NAME) == SENT_COOKIE_VALUE


def _cookie_options(token: str) -> dict[str, Any]:
    return {
        "path": url_for("respond.start", token=token),
        "secure": current_app.config.get("SESSION_COOKIE_SECURE") is not False,
        "httponly": True,
        "samesite": "Lax",
    }


def _set_draft_cookie(response: WerkzeugResponse, token: str, key: str) -> WerkzeugResponse:
    response.set_cookie(
        COOKIE_NAME, key, max_age=DRAFT_DAYS * 24 * 60 * 60, **_cookie_options(token)
    )
    return response


def _mark_sent(response: WerkzeugResponse, token: str) -> WerkzeugResponse:
    """Replace the draft cookie by the "sent" marker, which holds no id."""
    options = _cookie_options(token)
    response.delete_cookie(COOKIE_NAME, **options)
    response.set_cookie(
        SENT_COOKIE_NAME, SENT_COOKIE_VALUE, max_age=SENT_DAYS * 24 * 60 * 60, **options
    )
    return response


def _survey_context(assessment: Assessment, side: Side, token: str, bank: Bank) -> dict[str, Any]:
    return {
        "token": token,
        "assessment": assessment,
        "organisation": assessment.organisation.name,
        "side": side.value,
        "threshold": assessment.threshold,
        "identifiable": assessment.threshold < IDENTIFIABLE_BELOW,
        "total": len(bank.items),
        "minutes": estimated_minutes(bank),
        "draft_days": DRAFT_DAYS,
        "sent_days": SENT_DAYS,
    }


def _closed(assessment: Assessment, side: Side, token: str, status: int) -> Page:
    context = _survey_context(assessment, side, token, bank_of(assessment))
    page = render_template("respond/closed.html", posted=request.method == "POST", **context)
    return page, status


def _full(assessment: Assessment, side: Side, token: str, status: int) -> Page:
    """The side has all the responses its headcount allows."""
    context = _survey_context(assessment, side, token, bank_of(assessment))
    page = render_template("respond/full.html", posted=request.method == "POST", **context)
    return page, status


def _too_many(assessment: Assessment, side: Side, token: str) -> Page:
    """Several responses came from this address within a minute; the answers are kept."""
    context = _survey_context(assessment, side, token, bank_of(assessment))
    return render_template("respond/too_many.html", **context), 429


@dataclass(frozen=True)
class Question:
    number: int
    item_id: str
    field: RadioField
    missing: bool


@dataclass(frozen=True)
class Section:
    title: str
    description: str
    questions: tuple[Question, ...]


def _sections(bank: Bank, form: AnswerForm, missing: set[str], locale: str) -> list[Section]:
    """The questions grouped by dimension, numbered in the order they are shown."""
    sections = []
    number = 0
    for dimension in bank.dimensions:
        questions = []
        for item in bank.items_in(dimension.id):
            number += 1
            questions.append(Question(number, item.id, form[item.id], item.id in missing))
        sections.append(
            Section(
                title=dimension.title.get(locale),
                description=dimension.description.get(locale),
                questions=tuple(questions),
            )
        )
    return sections


def _questions_page(
    assessment: Assessment,
    side: Side,
    token: str,
    bank: Bank,
    form: AnswerForm,
    *,
    answered: int,
    missing: list[str] | None = None,
    recovered: bool = False,
) -> str:
    locale = current_locale()
    missing_ids = set(missing or ())
    sections = _sections(bank, form, missing_ids, locale)
    missing_questions = [
        (section, question)
        for section in sections
        for question in section.questions
        if question.missing
    ]
    return render_template(
        "respond/questions.html",
        form=form,
        sections=sections,
        missing=missing_questions,
        answered=answered,
        recovered=recovered,
        dont_know=DONT_KNOW,
        # Resolved once per page, not once per radio; like the lazy strings they
        # replace, these are our own translated texts and are trusted as markup.
        scale=[(value, Markup(str(label))) for value, label in ANSWER_LABELS.items()],
        **_survey_context(assessment, side, token, bank),
    )


def _needs_code(assessment: Assessment) -> bool:
    return assessment.invitations == CODES


def _start_page(
    assessment: Assessment,
    side: Side,
    token: str,
    bank: Bank,
    *,
    cookie_problem: bool = False,
    form: StartForm | None = None,
) -> str:
    draft = find_draft(assessment, side, _draft_key())
    return render_template(
        "respond/start.html",
        form=form or StartForm(),
        needs_code=_needs_code(assessment),
        resume=draft is not None,
        already_sent=draft is None and _sent_before(),
        answered=len(draft_answers(bank, draft)),
        cookie_problem=cookie_problem,
        **_survey_context(assessment, side, token, bank),
    )


def _with_cookie(page: str, token: str, saved: SavedDraft) -> WerkzeugResponse:
    return _set_draft_cookie(make_response(page), token, saved.key)


def _already_received(assessment: Assessment, side: Side, token: str) -> WerkzeugResponse:
    """These answers were sent before: say so, and store nothing."""
    page = render_template(
        "respond/thanks.html",
        already_received=True,
        **_survey_context(assessment, side, token, bank_of(assessment)),
    )
    return _mark_sent(make_response(page), token)


# --- views -------------------------------------------------------------------


@bp.get("/s/<token>")
def start(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, 200)
    if side_is_full(assessment, side) and find_draft(assessment, side, _draft_key()) is None:
        return _full(assessment, side, token, 200)
    return _start_page(assessment, side, token, bank_of(assessment))


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
    return _start_page(assessment, side, token, bank_of(assessment), form=form), 400


@bp.post("/s/<token>/start")
def begin(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    form = StartForm()
    if not form.validate_on_submit():
        abort(400)
    code: str | None = None
    creating = not _sent_before() and find_draft(assessment, side, _draft_key()) is None
    if creating and _needs_code(assessment):
        checked = _checked_code(assessment, side, token, form)
        if not isinstance(checked, str):
            return checked
        code = checked
    if creating and side_is_full(assessment, side):
        return _full(assessment, side, token, FULL_STATUS)
    try:
        # A browser that sent its answers may go on with a draft it still has, never a new one.
        saved = start_draft(assessment, side, _draft_key(), create=not _sent_before(), code=code)
    except SurveyClosed:
        return _closed(assessment, side, token, CLOSED_STATUS)
    if saved is None:
        return redirect(url_for("respond.start", token=token), code=303)
    # ``started`` lets the questions page tell a browser that refuses cookies from a newcomer.
    response = redirect(url_for("respond.questions", token=token, started=1), code=303)
    return _set_draft_cookie(response, token, saved.key)


@bp.get("/s/<token>/questions")
def questions(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, 200)
    bank = bank_of(assessment)
    draft = find_draft(assessment, side, _draft_key())
    if draft is None:
        if request.args.get("started"):
            return _start_page(assessment, side, token, bank, cookie_problem=True)
        return redirect(url_for("respond.start", token=token))
    saved = draft_answers(bank, draft)
    form = answer_form_class(bank, side, current_locale())(data=saved)
    return _questions_page(assessment, side, token, bank, form, answered=len(saved))


@bp.post("/s/<token>/questions")
def answer(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, CLOSED_STATUS)
    bank = bank_of(assessment)
    form = answer_form_class(bank, side, current_locale())()
    given = form.given_answers()
    key = _draft_key()
    # Without a draft: sent before (store nothing), or progress lost (keep the answers).
    afresh = may_start_afresh(key, _sent_before())
    try:
        if request.form.get("action") == "save":
            saved = save_draft(assessment, side, key, given, bank, create=afresh)
            if saved is None:
                return _already_received(assessment, side, token)
            page = render_template(
                "respond/saved.html",
                answered=saved.answered,
                recovered=saved.created,
                **_survey_context(assessment, side, token, bank),
            )
            return _with_cookie(page, token, saved)
        complete = form.validate()
        missing = [] if complete else form.missing_items()
        if not complete and not missing:
            abort(400)
        if missing or afresh:
            # Keep what was given, so a reload or a later visit still has it; a fresh
            # draft (progress lost) sends nothing yet, so the next "Send" stores it once.
            saved = save_draft(assessment, side, key, given, bank, create=afresh)
            if saved is None:
                return _already_received(assessment, side, token)
            page = _questions_page(
                assessment,
                side,
                token,
                bank,
                form,
                answered=len(given),
                missing=missing,
                recovered=saved.created,
            )
            return _with_cookie(page, token, saved)
        if not _needs_code(assessment) and not limits.hit(limits.NEW_RESPONSE, token):
            # Keep the answers on the server too, so nothing is lost while they wait.
            save_draft(assessment, side, key, given, bank, create=False)
            return _too_many(assessment, side, token)
        submission = submit(assessment, side, key, given, bank)
    except SurveyClosed:
        return _closed(assessment, side, token, CLOSED_STATUS)
    except SideFull:
        return _full(assessment, side, token, FULL_STATUS)
    except invitations.CodeUsed:
        context = _survey_context(assessment, side, token, bank)
        return render_template("respond/code_used.html", **context), FULL_STATUS
    if submission is None:
        # The draft went with an earlier request (a double click, a replay).
        return _already_received(assessment, side, token)
    locale = current_locale()
    own = submission.own_view
    page = render_template(
        "respond/thanks.html",
        already_received=False,
        counted=submission.counted,
        own=own,
        type_name=own.type.name.get(locale) if own.type else None,
        type_description=own.type.description.get(locale) if own.type else None,
        rated=submission.rated,
        needed=answers_needed_to_count(bank),
        **_survey_context(assessment, side, token, bank),
    )
    return _mark_sent(make_response(page), token)


@bp.post("/s/<token>/draft")
def autosave(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    bank = bank_of(assessment)
    form = answer_form_class(bank, side, current_locale())()
    key = _draft_key()
    try:
        saved = save_draft(assessment, side, key, form.given_answers(), bank, create=False)
    except SurveyClosed:
        return jsonify(saved=False, reason=_("The survey is closed.")), CLOSED_STATUS
    if saved is not None:
        return jsonify(saved=True, answered=saved.answered)
    # Never bring a draft back from the background: the buttons on the page do that.
    if may_start_afresh(key, _sent_before()):
        reason = _(
            "Your saved progress could not be found on this device. Your answers stay on "
            "this page: press “Send my answers” or “Save and finish later” to keep them."
        )
        return jsonify(saved=False, sent=False, reason=reason), 409
    reason = _("Your answers from this device were already received. Nothing more was stored.")
    return jsonify(saved=False, sent=True, reason=reason), 409
