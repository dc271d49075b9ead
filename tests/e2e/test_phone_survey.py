"""A respondent on a 360-px phone, in Debian's Chromium driven by Playwright.

The server is the test app on a real socket, so the page runs with its real
CSS, JavaScript and Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page
from sqlalchemy import func, select

from survey.extensions import db
from survey.models import Response
from tests.conftest import create_assessment

PHONE = {"width": 360, "height": 740}


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def test_a_phone_respondent_answers_with_keyboard_and_taps(
    app: Flask, live_server: str, phone: Page, bank: Any
) -> None:
    assessment = create_assessment()
    token = assessment.marketing_token
    csp_errors: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            csp_errors.append(message.text)

    phone.on("console", watch)
    phone.goto(f"{live_server}/s/{token}")
    assert phone.get_by_text("marketing staff", exact=False).first.is_visible()
    assert no_horizontal_scroll(phone)
    phone.get_by_role("button", name="Start").click()

    phone.wait_for_selector("fieldset.item")
    assert no_horizontal_scroll(phone)
    assert phone.locator("fieldset.item").count() == len(bank.items)
    assert phone.locator("fieldset.item > legend").count() == len(bank.items)

    # Keyboard alone: tab into the first item's radios, move with the arrow keys.
    first = bank.items[0].id
    phone.locator(f"input[name='{first}']").first.focus()
    phone.keyboard.press("ArrowRight")
    phone.keyboard.press("ArrowRight")
    assert phone.locator(f"input[name='{first}']:checked").get_attribute("value") == "3"
    focused_outline = phone.evaluate(
        "getComputedStyle(document.activeElement.closest('label')).outlineStyle"
    )
    assert focused_outline != "none"

    # The progress indicator follows the answers as they are given.
    progress = phone.locator("[data-progress-text]")
    assert progress.inner_text().startswith("1 of")

    for item in bank.items[1:]:
        phone.locator(f"input[name='{item.id}'][value='4']").check()
    assert progress.inner_text().startswith(f"{len(bank.items)} of")

    phone.get_by_role("button", name="Send my answers").click()
    phone.wait_for_load_state()
    assert "Thank you" in phone.content()
    assert no_horizontal_scroll(phone)
    assert csp_errors == []

    db.session.rollback()
    assert db.session.scalar(select(func.count(Response.id))) == 1
