"""What the survey's views share: finding the link, the pages that say why nothing goes
on, the redirects after a POST and saving a page into the draft."""

from __future__ import annotations

from typing import Any, NoReturn

from flask import abort, make_response, redirect, render_template, request, url_for
from werkzeug.wrappers import Response as WerkzeugResponse

from scoring import Bank, Side
from survey.models import Assessment, Draft
from survey.respond import limits
from survey.respond.cookies import draft_key, mark_sent, sent_before, set_draft_cookie
from survey.respond.forms import BACK, SAVE, StartForm, SurveyPost
from survey.respond.pages import (
    PageState,
    Step,
    render_funnel,
    render_last,
    render_step,
    steps_of,
    survey_context,
)
from survey.services.assessments import find_by_survey_token, find_by_survey_token_to_write
from survey.services.banks import bank_of
from survey.services.drafts import (
    CODES,
    SavedDraft,
    SurveyClosed,
    find_draft,
    may_start_afresh,
    save_draft,
)

Page = str | WerkzeugResponse | tuple[str | WerkzeugResponse, int]

#: HTTP status for an answer the closed survey refused.
CLOSED_STATUS = 409
#: HTTP status when a side has all the responses its headcount allows.
FULL_STATUS = 409


def unknown_token() -> NoReturn:
    abort(404 if limits.hit(limits.UNKNOWN_TOKEN) else 429)


def survey_or_404(token: str, *, to_write: bool = False) -> tuple[Assessment, Side]:
    """The link's wave and side; ``to_write`` for a POST that goes on to store something:
    the wave is read in the write transaction its unit of work then goes on in."""
    found = find_by_survey_token_to_write(token) if to_write else find_by_survey_token(token)
    if found is None:
        unknown_token()
    return found


def context_of(assessment: Assessment, side: Side, token: str) -> dict[str, Any]:
    return survey_context(assessment, side, token, bank_of(assessment))


def notice(template: str, assessment: Assessment, side: Side, token: str, status: int) -> Page:
    """A page that says why nothing goes on: closed, full, too many, code used."""
    context = context_of(assessment, side, token)
    page = render_template(template, posted=request.method == "POST", **context)
    return page, status


def closed(assessment: Assessment, side: Side, token: str) -> Page:
    status = CLOSED_STATUS if request.method == "POST" else 200
    return notice("respond/closed.html", assessment, side, token, status)


def needs_code(assessment: Assessment) -> bool:
    return assessment.invitations == CODES


def start_page(
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
        needs_code=needs_code(assessment),
        already_sent=sent_before(),
        cookie_problem=cookie_problem,
        **context_of(assessment, side, token),
    )


def with_cookie(page: Page, token: str, saved: SavedDraft) -> WerkzeugResponse:
    return set_draft_cookie(make_response(page), token, saved.key)


def go(endpoint: str, token: str, saved: SavedDraft | None = None, **args: Any) -> WerkzeugResponse:
    """See other (303): the next page of a POST, with the draft cookie set anew."""
    if saved is not None and saved.created:
        args["recovered"] = 1
    response = redirect(url_for(endpoint, token=token, **args), code=303)
    return set_draft_cookie(response, token, saved.key) if saved is not None else response


def already_received(token: str) -> WerkzeugResponse:
    """These answers were sent before: store nothing, and show the thank-you page again."""
    return mark_sent(redirect(url_for("respond.thanks", token=token, again=1), code=303), token)


def draft_or_page(assessment: Assessment, side: Side, token: str) -> Draft | Page:
    """The browser's draft; or, without one, the page that explains where to go."""
    draft = find_draft(assessment, side, draft_key())
    if draft is not None:
        return draft
    if request.args.get("started") and not sent_before():
        return start_page(assessment, side, token, cookie_problem=True)
    return redirect(url_for("respond.start", token=token))


def show(bank: Bank, side: Side, context: dict[str, Any], step: Step, state: PageState) -> str:
    if step.is_last:
        return render_last(bank, side, context, state)
    if step.funnel:
        return render_funnel(bank, side, context, step, state)
    return render_step(bank, side, context, step, state)


def step_or_404(bank: Bank, number: int) -> Step:
    steps = steps_of(bank)
    if not 1 <= number <= len(steps):
        abort(404)
    return steps[number - 1]


def save_post(
    assessment: Assessment, side: Side, bank: Bank, post: SurveyPost
) -> SavedDraft | None:
    """Keep the page's answers in the draft; the carried copies only when the draft is gone."""
    key = draft_key()
    if may_start_afresh(key, sent_before()):
        comment = post.comment if post.comment is not None else post.carried_comment
        return save_draft(
            assessment, side, key, post.fresh_answers(), bank, create=True, comment=comment
        )
    return save_draft(assessment, side, key, post.given, bank, create=False, comment=post.comment)


def save_or_leave(
    assessment: Assessment, side: Side, token: str, bank: Bank, post: SurveyPost, back_to: int
) -> SavedDraft | Page:
    """Save a page's answers: the saved draft when the caller goes on with it, else the page
    the post ends on (the wave closed, the answers already sent, "Save and finish later",
    or Back, to step ``back_to``)."""
    try:
        saved = save_post(assessment, side, bank, post)
    except SurveyClosed:
        return closed(assessment, side, token)
    if saved is None:
        return already_received(token)
    if post.action == SAVE:
        return go("respond.saved", token, saved)
    if post.action == BACK:
        return go("respond.page", token, saved, step=back_to)
    return saved
