"""axe-core on every page and state a user can reach, at 360 and 1280 px, in Chromium.

One app, one live server and one browser serve the whole module; the data is built
once with the factories of tests/conftest.py, and consultants sign in once through
the login form. Each entry of ``VISITS`` says who looks (``ANONYMOUS``, ``CONSULTANT``,
``ADMIN``) and how to reach the state; the test then runs axe (WCAG 2.0–2.2 A/AA and
best practice, see tests/e2e/a11y.py) at each width and fails with the rule, the
element and axe's explanation. To check a new page, add one ``Visit`` to the list.

Every account (and the anonymous visitor) has one browser context for the module; an
anonymous visit starts with its cookies cleared, as the survey remembers a browser by
its cookies.

axe does not measure focus indicators, so ``test_the_focus_ring_stands_out`` focuses
controls on each kind of background (white card, grey page, dark header, dark presenter)
and checks the ring's contrast itself (WCAG 2.2 asks for 3:1).

``test_the_check_fails_on_a_broken_page`` shows the check can fail: a fixture page
(tests/e2e/fixtures/broken.html), served by the same app under the same CSP, has an
image without alt text and low-contrast text, and axe must name both.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from flask import Flask, send_from_directory
from playwright.sync_api import Browser, BrowserContext, Page, expect
from werkzeug.serving import make_server
from werkzeug.wrappers import Response as WerkzeugResponse

from app import create_app
from scoring import Side
from survey.extensions import db, limiter
from survey.services import accounts, invitations
from survey.services.banks import bank_of
from survey.services.results import clear_caches
from tests.conftest import (
    add_responses,
    base_config,
    create_assessment,
    create_organisation,
    create_user,
    empty_all_tables,
    uniform_answers,
)
from tests.e2e.a11y import contrast, focus_ring, format_violations, run_axe
from tests.e2e.conftest import LOOPBACK

WIDTHS = (360, 1280)
HEIGHT = 800
FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSWORD = "correct horse battery staple"
CONSULTANT = "consultant@example.com"
ADMIN = "admin@example.com"
ORGANISATION = "Nordwind & Partner"
#: Who looks at a page: nobody signed in, or the account of that email.
ANONYMOUS = "anonymous"
#: Enough to place the organisation: "Aligned", 70.0 (marketing 80, sales 60).
PLACED = {Side.MARKETING: 4, Side.SALES: 3}
#: Waves for the visits that send answers (one each).
SENDING_WAVES = 6
#: The survey's pages: nine of statements, the funnel's, then the page that sends.
SURVEY_PAGES = 11
FUNNEL_PAGE = SURVEY_PAGES - 1
#: Who each side says leads the eight funnel stages (owner codes: 1 marketing, 2 sales,
#: 3 both, 4 nobody): the sides place the handoff apart, so the report marks it.
FUNNEL = {Side.MARKETING: (1, 1, 1, 1, 2, 2, 2, 4), Side.SALES: (1, 1, 2, 2, 2, 2, 3, 2)}
CONTEXT = {
    "company_size": "medium",
    "evident_conflicts": True,
    "duplicated_or_dropped_work": True,
    "common_funnel_possible": True,
    "sales_cycle": "long",
}


@dataclass(frozen=True)
class World:
    """Plain values the visits need (no ORM objects: the server thread owns the session)."""

    organisation_id: int
    placed_id: int
    placed_report: str
    waiting_report: str
    survey_link: str  # an open wave of its own, marketing side
    closed_link: str
    #: Waves nobody else answers: each visit that sends answers takes its own, so the
    #: per-link limit on new responses is reached only where a visit means to reach it.
    sending_links: tuple[str, ...]
    coded_link: str  # a wave that takes answers only with an invitation code
    codes: tuple[str, ...]  # unused codes of that wave's sales side
    full_link: str  # a side whose headcount is reached
    busy_link: str  # the visit that reaches the limit on new responses
    item_ids: tuple[str, ...]


@dataclass
class Site:
    base: str
    world: World
    contexts: dict[str, BrowserContext]
    used_links: int = 0
    used_codes: int = 0

    def url(self, path: str) -> str:
        return f"{self.base}{path}"

    def sending_link(self) -> str:
        self.used_links += 1
        return self.world.sending_links[self.used_links - 1]

    def code(self) -> str:
        self.used_codes += 1
        return self.world.codes[self.used_codes - 1]


@dataclass(frozen=True)
class Visit:
    """A page in one state: ``reach`` takes a fresh page there and checks it arrived."""

    name: str
    who: str
    reach: Callable[[Page, Site], None]


# --- how to reach each state --------------------------------------------------------


def goto(path: str, heading: str) -> Callable[[Page, Site], None]:
    def reach(page: Page, site: Site) -> None:
        page.goto(site.url(path.format(w=site.world)))
        expect(page.get_by_role("heading", name=heading, exact=True).first).to_be_visible()

    return reach


def survey_start(page: Page, site: Site, link: str | None = None) -> None:
    page.goto(site.url(link or site.world.survey_link))
    expect(page.get_by_role("heading", name="How marketing works with sales")).to_be_visible()


def survey_coded_start(page: Page, site: Site) -> None:
    page.goto(site.url(site.world.coded_link))
    expect(page.get_by_label("Your invitation code")).to_be_visible()


def survey_wrong_code(page: Page, site: Site) -> None:
    survey_coded_start(page, site)
    page.get_by_label("Your invitation code").fill("ABCD-EFGH-JKMN")
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#code-error")).to_be_visible()


def survey_questions(page: Page, site: Site, link: str | None = None) -> None:
    survey_start(page, site, link)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("fieldset.item").first).to_be_visible()


def survey_page(step: int, *, errors: bool = False) -> Callable[[Page, Site], None]:
    """Page ``step`` (statements, or the funnel's stages), as it first shows, or after Next
    with none answered."""

    def reach(page: Page, site: Site) -> None:
        survey_questions(page, site)
        page.goto(f"{page.url.split('/questions/')[0]}/questions/{step}")
        expect(page.locator(".step-count")).to_have_text(f"Step {step} of {SURVEY_PAGES}")
        if errors:
            page.get_by_role("button", name="Next").click()
            expect(page.locator("#error-summary")).to_be_focused()

    return reach


def fill_draft(page: Page, site: Site, value: str) -> None:
    """Save ``value`` for every statement into the draft, as the pages' own form would."""
    status = page.evaluate(
        """async ([ids, value]) => {
            const body = new URLSearchParams({action: "save"});
            body.append("csrf_token", document.querySelector("input[name=csrf_token]").value);
            ids.forEach(id => body.append(id, value));
            const url = location.pathname.split("/questions")[0] + "/questions";
            return (await fetch(url, {method: "POST", body: body})).status;
        }""",
        [list(site.world.item_ids), value],
    )
    assert status == 200


def survey_last_page(value: str | None) -> Callable[[Page, Site], None]:
    """The page before sending, with every statement answered ``value`` (or none)."""

    def reach(page: Page, site: Site) -> None:
        survey_questions(page, site)
        if value is not None:
            fill_draft(page, site, value)
        page.goto(f"{page.url.split('/questions/')[0]}/questions/{SURVEY_PAGES}")
        expect(page.get_by_role("heading", name="Before you send")).to_be_visible()

    return reach


def survey_send_missing(page: Page, site: Site) -> None:
    survey_last_page(None)(page, site)
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#error-summary")).to_be_focused()


def survey_comment_too_long(page: Page, site: Site) -> None:
    survey_last_page("4")(page, site)
    page.locator("textarea").fill("x" * 1001)
    expect(page.locator("[data-char-count]")).to_have_text("Characters over the limit: 1")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.locator("#error-summary")).to_be_focused()


def survey_saved(page: Page, site: Site) -> None:
    survey_questions(page, site)
    page.locator("fieldset.item label.point-4").first.click()
    page.get_by_role("button", name="Save and finish later").click()
    expect(page.get_by_role("heading", name="Your answers are saved")).to_be_visible()


def survey_resume(page: Page, site: Site) -> None:
    survey_saved(page, site)
    page.goto(site.url(site.world.survey_link))
    expect(page.locator(".welcome-back")).to_be_visible()
    expect(page.locator("fieldset.item input[autofocus]")).to_be_focused()


def send_all(page: Page, site: Site, value: str, link: str | None = None) -> None:
    survey_questions(page, site, link or site.sending_link())
    fill_draft(page, site, value)
    page.goto(f"{page.url.split('/questions/')[0]}/questions/{SURVEY_PAGES}")
    page.get_by_role("button", name="Send my answers").click()


def survey_thanks(page: Page, site: Site) -> None:
    send_all(page, site, "4")
    expect(page.get_by_role("heading", name="Your own view")).to_be_visible()


def survey_thanks_reloaded(page: Page, site: Site) -> None:
    survey_thanks(page, site)
    page.reload()
    expect(page.get_by_role("heading", name="Your own view")).to_be_visible()


def survey_thanks_not_counted(page: Page, site: Site) -> None:
    send_all(page, site, "na")
    expect(page.locator(".excluded-notice")).to_be_visible()


def survey_already_sent(page: Page, site: Site) -> None:
    survey_thanks(page, site)
    page.go_back()  # to the page before sending: the start page says what happened
    expect(page.locator(".already-sent")).to_be_visible()


def survey_full(page: Page, site: Site) -> None:
    page.goto(site.url(site.world.full_link))
    expect(page.get_by_role("heading", name="All expected answers are in")).to_be_visible()


def survey_too_many(page: Page, site: Site) -> None:
    """The per-link limit on new responses from one address, reached by a few quick sends."""
    for _ in range(3):
        send_all(page, site, "4", site.world.busy_link)
        expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
        page.context.clear_cookies()
    send_all(page, site, "4", site.world.busy_link)
    expect(page.get_by_role("heading", name="Please try again in a minute")).to_be_visible()


def survey_code_used(page: Page, site: Site) -> None:
    """Two people started with one code; the other sent first."""
    code = site.code()

    def start_with_code(on: Page) -> None:
        on.goto(site.url(site.world.coded_link))
        on.get_by_label("Your invitation code").fill(code)
        on.get_by_role("button", name="Start").click()
        expect(on.locator("fieldset.item").first).to_be_visible()
        fill_draft(on, site, "4")
        on.goto(f"{on.url.split('/questions/')[0]}/questions/{SURVEY_PAGES}")

    start_with_code(page)
    browser = page.context.browser
    assert browser is not None
    other = browser.new_context()
    try:
        first = other.new_page()
        start_with_code(first)
        first.get_by_role("button", name="Send my answers").click()
        expect(first.get_by_role("heading", name="Thank you")).to_be_visible()
    finally:
        other.close()
    page.get_by_role("button", name="Send my answers").click()
    expect(
        page.get_by_role("heading", name="This invitation code was used already")
    ).to_be_visible()


def survey_closed(page: Page, site: Site) -> None:
    page.goto(site.url(site.world.closed_link))
    expect(page.get_by_role("heading", name="This survey is closed")).to_be_visible()


def login_wrong_password(page: Page, site: Site) -> None:
    page.goto(site.url("/login"))
    page.get_by_label("Email address").fill(CONSULTANT)
    page.get_by_label("Password").fill("not the password at all")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("The email or password is wrong")


def login_empty(page: Page, site: Site) -> None:
    page.goto(site.url("/login"))
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".field-error").first).to_be_visible()


def expired_form(page: Page, site: Site) -> None:
    """A form whose CSRF token no longer matches (a stale tab): the 400 page."""
    page.goto(site.url("/login"))
    page.locator("input[name=csrf_token]").evaluate("input => { input.value = 'stale'; }")
    page.get_by_label("Email address").fill(CONSULTANT)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="400")).to_be_visible()


def new_organisation_with_errors(page: Page, site: Site) -> None:
    page.goto(site.url("/workspace/organisations/new"))
    page.get_by_role("button", name="Create organisation").click()
    expect(page.locator(".field-error").first).to_be_visible()


def new_wave_with_errors(page: Page, site: Site) -> None:
    page.goto(site.url(f"/workspace/organisations/{site.world.organisation_id}/assessments/new"))
    page.get_by_label("Name of the wave").fill("")
    page.get_by_role("button", name="Create wave").click()
    expect(page.locator(".field-error").first).to_be_visible()


def presenter(page: Page, site: Site) -> None:
    page.goto(site.url(f"/workspace/assessments/{site.world.placed_id}/live"))
    expect(page.get_by_text("The results are in.")).to_be_visible()


def presenter_results(page: Page, site: Site) -> None:
    presenter(page, site)
    page.get_by_role("button", name="Show the results").click()
    expect(page.locator("[data-live-type]")).to_have_text("Aligned")
    expect(page.locator("[data-live-type]")).to_be_visible()


#: Every page and state a user can reach. Add a page here and it is checked at every width.
VISITS = [
    # respondents
    Visit("survey start", ANONYMOUS, survey_start),
    Visit("survey start, invitation code", ANONYMOUS, survey_coded_start),
    Visit("survey start, wrong invitation code", ANONYMOUS, survey_wrong_code),
    *(Visit(f"survey page {step}", ANONYMOUS, survey_page(step)) for step in range(1, 10)),
    *(
        Visit(f"survey page {step} with errors", ANONYMOUS, survey_page(step, errors=True))
        for step in range(1, 10)
    ),
    Visit("survey funnel page", ANONYMOUS, survey_page(FUNNEL_PAGE)),
    Visit("survey funnel page with errors", ANONYMOUS, survey_page(FUNNEL_PAGE, errors=True)),
    Visit("survey before sending", ANONYMOUS, survey_last_page("4")),
    Visit("survey before sending, warning", ANONYMOUS, survey_last_page("na")),
    Visit("survey before sending, answer too long", ANONYMOUS, survey_comment_too_long),
    Visit("survey sent with statements missing", ANONYMOUS, survey_send_missing),
    Visit("survey saved", ANONYMOUS, survey_saved),
    Visit("survey resumed", ANONYMOUS, survey_resume),
    Visit("survey thank-you", ANONYMOUS, survey_thanks),
    Visit("survey thank-you, reloaded", ANONYMOUS, survey_thanks_reloaded),
    Visit("survey thank-you, not counted", ANONYMOUS, survey_thanks_not_counted),
    Visit("survey start, already sent", ANONYMOUS, survey_already_sent),
    Visit("survey closed", ANONYMOUS, survey_closed),
    Visit("survey full (headcount reached)", ANONYMOUS, survey_full),
    Visit("survey too many (429)", ANONYMOUS, survey_too_many),
    Visit("survey invitation code used", ANONYMOUS, survey_code_used),
    # leadership
    Visit("report placed", ANONYMOUS, goto("/r/{w.placed_report}", ORGANISATION)),
    Visit("report waiting", ANONYMOUS, goto("/r/{w.waiting_report}", "Not enough answers yet")),
    # anyone
    Visit("home", ANONYMOUS, goto("/", "Sales & Marketing Alignment")),
    Visit("login", ANONYMOUS, goto("/login", "Consultant sign in")),
    Visit("login, wrong password", ANONYMOUS, login_wrong_password),
    Visit("login, empty form", ANONYMOUS, login_empty),
    Visit("error 404", ANONYMOUS, goto("/no-such-page", "404")),
    Visit("error 400, expired form", ANONYMOUS, expired_form),
    # consultants
    Visit("workspace home", CONSULTANT, goto("/workspace/", "Your clients")),
    Visit("new organisation", CONSULTANT, goto("/workspace/organisations/new", "New organisation")),
    Visit("new organisation with errors", CONSULTANT, new_organisation_with_errors),
    Visit(
        "organisation",
        CONSULTANT,
        goto("/workspace/organisations/{w.organisation_id}", ORGANISATION),
    ),
    Visit(
        "new wave",
        CONSULTANT,
        goto("/workspace/organisations/{w.organisation_id}/assessments/new", "New survey wave"),
    ),
    Visit("new wave with errors", CONSULTANT, new_wave_with_errors),
    Visit(
        "wave page",
        CONSULTANT,
        goto("/workspace/assessments/{w.placed_id}", f"{ORGANISATION} · Baseline"),
    ),
    Visit("presenter view", CONSULTANT, presenter),
    Visit("presenter view, results shown", CONSULTANT, presenter_results),
    Visit("portfolio", CONSULTANT, goto("/workspace/portfolio", "Portfolio")),
    Visit(
        "delete organisation",
        CONSULTANT,
        goto("/workspace/organisations/{w.organisation_id}/delete", "Delete organisation"),
    ),
    # admins
    Visit("admin consultants", ADMIN, goto("/admin/consultants", "Consultants")),
    Visit("admin audit log", ADMIN, goto("/admin/audit", "Audit log")),
]


# --- the app, its data and the signed-in browsers, once per module ----------------------


def build_world() -> World:
    consultant = create_user(CONSULTANT, PASSWORD)
    create_user(ADMIN, PASSWORD, admin=True)
    create_user("colleague@example.com", PASSWORD)  # an account the admin may disable
    organisation = create_organisation(ORGANISATION, consultant)
    placed = create_assessment(organisation, name="Baseline", context=CONTEXT)
    funnel = bank_of(placed).funnel
    assert funnel is not None
    for side, value in PLACED.items():
        owners = {
            f"funnel:{stage.id}": code
            for stage, code in zip(funnel.stages, FUNNEL[side], strict=True)
        }
        add_responses(placed, side, {**uniform_answers(value), **owners}, 5)
    waiting = create_assessment(organisation, name="After 6 months")
    add_responses(waiting, Side.MARKETING, uniform_answers(4), 2)
    add_responses(waiting, Side.SALES, uniform_answers(None), 1)  # left out: too few answers
    closed = create_assessment(organisation, name="Pilot")
    closed.is_open = False
    # Respondents answer here, so that the report above keeps waiting however many do.
    elsewhere = create_organisation("Südwind GmbH", consultant)
    answered = create_assessment(elsewhere, name="Pulse")
    sending = [create_assessment(elsewhere, name=f"Pulse {n}") for n in range(SENDING_WAVES)]
    coded = create_assessment(elsewhere, name="Coded")
    coded.invitations = "codes"
    full = create_assessment(elsewhere, name="Full", threshold=2)
    full.sales_headcount = 1
    add_responses(full, Side.SALES, uniform_answers(4), 1)
    busy = create_assessment(elsewhere, name="Busy")
    db.session.commit()
    return World(
        organisation_id=organisation.id,
        placed_id=placed.id,
        placed_report=placed.report_token,
        waiting_report=waiting.report_token,
        survey_link=f"/s/{answered.marketing_token}",
        closed_link=f"/s/{closed.sales_token}",
        sending_links=tuple(f"/s/{wave.marketing_token}" for wave in sending),
        coded_link=f"/s/{coded.sales_token}",
        codes=tuple(invitations.generate(coded, Side.SALES, 4)),
        full_link=f"/s/{full.sales_token}",
        busy_link=f"/s/{busy.marketing_token}",
        item_ids=tuple(item.id for item in bank_of(answered).items),
    )


def serve_fixture(name: str) -> WerkzeugResponse:
    return send_from_directory(FIXTURES, name)


@pytest.fixture(scope="module")
def site(migrated: str, browser: Browser) -> Iterator[Site]:
    with pytest.MonkeyPatch.context() as patch, socket.create_server((LOOPBACK, 0)) as sock:
        quick = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        patch.setattr(accounts, "_hasher", quick)
        base = f"http://{LOOPBACK}:{sock.getsockname()[1]}"
        app: Flask = create_app(
            {
                **base_config(migrated),
                "WTF_CSRF_ENABLED": True,
                "BASE_URL": base,
                # As in production, so the survey's "too many" page can be reached.
                "RATELIMIT_ENABLED": True,
            }
        )
        app.add_url_rule("/test-fixtures/<path:name>", "test_fixture", serve_fixture)
        with app.app_context():
            limiter.reset()  # nothing counted by earlier tests from this address
            empty_all_tables()
            clear_caches()
            world = build_world()
            db.session.remove()
            port = sock.getsockname()[1]
            server = make_server(LOOPBACK, port, app, threaded=True, fd=sock.fileno())
            thread = threading.Thread(target=server.serve_forever, daemon=True)
            thread.start()
            contexts: dict[str, BrowserContext] = {ANONYMOUS: browser.new_context()}
            try:
                for email in (CONSULTANT, ADMIN):
                    contexts[email] = signed_in_context(browser, base, email)
                yield Site(base, world, contexts)
            finally:
                for context in contexts.values():
                    context.close()
                server.shutdown()
                thread.join(timeout=10)
                server.server_close()
                db.session.remove()
                db.engine.dispose()
                clear_caches()


def signed_in_context(browser: Browser, base: str, email: str) -> BrowserContext:
    """A browser context signed in as ``email`` through the login form."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Your clients")).to_be_visible()
    page.close()
    return context


@pytest.fixture
def page_for(site: Site) -> Iterator[Callable[[str], Page]]:
    """A new page for ``who``; an anonymous visitor starts without cookies."""
    opened: list[Page] = []

    def open_page(who: str) -> Page:
        context = site.contexts[who]
        if who == ANONYMOUS:
            context.clear_cookies()
        page = context.new_page()
        page.set_default_timeout(10_000)  # fail fast when a page is not what a visit expects
        page.set_viewport_size({"width": WIDTHS[0], "height": HEIGHT})
        opened.append(page)
        return page

    yield open_page
    for page in opened:
        page.close()


def axe_report(page: Page) -> str:
    """The violations at every width, as text; empty when there are none."""
    blocks = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        violations = run_axe(page)
        if violations:
            blocks.append(f"--- at {width} px ---\n{format_violations(violations)}")
    return "\n".join(blocks)


@pytest.mark.parametrize("visit", VISITS, ids=[visit.name for visit in VISITS])
def test_page_has_no_accessibility_violations(
    visit: Visit, site: Site, page_for: Callable[[str], Page]
) -> None:
    page = page_for(visit.who)
    visit.reach(page, site)
    page.wait_for_load_state("load")
    report = axe_report(page)
    if report:
        pytest.fail(f"axe found problems on {visit.name} ({page.url}):\n{report}", pytrace=False)


def test_the_check_fails_on_a_broken_page(site: Site, page_for: Callable[[str], Page]) -> None:
    page = page_for(ANONYMOUS)
    response = page.goto(site.url("/test-fixtures/broken.html"))
    assert response is not None
    assert "script-src 'self'" in (response.headers.get("content-security-policy") or "")
    expect(page.locator("p.faint")).to_be_visible()

    violations = {violation.rule: violation for violation in run_axe(page)}

    assert set(violations) >= {"image-alt", "color-contrast"}
    images = violations["image-alt"].nodes
    assert len(images) == 1
    assert 'class="logo"' in images[0].html
    contrast = violations["color-contrast"].nodes
    assert len(contrast) == 1
    assert 'class="faint"' in contrast[0].html
    assert "#d0d0d0" in contrast[0].summary
    report = format_violations(list(violations.values()))
    assert "image-alt (critical)" in report
    assert "color-contrast (serious)" in report
    assert '<img class="logo" src="/static/favicon.svg"' in report


#: A control on each kind of background the focus ring meets: (name, who, reach, selector).
FOCUS_CASES = [
    ("answer on a white card", ANONYMOUS, survey_questions, "fieldset.item input[type=radio]"),
    (
        "link on the grey page",
        CONSULTANT,
        goto("/workspace/organisations/{w.organisation_id}", ORGANISATION),
        "main > p > a",
    ),
    ("blue button on the grey page", CONSULTANT, goto("/workspace/", "Your clients"), "a.button"),
    ("link in the dark header", CONSULTANT, goto("/workspace/", "Your clients"), ".site-nav a"),
    ("link on the dark presenter view", CONSULTANT, presenter, "a.live-exit"),
    ("scrolling table", ANONYMOUS, goto("/r/{w.placed_report}", ORGANISATION), ".table-scroll"),
    ("skip link", ANONYMOUS, goto("/", "Sales & Marketing Alignment"), ".skip-link"),
]


@pytest.mark.parametrize(
    ("who", "reach", "selector"),
    [case[1:] for case in FOCUS_CASES],
    ids=[case[0] for case in FOCUS_CASES],
)
def test_the_focus_ring_stands_out(
    who: str,
    reach: Callable[[Page, Site], None],
    selector: str,
    site: Site,
    page_for: Callable[[str], Page],
) -> None:
    page = page_for(who)
    reach(page, site)
    # A key press first, as a keyboard user's would be: after a mouse click (Start) the
    # browser may not count a focus moved by script as keyboard focus (:focus-visible).
    page.keyboard.press("Tab")
    page.locator(selector).first.focus()
    ring = focus_ring(page)
    assert ring.visible, ring
    # The ring, or the halo around it, stands out from what it is drawn on ...
    halo_contrast = contrast(ring.halo, ring.background) if ring.halo else 1.0
    assert max(contrast(ring.ring, ring.background), halo_contrast) >= 3, ring
    # ... and a ring with a halo is not lost in its own halo.
    if ring.halo:
        assert contrast(ring.ring, ring.halo) >= 3, ring


def test_the_skip_link_appears_in_place_on_the_first_tab(
    site: Site, page_for: Callable[[str], Page]
) -> None:
    page = page_for(ANONYMOUS)
    page.goto(site.url("/login"))
    link = page.get_by_role("link", name="Skip to content")
    clip = "el => getComputedStyle(el).clipPath"

    def inside_the_page() -> bool:
        box = link.bounding_box()
        assert box is not None
        width = page.evaluate("document.documentElement.clientWidth")
        return bool(box["x"] >= 0 and box["y"] >= 0 and box["x"] + box["width"] <= width)

    assert link.evaluate(clip) != "none"  # clipped to nothing, but not moved off the page
    assert inside_the_page()
    page.keyboard.press("Tab")
    expect(link).to_be_focused()
    assert link.evaluate(clip) == "none"
    assert inside_the_page()
    assert (link.bounding_box() or {}).get("width", 0) > 40
    page.keyboard.press("Enter")
    assert page.url.endswith("#main")
