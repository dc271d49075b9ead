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
