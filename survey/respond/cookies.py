"""The two cookies of a survey link: the draft key, then the "sent" marker.

Both are HttpOnly, SameSite=Lax, Secure (except on plain-http development) and
limited to the survey link's path, so they are sent nowhere else.

* ``survey_draft`` holds a random key whose SHA-256 is the draft's primary key.
* ``survey_submitted`` replaces it once the answers were sent. Its value is signed
  with the app's secret and holds the respondent's own view — the type id, the
  score as shown, whether the answers count and, if not, how many were rated —
  never an answer, an id or a time. The thank-you page is read from it, so it can
  be reloaded and revisited from the same browser while the server keeps nothing
  next to the response. The plain value ``"1"`` of earlier versions still counts
  as "sent", without an own view.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import current_app, request, url_for
from itsdangerous import BadSignature, URLSafeSerializer
from werkzeug.wrappers import Response as WerkzeugResponse

from survey.services.drafts import (
    COOKIE_NAME,
    DRAFT_DAYS,
    SENT_COOKIE_NAME,
    SENT_COOKIE_VALUE,
    SENT_DAYS,
    Submission,
)

_SALT = "survey-sent-own-view"
#: Decimals of the score kept (and shown): the same as the thank-you page prints.
SCORE_DECIMALS = 1


@dataclass(frozen=True)
class SentMarker:
    """What the "sent" cookie says; ``type_id`` is ``None`` for an old or empty marker."""

    counted: bool = True
    score: float | None = None
    type_id: str | None = None
    rated: int | None = None


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def draft_key() -> str | None:
    return request.cookies.get(COOKIE_NAME) or None


def sent_marker() -> SentMarker | None:
    """The browser's own view of the answers it sent to this link, if it sent any."""
    raw = request.cookies.get(SENT_COOKIE_NAME)
    if not raw:
        return None
    if raw == SENT_COOKIE_VALUE:
        return SentMarker()
    try:
        data = _serializer().loads(raw)
    except BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    score, type_id, rated = data.get("s"), data.get("t"), data.get("r")
    return SentMarker(
        counted=data.get("c") is not False,
        score=float(score) if isinstance(score, int | float) else None,
        type_id=type_id if isinstance(type_id, str) else None,
        rated=rated if isinstance(rated, int) else None,
    )


def sent_before() -> bool:
    """The browser says it sent its answers to this link (the cookie's path is the link)."""
    return sent_marker() is not None


def _options(token: str) -> dict[str, Any]:
    return {
        "path": url_for("respond.start", token=token),
        "secure": current_app.config.get("SESSION_COOKIE_SECURE") is not False,
        "httponly": True,
        "samesite": "Lax",
    }


def set_draft_cookie(response: WerkzeugResponse, token: str, key: str) -> WerkzeugResponse:
    response.set_cookie(COOKIE_NAME, key, max_age=DRAFT_DAYS * 24 * 60 * 60, **_options(token))
    return response


def _marker_value(submission: Submission | None) -> str:
    if submission is None:
        return SENT_COOKIE_VALUE
    own = submission.own_view
    data: dict[str, Any] = {"c": submission.counted}
    if own.score is not None:
        data["s"] = round(own.score, SCORE_DECIMALS)
    if own.type is not None:
        data["t"] = own.type.id
    if not submission.counted:
        data["r"] = submission.rated  # only what the "cannot count" note needs
    return str(_serializer().dumps(data))


def mark_sent(
    response: WerkzeugResponse, token: str, submission: Submission | None = None
) -> WerkzeugResponse:
    """Replace the draft cookie by the "sent" marker (with the own view, when known).

    Without a submission (a replay), a marker the browser holds already is kept as
    it is, so a double click cannot wipe the own view the first click brought.
    """
    options = _options(token)
    response.delete_cookie(COOKIE_NAME, **options)
    if submission is None and sent_before():
        return response
    response.set_cookie(
        SENT_COOKIE_NAME,
        _marker_value(submission),
        max_age=SENT_DAYS * 24 * 60 * 60,
        **options,
    )
    return response
