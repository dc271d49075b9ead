"""A request looks its catalogs up once, and still follows a locale chosen anew."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask_babel import force_locale, gettext

from tests.integration.test_i18n import PERSIAN, write_catalog


def test_the_kept_catalogs_follow_the_requests_locale(make_app: Any, tmp_path: Path) -> None:
    write_catalog(tmp_path / "translations", "fa", PERSIAN)
    app = make_app(
        LANGUAGES=["en", "fa"], BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations")
    )
    with app.test_request_context("/", headers={"Accept-Language": "fa"}):
        assert gettext("Start") == PERSIAN["Start"]
        assert gettext("Start") == PERSIAN["Start"]  # from the kept catalogs
        with force_locale("en"):
            assert gettext("Start") == "Start"
        assert gettext("Start") == PERSIAN["Start"]
    with app.test_request_context("/", headers={"Accept-Language": "en"}):
        assert gettext("Start") == "Start"


def test_templates_translate_as_jinjas_new_style_gettext_does(make_app: Any) -> None:
    """``_``/``gettext``/``ngettext`` in templates escape what they put in, always format
    (so ``%%`` is a percent sign) and give ``ngettext`` its ``num``."""
    app = make_app()
    page = (
        "{{ _('Hello %(name)s', name=name) }}|{{ gettext('100%%') }}|"
        "{{ ngettext('%(num)d page', '%(num)d pages', 2) }}|"
        "{{ ngettext('%(num)d for %(who)s', '%(num)d for %(who)s', 1, who=name) }}"
    )
    with app.test_request_context("/"):
        html = app.jinja_env.from_string(page).render(name="<b>Ann</b>")
        plain = app.jinja_env.overlay(autoescape=False).from_string(page).render(name="<b>A</b>")
    assert html == ("Hello &lt;b&gt;Ann&lt;/b&gt;|100%|2 pages|1 for &lt;b&gt;Ann&lt;/b&gt;")
    assert plain == "Hello <b>A</b>|100%|2 pages|1 for <b>A</b>"
