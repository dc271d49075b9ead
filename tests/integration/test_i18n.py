"""A language is added with a catalog, bank texts and a setting: no template changes.

A tiny Persian catalog is written and compiled into a temporary directory; the app
is pointed at it with ``BABEL_TRANSLATION_DIRECTORIES`` and told about Persian with
``LANGUAGES``. Pages then follow the browser's ``Accept-Language``: Persian text and
right-to-left where a translation exists, English for everything not yet translated.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient

from survey.bank import default_bank_path
from survey.config import ConfigError, load
from survey.models import Assessment
from tests.conftest import create_assessment, create_organisation

#: msgids taken from translations/messages.pot: two on the survey start page, two on
#: the report of a wave that has no answers yet.
PERSIAN = {
    "Your answers are anonymous": "پاسخ‌های شما بی‌نام است",
    "Start": "شروع",
    "Sales and marketing alignment report": "گزارش همسویی فروش و بازاریابی",
    "Not enough answers yet": "هنوز پاسخ کافی نرسیده است",
}

#: The Persian wording given to one item in the copy of the bank.
PERSIAN_ITEM = "وقتی از فروش کمک می‌خواهیم، دقیقاً می‌دانیم با چه کسی تماس بگیریم."

FARSI = {"Accept-Language": "fa"}
ENGLISH = {"Accept-Language": "en"}


def write_catalog(directory: Path, locale: str, translations: dict[str, str]) -> None:
    """Write ``<directory>/<locale>/LC_MESSAGES/messages.mo`` from a .po like a translator's."""
    folder = directory / locale / "LC_MESSAGES"
    folder.mkdir(parents=True)
    entries = "".join(
        f'\nmsgid "{msgid}"\nmsgstr "{msgstr}"\n' for msgid, msgstr in translations.items()
    )
    po = folder / "messages.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n'
        '"Content-Type: text/plain; charset=utf-8\\n"\n'
        f'"Language: {locale}\\n"\n' + entries,
        encoding="utf-8",
    )
    with po.open("rb") as source:
        catalog = read_po(source, locale=locale)
    with (folder / "messages.mo").open("wb") as target:
        write_mo(target, catalog)


@pytest.fixture
def persian_app(make_app: Any, tmp_path: Path) -> Iterator[Flask]:
    write_catalog(tmp_path / "translations", "fa", PERSIAN)
    application: Flask = make_app(
        LANGUAGES=["en", "fa"], BABEL_TRANSLATION_DIRECTORIES=str(tmp_path / "translations")
    )
    with application.app_context():
        yield application


def text_of(html: str) -> str:
    """The page as a reader sees it: tags dropped, whitespace collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'")


def get(client: FlaskClient, url: str, headers: dict[str, str]) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def wave() -> Assessment:
    return create_assessment(create_organisation("Acme Ltd"), name="Baseline", threshold=5)


# --- interface texts ---------------------------------------------------------


def test_survey_start_page_in_persian_reads_right_to_left(persian_app: Flask) -> None:
    assessment = wave()
    page = get(persian_app.test_client(), f"/s/{assessment.marketing_token}", FARSI)

    assert '<html lang="fa" dir="rtl">' in page
    text = text_of(page)
    assert "پاسخ‌های شما بی‌نام است" in text
    assert "شروع" in text
    assert "Your answers are anonymous" not in text
    # Not in the catalog: shown in English rather than left out.
    assert "This survey is for the marketing staff of Acme Ltd." in text
    assert "Skip to content" in text


def test_report_in_persian_translates_what_the_catalog_has(persian_app: Flask) -> None:
    assessment = wave()
    page = get(persian_app.test_client(), f"/r/{assessment.report_token}", FARSI)

    assert '<html lang="fa" dir="rtl">' in page
    text = text_of(page)
    assert "گزارش همسویی فروش و بازاریابی" in text
    assert "هنوز پاسخ کافی نرسیده است" in text
    assert "Not enough answers yet" not in text
    assert "Wave: Baseline" in text
    assert "Marketing is missing: no marketing responses have been counted yet." in text


def test_english_browser_gets_english_left_to_right(persian_app: Flask) -> None:
    assessment = wave()
    client = persian_app.test_client()
    start = text_of(get(client, f"/s/{assessment.marketing_token}", ENGLISH))
    report_page = get(client, f"/r/{assessment.report_token}", ENGLISH)

    assert '<html lang="en" dir="ltr">' in report_page
    assert "Your answers are anonymous" in start
    assert "Not enough answers yet" in text_of(report_page)
    for persian in PERSIAN.values():
        assert persian not in start
        assert persian not in report_page


def test_persian_is_only_offered_when_listed_in_languages(client: FlaskClient) -> None:
    assessment = wave()
    page = get(client, f"/s/{assessment.marketing_token}", FARSI)

    assert '<html lang="en" dir="ltr">' in page
    assert "Your answers are anonymous" in text_of(page)


# --- bank texts --------------------------------------------------------------


def bank_with_persian_item(directory: Path) -> tuple[Path, str, str]:
    """A copy of the shipped bank whose first marketing statement also has Persian.

    Returns the copy's path, that statement in English and the second one in English.
    """
    source = default_bank_path().read_text(encoding="utf-8")
    statements = re.findall(r'^( +marketing: \{en: "([^"]+)")\}$', source, re.M)
    (first_line, first_english), (_, second_english) = statements[0], statements[1]
    copy = directory / "questions.yaml"
    copy.write_text(
        source.replace(first_line + "}", f'{first_line}, fa: "{PERSIAN_ITEM}"}}', 1),
        encoding="utf-8",
    )
    return copy, first_english, second_english


def test_bank_text_in_persian_replaces_only_that_item(make_app: Any, tmp_path: Path) -> None:
    bank_path, first_english, second_english = bank_with_persian_item(tmp_path)
    application = make_app(LANGUAGES=["en", "fa"], BANK_PATH=str(bank_path))
    with application.app_context():
        token = wave().marketing_token
    client = application.test_client()
    assert client.post(f"/s/{token}/start").status_code == 303

    persian = text_of(get(client, f"/s/{token}/questions", FARSI))
    english = text_of(get(client, f"/s/{token}/questions", ENGLISH))

    assert PERSIAN_ITEM in persian
    assert first_english not in persian
    assert second_english in persian
    assert first_english in english
    assert PERSIAN_ITEM not in english


# --- the setting -------------------------------------------------------------


def test_languages_are_read_from_the_environment_as_a_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGES", "en, fa")
    assert load()["LANGUAGES"] == ["en", "fa"]


@pytest.mark.parametrize("raw", ["en,xx", "", "en,pt-BR"])
def test_bad_languages_setting_is_named(raw: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGES", raw)
    with pytest.raises(ConfigError, match=f"^LANGUAGES={raw!r} must be language codes"):
        load()
