"""Which language a page is in, and which way it reads."""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request
from flask_babel import Domain, get_locale, get_translations
from jinja2 import Environment, pass_context
from jinja2.runtime import Context
from markupsafe import Markup

RIGHT_TO_LEFT = frozenset({"ar", "fa", "he", "ur"})
#: Where a request keeps its locale's catalogs (see ``AppDomain.get_translations``).
_KEPT = "_survey_translations"


class AppDomain(Domain):
    """Flask-Babel's message domain, with its loaded catalogs kept per app.

    The stock domain lives on the one shared ``Babel`` object and caches catalogs by
    locale alone, so a second app in the same process (tests, or two configurations)
    would be served the catalogs the first app loaded from its own directories.
    """

    def get_translations_cache(self, ctx: object) -> dict[Any, Any]:
        cache: dict[Any, Any] = current_app.extensions.setdefault("survey_translations", {})
        return cache

    def get_translations(self) -> Any:
        """The request's catalogs, looked up once per request and locale.

        A page asks for them once per text it translates, dozens of times, and the
        stock lookup (the request's context, the cache, the locale and its name) cost
        more than the translating. They are kept with the locale they are for, so a
        locale chosen anew in the request is still honoured.
        """
        if not has_request_context():
            return super().get_translations()
        locale = get_locale()
        kept = g.get(_KEPT)
        if kept is not None and kept[0] is locale:
            return kept[1]
        found = super().get_translations()
        setattr(g, _KEPT, (locale, found))
        return found


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


# --- gettext in templates ------------------------------------------------------------------
# Jinja's i18n extension reaches a catalog through three context calls per text (``_``,
# then its "new style" gettext, then Flask-Babel's lambda), which cost a survey page
# more than its translating. These do what the new-style functions do, in one call.


@pass_context
def _template_gettext(context: Context, string: str, /, **variables: Any) -> str:
    text = get_translations().ugettext(string)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables  # always a format string, as in Jinja's new style


@pass_context
def _template_ngettext(
    context: Context, singular: str, plural: str, num: int, /, **variables: Any
) -> str:
    variables.setdefault("num", num)
    text = get_translations().ungettext(singular, plural, num)
    if context.eval_ctx.autoescape:
        text = Markup(text)
    return text % variables


def install_template_gettext(env: Environment) -> None:
    """``_``, ``gettext`` and ``ngettext`` for templates (after Flask-Babel set up Jinja)."""
    env.globals.update(_=_template_gettext, gettext=_template_gettext, ngettext=_template_ngettext)
