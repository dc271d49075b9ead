"""Which language a page is in, and which way it reads."""

from __future__ import annotations

from flask import current_app, has_request_context, request
from flask_babel import get_locale

RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})


def select_locale() -> str | None:
    # Outside a request (CLI commands, background work) the default language applies.
    if not has_request_context():
        return None
    return request.accept_languages.best_match(current_app.config["LANGUAGES"]) or "en"


def page_direction() -> str:
    locale = get_locale()
    return "rtl" if locale is not None and locale.language in RIGHT_TO_LEFT else "ltr"


def current_locale() -> str:
    locale = get_locale()
    return str(locale) if locale is not None else "en"
