"""Taking the survey through a team's link.

``GET /s/<token>``                the start page: who it is for, how long, the anonymity promise
``POST /s/<token>/start``         makes the draft and its cookie, then goes to the questions
``GET /s/<token>/questions``      every question on one page, with the saved answers filled in
``POST /s/<token>/questions``     "Send my answers" (``action=submit``) or "Save and finish
                                  later" (``action=save``)
``POST /s/<token>/draft``         the autosave of ``static/js/survey.js`` (JSON, never creates)

The link fixes the side. The draft cookie holds a random key whose SHA-256 is the
draft's primary key; its path is the survey link, so it is sent nowhere else.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

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
from survey.extensions import limiter
from survey.i18n import current_locale
from survey.models import Assessment
from survey.respond import bp
from survey.respond.drafts import (
    COOKIE_NAME,
    DRAFT_DAYS,
    SavedDraft,
    SurveyClosed,
    answers_needed_to_count,
    draft_answers,
    estimated_minutes,
    find_draft,
    save_draft,
    start_draft,
    submit,
)
from survey.respond.forms import ANSWER_LABELS, AnswerForm, StartForm, answer_form_class
from survey.services.assessments import find_by_survey_token
from survey.services.banks import current_bank
from survey.services.organisations import IDENTIFIABLE_BELOW
from survey.services.responses import DONT_KNOW

View = TypeVar("View", bound=Callable[..., Any])
Page = str | WerkzeugResponse | tuple[str | WerkzeugResponse, int]

#: HTTP status for an answer the closed survey refused.
CLOSED_STATUS = 409


@bp.get("/")
def home() -> str:
    return render_template("respond/home.html")


def _token_limited(view: View) -> View:
    """Count unknown tokens (404) against one budget per client address, shared by every
    ``/s/<token>`` route, so links cannot be guessed; a valid link costs nothing."""
    limit = limiter.shared_limit(
        lambda: current_app.config["SURVEY_TOKEN_LIMIT"],
        scope="survey-token",
        deduct_when=lambda response: response.status_code == 404,
    )
    return cast(View, limit(view))


# --- helpers -----------------------------------------------------------------


def _survey_or_404(token: str) -> tuple[Assessment, Side]:
    found = find_by_survey_token(token)
    if found is None:
        abort(404)
    return found


def _draft_key() -> str | None:
    return request.cookies.get(COOKIE_NAME) or None


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


def _expire_draft_cookie(response: WerkzeugResponse, token: str) -> WerkzeugResponse:
    response.delete_cookie(COOKIE_NAME, **_cookie_options(token))
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
    }


def _closed(assessment: Assessment, side: Side, token: str, status: int) -> Page:
    context = _survey_context(assessment, side, token, current_bank())
    page = render_template("respond/closed.html", posted=request.method == "POST", **context)
    return page, status


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
        dont_know=DONT_KNOW,
        # Resolved once per page, not once per radio; like the lazy strings they
        # replace, these are our own translated texts and are trusted as markup.
        scale=[(value, Markup(str(label))) for value, label in ANSWER_LABELS.items()],
        **_survey_context(assessment, side, token, bank),
    )


def _start_page(
    assessment: Assessment, side: Side, token: str, bank: Bank, *, cookie_problem: bool = False
) -> str:
    draft = find_draft(assessment, side, _draft_key())
    return render_template(
        "respond/start.html",
        form=StartForm(),
        resume=draft is not None,
        answered=len(draft_answers(bank, draft)),
        cookie_problem=cookie_problem,
        **_survey_context(assessment, side, token, bank),
    )


def _with_cookie(page: str, token: str, saved: SavedDraft) -> WerkzeugResponse:
    return _set_draft_cookie(make_response(page), token, saved.key)


# --- views -------------------------------------------------------------------


@bp.get("/s/<token>")
@_token_limited
def start(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, 200)
    return _start_page(assessment, side, token, current_bank())


@bp.post("/s/<token>/start")
@_token_limited
def begin(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not StartForm().validate_on_submit():
        abort(400)
    try:
        saved = start_draft(assessment, side, _draft_key())
    except SurveyClosed:
        return _closed(assessment, side, token, CLOSED_STATUS)
    # ``started`` lets the questions page tell a browser that refuses cookies from a newcomer.
    response = redirect(url_for("respond.questions", token=token, started=1), code=303)
    return _set_draft_cookie(response, token, saved.key)


@bp.get("/s/<token>/questions")
@_token_limited
def questions(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, 200)
    bank = current_bank()
    draft = find_draft(assessment, side, _draft_key())
    if draft is None:
        if request.args.get("started"):
            return _start_page(assessment, side, token, bank, cookie_problem=True)
        return redirect(url_for("respond.start", token=token))
    saved = draft_answers(bank, draft)
    form = answer_form_class(bank, side, current_locale())(data=saved)
    return _questions_page(assessment, side, token, bank, form, answered=len(saved))


@bp.post("/s/<token>/questions")
@_token_limited
def answer(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    if not assessment.is_open:
        return _closed(assessment, side, token, CLOSED_STATUS)
    bank = current_bank()
    form = answer_form_class(bank, side, current_locale())()
    given = form.given_answers()
    try:
        if request.form.get("action") == "save":
            saved = save_draft(assessment, side, _draft_key(), given, bank)
            assert saved is not None  # a missing draft is created
            page = render_template(
                "respond/saved.html",
                answered=saved.answered,
                **_survey_context(assessment, side, token, bank),
            )
            return _with_cookie(page, token, saved)
        if not form.validate():
            missing = form.missing_items()
            if not missing:
                abort(400)
            # Keep what was given, so a reload or a later visit still has it.
            saved = save_draft(assessment, side, _draft_key(), given, bank)
            assert saved is not None
            page = _questions_page(
                assessment, side, token, bank, form, answered=len(given), missing=missing
            )
            return _with_cookie(page, token, saved)
        submission = submit(assessment, side, _draft_key(), given, bank)
    except SurveyClosed:
        return _closed(assessment, side, token, CLOSED_STATUS)
    locale = current_locale()
    own = submission.own_view if submission else None
    page = render_template(
        "respond/thanks.html",
        already_received=submission is None,
        counted=submission.counted if submission else True,
        own=own,
        type_name=own.type.name.get(locale) if own and own.type else None,
        type_description=own.type.description.get(locale) if own and own.type else None,
        rated=submission.rated if submission else 0,
        needed=answers_needed_to_count(bank),
        **_survey_context(assessment, side, token, bank),
    )
    return _expire_draft_cookie(make_response(page), token)


@bp.post("/s/<token>/draft")
@_token_limited
def autosave(token: str) -> Page:
    assessment, side = _survey_or_404(token)
    bank = current_bank()
    form = answer_form_class(bank, side, current_locale())()
    try:
        saved = save_draft(assessment, side, _draft_key(), form.given_answers(), bank, create=False)
    except SurveyClosed:
        return jsonify(saved=False, reason=_("The survey is closed.")), CLOSED_STATUS
    if saved is None:
        # Already sent, or the draft expired: never bring a draft back from the background.
        return jsonify(saved=False, reason=_("There are no saved answers to add to.")), 409
    return jsonify(saved=True, answered=saved.answered)
