"""A respondent on a 360 × 740 phone, in Debian's Chromium driven by Playwright.

Two whole respondents, one by touch and one by keyboard alone. Each saves halfway
through a page, leaves, opens the link again and must land on the first statement
without an answer (with focus on it), then sends and reloads the thank-you page.
Both count what it took and print it (run with ``-s`` to see the figures):

* taps: at most one per answer, one per page and two more (Start, Send's page …);
* key presses, and characters typed into the open question;
* the height of each page in phone screens, which must stay at about three at most
  (the single page of earlier versions was 26 screens).

The server is the test app on a real socket, so the pages run with their real CSS,
JavaScript and Content-Security-Policy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from flask import Flask
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from sqlalchemy import func, select

from scoring import Bank
from survey.extensions import db
from survey.models import Comment, Response
from tests.conftest import create_assessment

PHONE = {"width": 360, "height": 740}
#: Nine pages of statements, the funnel's page, then the page that sends.
PAGES = 11
#: "About three phone screens" per page.
MOST_SCREENS = 3.0
COMMENT = "Tell us earlier which leads you will not follow up."


@dataclass
class Tally:
    """What one respondent had to do."""

    taps: int = 0
    keys: int = 0
    typed: int = 0
    screens: list[float] = field(default_factory=list)

    def report(self, how: str, answers: int, pages: int) -> str:
        shown = ", ".join(f"{screens:.1f}" for screens in self.screens)
        return (
            f"{how}: {self.taps} taps, {self.keys} key presses (+{self.typed} characters typed) "
            f"for {answers} answers on {pages} pages; screens per page: {shown} "
            f"(most {max(self.screens):.1f})"
        )


def watch_csp(page: Page) -> list[str]:
    errors: list[str] = []

    def watch(message: ConsoleMessage) -> None:
        if "Content Security Policy" in message.text:
            errors.append(message.text)

    page.on("console", watch)
    return errors


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def keyboard_phone(browser: Browser) -> Iterator[Page]:
    """The same screen, used with a keyboard (a phone with a keyboard, or a narrow window)."""
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    yield page
    context.close()


def no_horizontal_scroll(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def measure(page: Page, tally: Tally) -> None:
    """How many phone screens this page is tall; nothing may scroll sideways."""
    page.wait_for_load_state()
    assert no_horizontal_scroll(page)
    tally.screens.append(
        page.evaluate("document.documentElement.scrollHeight / window.innerHeight")
    )


def statements_on(page: Page) -> list[str]:
    return [
        (identifier or "").removeprefix("item-")
        for identifier in page.locator("fieldset.item").evaluate_all("sets => sets.map(s => s.id)")
    ]


def stages_on(page: Page) -> list[str]:
    """The funnel stages of the page (its radio names are ``funnel:<stage id>``)."""
    return [
        (identifier or "").removeprefix("stage-")
        for identifier in page.locator("fieldset.stage").evaluate_all("sets => sets.map(s => s.id)")
    ]


def focused_name(page: Page) -> str:
    return str(page.evaluate("document.activeElement && document.activeElement.name || ''"))


def thank_you_shows_the_own_view(page: Page) -> None:
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("heading", name="Your own view")).to_be_visible()
    expect(page.locator(".own-view .type-name")).to_have_text("Aligned")


def stored_responses() -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(Response.id))) or 0


# --- by touch ------------------------------------------------------------------------


def tap(page: Page, tally: Tally, selector: str, *, navigates: bool = False) -> None:
    if navigates:
        with page.expect_navigation():
            page.locator(selector).first.tap()
    else:
        page.locator(selector).first.tap()
    tally.taps += 1


def test_a_phone_respondent_answers_by_touch(
    app: Flask, live_server: str, phone: Page, bank: Bank
) -> None:
    token = create_assessment().marketing_token
    csp_errors = watch_csp(phone)
    tally = Tally()
    link = f"{live_server}/s/{token}"

    phone.goto(link)
    measure(phone, tally)
    assert phone.get_by_text("at least 28 of the 41 statements", exact=False).is_visible()
    tap(phone, tally, "button:has-text('Start')", navigates=True)

    pages = 0
    answered = 0
    stages = 0
    saved_once = False
    while True:
        phone.wait_for_load_state()
        if phone.locator("h1", has_text="Before you send").count():
            break
        measure(phone, tally)
        if stages_on(phone):
            # Who leads each stage: marketing up to brand preference, sales after.
            for number, stage_id in enumerate(stages_on(phone)):
                owner = "owner-1" if number < 4 else "owner-2"
                tap(phone, tally, f"#stage-{stage_id} label.{owner}")
                stages += 1
            tap(phone, tally, "button:has-text('Next')", navigates=True)
            continue
        pages += 1
        statements = statements_on(phone)
        assert 4 <= len(statements) <= 5
        if pages == 5 and not saved_once:
            # Between meetings: two statements, then "Save and finish later", and away.
            saved_once = True
            for item_id in statements[:2]:
                tap(phone, tally, f"#item-{item_id} label.point-3")
                answered += 1
            tap(phone, tally, "button:has-text('Save and finish later')", navigates=True)
            expect(phone.get_by_role("heading", name="Your answers are saved")).to_be_visible()
            phone.goto("about:blank")
            phone.goto(link)  # the link again, from the invitation
            expect(phone.locator(".welcome-back")).to_be_visible()
            # On the page it left, with focus on the first statement not answered.
            assert focused_name(phone) == statements[2]
            pages -= 1
            continue
        for item_id in statements:
            if item_id in phone.evaluate(
                "[...document.querySelectorAll('input:checked')].map(i => i.name)"
            ):
                continue
            answer = "dont-know" if answered == 7 else "point-3"
            tap(phone, tally, f"#item-{item_id} label.{answer}")
            answered += 1
        tap(phone, tally, "button:has-text('Next')", navigates=True)

    measure(phone, tally)
    assert pages == len(bank.dimensions)
    assert answered == len(bank.items)
    assert bank.funnel is not None and stages == len(bank.funnel.stages)
    expect(phone.locator("[data-progress-text]")).to_have_text("41 of 41 statements answered")
    tap(phone, tally, "button:has-text('Send my answers')", navigates=True)
    thank_you_shows_the_own_view(phone)
    measure(phone, tally)
    phone.reload()
    thank_you_shows_the_own_view(phone)

    steps = pages + 2  # the statements' pages, the funnel's and the page that sends
    print("\n" + tally.report("touch", answered + stages, steps))
    assert tally.taps <= answered + stages + steps + 2
    assert max(tally.screens) <= MOST_SCREENS
    assert csp_errors == []
    assert stored_responses() == 1


# --- by keyboard alone ---------------------------------------------------------------


def press(page: Page, tally: Tally, key: str, times: int = 1) -> None:
    for _ in range(times):
        page.keyboard.press(key)
        tally.keys += 1


def press_and_go(page: Page, tally: Tally, key: str) -> None:
    """A key that submits a form or reloads: wait for the next page."""
    with page.expect_navigation():
        page.keyboard.press(key)
    tally.keys += 1


def tab_until(page: Page, tally: Tally, matches: Callable[[], bool], most: int = 12) -> None:
    for _ in range(most):
        if matches():
            return
        press(page, tally, "Tab")
    assert matches(), "Tab never reached the control"


def focused_is(page: Page, selector: str) -> Callable[[], bool]:
    return lambda: bool(page.evaluate(f"document.activeElement.matches({selector!r})"))


def answer_with_arrows(page: Page, tally: Tally, item_id: str) -> None:
    """From the statement's first answer, three arrow presses choose "4"."""
    assert focused_name(page) == item_id
    press(page, tally, "ArrowRight", 3)
    checked = page.locator(f"input[name='{item_id}']:checked")
    assert checked.get_attribute("value") == "4"


def test_a_phone_respondent_answers_by_keyboard_alone(
    app: Flask, live_server: str, keyboard_phone: Page, bank: Bank
) -> None:
    page = keyboard_phone
    token = create_assessment().sales_token
    csp_errors = watch_csp(page)
    tally = Tally()
    link = f"{live_server}/s/{token}"

    page.goto(link)
    measure(page, tally)
    tab_until(page, tally, focused_is(page, "button[type=submit]"))
    press_and_go(page, tally, "Enter")

    answered = 0
    saved_once = False
    for step in range(1, len(bank.dimensions) + 1):
        page.wait_for_load_state()
        expect(page.locator(".step-count")).to_have_text(f"Step {step} of {PAGES}")
        measure(page, tally)
        statements = statements_on(page)
        for number, item_id in enumerate(statements):
            if step == 5 and number == 2 and not saved_once:
                saved_once = True
                tab_until(page, tally, focused_is(page, "button.save-later"), most=20)
                press_and_go(page, tally, "Enter")
                expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()
                page.goto("about:blank")
                page.goto(link)
                expect(page.locator(".welcome-back")).to_be_visible()
                assert focused_name(page) == item_id  # focus waits on the statement
                ring = page.evaluate(
                    "getComputedStyle(document.activeElement.closest('label')).outlineStyle"
                )
                assert ring != "none"
            else:
                tab_until(page, tally, lambda item_id=item_id: focused_name(page) == item_id)
            answer_with_arrows(page, tally, item_id)
            answered += 1
        tab_until(page, tally, focused_is(page, "button[value=next]"))
        press_and_go(page, tally, "Enter")

    page.wait_for_load_state()
    expect(page.locator(".step-count")).to_have_text(f"Step {PAGES - 1} of {PAGES}")
    measure(page, tally)
    for stage_id in stages_on(page):  # one arrow from "Marketing" chooses "Sales"
        key = f"funnel:{stage_id}"
        tab_until(page, tally, lambda key=key: focused_name(page) == key)
        press(page, tally, "ArrowRight")
        assert page.locator(f"input[name='{key}']:checked").get_attribute("value") == "2"
        answered += 1
    tab_until(page, tally, focused_is(page, "button[value=next]"))
    press_and_go(page, tally, "Enter")

    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Before you send")).to_be_visible()
    measure(page, tally)
    tab_until(page, tally, focused_is(page, "textarea"))
    page.keyboard.type(COMMENT)
    tally.typed += len(COMMENT)
    expect(page.locator("[data-char-count]")).to_have_text(
        f"Characters left: {1000 - len(COMMENT)}"
    )
    tab_until(page, tally, focused_is(page, "button[value=submit]"))
    press_and_go(page, tally, "Enter")
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.reload()  # F5: a browser shortcut, which synthetic key events do not trigger
    tally.keys += 1
    expect(page.get_by_role("heading", name="Your own view")).to_be_visible()

    print("\n" + tally.report("keyboard", answered, PAGES))
    assert bank.funnel is not None
    assert answered == len(bank.items) + len(bank.funnel.stages)
    assert max(tally.screens) <= MOST_SCREENS
    assert csp_errors == []
    assert stored_responses() == 1
    db.session.rollback()
    assert db.session.scalars(select(Comment.text)).all() == [COMMENT]


# --- without JavaScript ----------------------------------------------------------------


def test_the_survey_works_without_javascript(
    app: Flask, live_server: str, browser: Browser, bank: Bank
) -> None:
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    try:
        link = f"{live_server}/s/{create_assessment().marketing_token}"
        page.goto(link)
        page.get_by_role("button", name="Start").click()
        for step in range(1, len(bank.dimensions) + 1):
            expect(page.locator(".step-count")).to_have_text(f"Step {step} of {PAGES}")
            statements = statements_on(page)
            if step == 2:
                page.locator(f"#item-{statements[0]} label.point-4").click()
                page.get_by_role("button", name="Back").click()  # keeps the answer
                expect(page.locator(".step-count")).to_have_text(f"Step 1 of {PAGES}")
                page.goto(link)  # and the link again: back where it was left
                expect(page.locator(".step-count")).to_have_text(f"Step 2 of {PAGES}")
                assert focused_name(page) == statements[1]  # autofocus, no script
            for item_id in statements:
                page.locator(f"#item-{item_id} label.point-4").click()
            page.get_by_role("button", name="Next").click()
        expect(page.locator(".step-count")).to_have_text(f"Step {PAGES - 1} of {PAGES}")
        page.get_by_role("button", name="Next").click()  # no stage chosen: each is asked for
        expect(page.locator("fieldset.stage.missing")).to_have_count(len(stages_on(page)))
        for stage_id in stages_on(page):
            page.locator(f"#stage-{stage_id} label.owner-3").click()
        page.get_by_role("button", name="Next").click()
        expect(page.get_by_role("heading", name="Before you send")).to_be_visible()
        page.locator("textarea").fill(COMMENT)
        page.get_by_role("button", name="Send my answers").click()
        thank_you_shows_the_own_view(page)
        page.reload()
        thank_you_shows_the_own_view(page)
    finally:
        context.close()
    assert stored_responses() == 1
