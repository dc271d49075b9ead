"""A consultant's whole engagement, in Debian's Chromium, with CSRF protection on.

Sign in → organisation → baseline wave with advisor context → survey links and QR
codes → presenter view that places the organisation by itself (shown on R) → report →
closing the wave → a second wave and the comparison → portfolio → admin's list of
consultants → deleting the organisation.

Expected numbers, worked out by hand (``uniform_answers`` mirrors reverse items, so
every item scores the value chosen; a side score is 20 × the mean item score):

* baseline: marketing all 4 → 80.0; sales all 3 (four stored, the fifth sent through
  the survey page with "3" everywhere, which scores 3 on reverse items too) → 60.0;
  organisation (80 + 60) / 2 = 70.0, in the Aligned band [60, 80).
* the advisor answers (conflicts: yes, duplicated work: yes, shared funnel possible:
  yes, long sales cycle, medium size) pass the Undefined, Defined and Aligned rules,
  so the report recommends moving up to Integrated and names the shared-funnel reason.
* second wave: marketing all 5 → 100.0; sales all 4 → 80.0; organisation 90.0,
  Integrated; +20.0 against the baseline.

Set ``E2E_SHOTS`` to a directory to save screenshots of the main pages there.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, WebError, expect
from sqlalchemy import select

from scoring import Side
from survey.database import begin_write
from survey.extensions import db
from survey.models import Assessment, Organisation
from tests.conftest import add_responses, create_user, uniform_answers

DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 360, "height": 740}
CONSULTANT = "consultant@example.com"
ADMIN = "admin@example.com"
PASSWORD = "correct horse battery staple"
ORGANISATION = "Nordwind & Partner"
#: The presenter view asks every 1.5 s; allow for a few misses on a busy machine.
LIVE_TIMEOUT_MS = 10_000


@pytest.fixture
def app(make_app: Any, server_url: str) -> Iterator[Flask]:
    """CSRF on, and links that point at the live server, so a respondent can follow them."""
    application: Flask = make_app(WTF_CSRF_ENABLED=True, BASE_URL=server_url)
    with application.app_context():
        yield application


class BrowserLog:
    """Console messages and uncaught errors of every page in the watched contexts."""

    def __init__(self) -> None:
        self.messages: list[str] = []
        self.errors: list[str] = []

    def watch(self, context: BrowserContext) -> BrowserContext:
        context.on("console", self._console)
        context.on("weberror", self._error)
        return context

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text} ({message.location.get('url')})")

    def _error(self, error: WebError) -> None:
        self.errors.append(str(error.error))

    def csp_violations(self) -> list[str]:
        return [m for m in self.messages if "Content Security Policy" in m]


@pytest.fixture
def log() -> BrowserLog:
    return BrowserLog()


@pytest.fixture
def new_context(browser: Browser, log: BrowserLog) -> Iterator[Callable[..., BrowserContext]]:
    """Open a watched browser context; all are closed after the test."""
    opened: list[BrowserContext] = []

    def open_context(**options: Any) -> BrowserContext:
        context = log.watch(browser.new_context(**options))
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


def shot(page: Page, name: str) -> None:
    """Save a full-page screenshot when ``E2E_SHOTS`` names a directory (for a visual check)."""
    directory = os.environ.get("E2E_SHOTS")
    if directory:
        Path(directory).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(directory) / f"{name}.png"), full_page=True)


def fits_width(page: Page) -> bool:
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def image_widths(page: Page, selector: str) -> list[int]:
    """``naturalWidth`` of each matching image: 0 for one that did not load."""
    return list(
        page.eval_on_selector_all(
            selector, "images => images.map(i => i.complete ? i.naturalWidth : 0)"
        )
    )


def wait_for_image(page: Page, selector: str, timeout: float = 5_000) -> None:
    """Wait until the first image matching ``selector`` has loaded; a broken one never does."""
    page.wait_for_function(
        "s => { const i = document.querySelector(s);"
        " return !!i && i.complete && i.naturalWidth > 0; }",
        arg=selector,
        timeout=timeout,
    )


def sign_in(page: Page, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()


def store_responses(
    name: str, side: Side, answers: dict[str, int | None], count: int
) -> Assessment:
    """Add responses from the test thread to the wave called ``name``, and commit."""
    db.session.rollback()  # drop the test thread's old snapshot: the server wrote since
    begin_write()
    assessment = db.session.scalars(select(Assessment).where(Assessment.name == name)).one()
    add_responses(assessment, side, answers, count)
    return assessment


def answer_survey(page: Page, link: str, bank: Any, value: str) -> None:
    """Answer ``value`` to every statement, page by page ("don't know" to the funnel's
    stages), and send."""
    page.goto(link)
    page.get_by_role("button", name="Start").click()
    page.wait_for_selector("fieldset.item")
    assert fits_width(page)
    shot(page, "survey-questions-360")
    answered: set[str] = set()
    for _ in range(len(bank.items) + 2):
        if page.get_by_role("heading", name="Thank you").count():
            break
        for item in bank.items:
            choice = page.locator(f"input[name='{item.id}'][value='{value}']")
            if choice.count():
                choice.check()
                answered.add(item.id)
        for stage in bank.funnel.stages if bank.funnel else ():
            unsure = page.locator(f"input[name='funnel:{stage.id}'][value='na']")
            if unsure.count():
                unsure.check()
        send = page.get_by_role("button", name="Send my answers")
        (send if send.count() else page.get_by_role("button", name="Next")).click()
        page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert answered == {item.id for item in bank.items}


def create_wave(page: Page, name: str) -> None:
    page.get_by_role("link", name="New wave").click()
    page.get_by_label("Name of the wave").fill(name)
    expect(page.get_by_label("Anonymity threshold")).to_have_value("5")


def test_a_consultant_runs_an_engagement_from_sign_in_to_deletion(
    app: Flask,
    live_server: str,
    new_context: Callable[..., BrowserContext],
    bank: Any,
    log: BrowserLog,
) -> None:
    create_user(CONSULTANT, PASSWORD)
    page = new_context(viewport=DESKTOP).new_page()
    respondent = new_context(viewport=PHONE, is_mobile=True, has_touch=True)

    # Sign in: the workspace sends an anonymous visitor to the sign-in page first.
    page.goto(f"{live_server}/workspace/")
    expect(page.get_by_role("heading", name="Consultant sign in")).to_be_visible()
    shot(page, "login")
    sign_in(page, live_server, CONSULTANT)

    # An organisation, then its baseline wave with a few advisor answers.
    page.get_by_role("link", name="New organisation").click()
    page.get_by_label("Organisation name").fill(ORGANISATION)
    page.get_by_role("button", name="Create organisation").click()
    expect(page.get_by_role("heading", name=ORGANISATION)).to_be_visible()
    organisation_url = page.url

    create_wave(page, "Baseline")
    page.get_by_label("Anonymity threshold").fill("5")
    page.get_by_label("How big is the organisation?").select_option("medium")
    page.get_by_label("Is a typical sale short and simple, or long and involved?").select_option(
        "long"
    )
    for question in (
        "Do sales and marketing openly argue or complain about each other?",
        "Is work often done twice, or left undone, because nobody knows which team owns it?",
        "Could you build one shared process to track and measure all the work that brings in",
    ):
        page.get_by_role("group", name=question).get_by_label("Yes", exact=True).check()
    page.get_by_role("button", name="Create wave").click()
    expect(page.get_by_text("The wave was created.")).to_be_visible()
    assessment_url = page.url

    # The assessment page: both survey links, both QR codes loaded, fits a phone.
    expect(page.get_by_text("Anonymity threshold: 5 per team")).to_be_visible()
    links = page.locator("section.invite .link-text a")
    expect(links).to_have_count(2)
    hrefs = [links.nth(i).get_attribute("href") or "" for i in range(2)]
    assert all(href.startswith(f"{live_server}/s/") for href in hrefs)
    assert hrefs[0] != hrefs[1]
    page.wait_for_load_state("load")  # images included: a QR code that failed has width 0
    assert [width > 0 for width in image_widths(page, "img.qr")] == [True, True]
    sales_card = page.locator("section.invite").filter(
        has=page.get_by_role("heading", name="Sales", exact=True)
    )
    sales_link = sales_card.locator(".link-text a").get_attribute("href") or ""
    assert sales_link in hrefs
    page.set_viewport_size(PHONE)
    assert fits_width(page)
    shot(page, "assessment-360")
    page.set_viewport_size(DESKTOP)

    # The presenter view, then answers arrive; the view must place the organisation by
    # itself, and show it when the consultant presses R.
    page.get_by_role("link", name="Presenter view").click()
    expect(page.locator("[data-live-received='marketing']")).to_have_text("0")
    expect(page.locator("[data-live-result]")).to_be_hidden()
    page.evaluate("window.notReloaded = true")

    store_responses("Baseline", Side.MARKETING, uniform_answers(4), 5)
    store_responses("Baseline", Side.SALES, uniform_answers(3), 4)
    answer_survey(respondent.new_page(), sales_link, bank, "3")

    expect(page.locator("[data-panel='ready']")).to_be_visible(timeout=LIVE_TIMEOUT_MS)
    expect(page.locator("[data-live-result]")).to_be_hidden()
    page.keyboard.press("r")
    expect(page.locator("[data-live-type]")).to_have_text("Aligned")
    expect(page.locator("[data-live-score]")).to_have_text("70")
    expect(page.locator("[data-live-received='marketing']")).to_have_text("5")
    expect(page.locator("[data-live-received='sales']")).to_have_text("5")
    assert page.evaluate("window.notReloaded") is True
    shot(page, "live")

    # The report, by its link on the assessment page.
    page.get_by_role("link", name="Leave the presenter view").click()
    expect(page.locator(".placement-line")).to_contain_text("Aligned")
    shot(page, "assessment")
    page.locator(".card .link-text a[href*='/r/']").click()
    expect(page.locator("#placement .type-name")).to_have_text("Aligned")
    expect(page.locator("#placement")).to_contain_text("Score 70 on a scale from 20 to 100")
    expect(page.locator(".side-marketing strong")).to_have_text("80")
    expect(page.locator(".side-sales strong")).to_have_text("60")
    expect(page.locator(".recommendation")).to_contain_text("move up to Integrated")
    expect(page.locator("#advice")).to_contain_text("A single shared process makes it possible")
    expect(page.locator(".context-missing")).to_have_count(0)

    # Closing the wave closes its survey link.
    page.goto(assessment_url)
    page.get_by_role("button", name="Close the wave").click()
    expect(page.get_by_text("The wave is closed")).to_be_visible()
    closed = respondent.new_page()
    closed.goto(sales_link)
    expect(closed.get_by_role("heading", name="This survey is closed")).to_be_visible()

    # A second wave: the organisation page compares both.
    page.goto(organisation_url)
    create_wave(page, "After 6 months")
    page.get_by_role("button", name="Create wave").click()
    expect(page.get_by_text("The wave was created.")).to_be_visible()
    store_responses("After 6 months", Side.MARKETING, uniform_answers(5), 5)
    store_responses("After 6 months", Side.SALES, uniform_answers(4), 5)
    page.goto(organisation_url)
    overall = page.locator("table.comparison tr.overall")
    expect(overall).to_contain_text("70.0")
    expect(overall).to_contain_text("90.0")
    expect(overall.locator(".change-up")).to_have_text("+20.0")
    expect(page.locator("table.comparison thead")).to_contain_text("After 6 months")
    wait_for_image(page, "img.chart")
    shot(page, "organisation")

    # The portfolio and the home page show the latest placed wave.
    page.get_by_role("navigation").get_by_role("link", name="Portfolio").click()
    row = page.locator("table tbody tr").filter(has_text=ORGANISATION)
    expect(row).to_contain_text("After 6 months")
    expect(row).to_contain_text("Integrated")
    expect(row).to_contain_text("90.0")
    wait_for_image(page, "img.chart")
    shot(page, "portfolio")
    page.get_by_role("navigation").get_by_role("link", name="Clients").click()
    expect(page.locator(".org-card")).to_contain_text("Integrated")
    shot(page, "home")

    # An admin sees the consultant with their one organisation.
    create_user(ADMIN, PASSWORD, admin=True)
    admin = new_context(viewport=DESKTOP).new_page()
    sign_in(admin, live_server, ADMIN)
    admin.get_by_role("link", name="Admin").click()
    consultant_row = admin.locator("table.consultants tbody tr").filter(has_text=CONSULTANT)
    expect(consultant_row.locator("td.num")).to_have_text("1")
    shot(admin, "admin-consultants")
    admin.set_viewport_size(PHONE)
    assert fits_width(admin)

    # Deleting the organisation needs its name typed; then it is gone.
    page.goto(organisation_url)
    page.get_by_role("link", name="Delete organisation").click()
    page.get_by_label("Type the organisation's name to confirm").fill(ORGANISATION)
    page.get_by_role("button", name="Delete for good").click()
    expect(page.get_by_text("The organisation and all its data were deleted.")).to_be_visible()
    expect(page.get_by_text("You have no client organisations yet.")).to_be_visible()
    expect(page.locator("main")).not_to_contain_text(ORGANISATION)
    db.session.rollback()
    assert db.session.scalars(select(Organisation)).all() == []

    assert log.csp_violations() == []
    assert log.errors == []
