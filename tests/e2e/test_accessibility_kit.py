# ruff: noqa: F811  (the fixtures site and page_for come from test_accessibility)
"""axe-core on the pages of the consultant's kit, at 360 and 1280 px, with the harness of
``test_accessibility`` (its app, data, signed-in browsers and axe check, in a site of this
module's own).

Each visit reaches its state the way a person would, through the pages themselves:
settings and their errors, the confirmation pages, the action plan (a step is added
through its form), the A4 sheet, the report with a plan, the password pages, and the
admin's new account with its set-password link.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.a11y import contrast, focus_ring
from tests.e2e.test_accessibility import (  # noqa: F401
    ADMIN,
    ANONYMOUS,
    CONSULTANT,
    ORGANISATION,
    Site,
    Visit,
    axe_report,
    goto,
    page_for,
    site,
)

_emails = itertools.count(1)


def wave(site: Site, path: str = "") -> str:
    return site.url(f"/workspace/assessments/{site.world.placed_id}{path}")


def settings_with_an_error(page: Page, site: Site) -> None:
    page.goto(wave(site, "/edit"))
    page.get_by_label("Anonymity threshold").fill("1")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator(".field-error").first).to_be_visible()


def add_step(page: Page, site: Site) -> None:
    page.goto(wave(site, "/actions/new"))
    page.get_by_label("Chosen step").select_option("shared_lead_definition")
    page.get_by_label("Owner in marketing").fill("Mia Keller")
    page.get_by_label("Owner in sales").fill("Jonas Brandt")
    page.get_by_label("Due on").fill("2027-03-31")
    page.get_by_label("How you will know it worked").fill("Sales accepts 8 in 10 leads")
    page.get_by_role("button", name="Save the step").click()
    expect(page.get_by_text("The step is in the action plan.")).to_be_visible()


def step_with_errors(page: Page, site: Site) -> None:
    page.goto(wave(site, "/actions/new"))
    page.get_by_role("button", name="Save the step").click()
    expect(page.locator(".field-error").first).to_be_visible()


def edit_step(page: Page, site: Site) -> None:
    add_step(page, site)
    page.locator("#action-plan a", has_text="Edit").first.click()
    expect(page.get_by_role("heading", name="Change a step of the action plan")).to_be_visible()


def report_with_plan(page: Page, site: Site) -> None:
    add_step(page, site)
    page.locator("#report-link").click()
    expect(page.locator("#action-plan")).to_be_visible()


def wrong_current_password(page: Page, site: Site) -> None:
    page.goto(site.url("/account/password"))
    page.get_by_label("Current password").fill("not my password at all")
    page.get_by_label("New password", exact=True).fill("a long new password here")
    page.get_by_label("New password again").fill("a long new password here")
    page.get_by_role("button", name="Change the password").click()
    expect(page.locator(".field-error").first).to_be_visible()


def new_account_link(page: Page, site: Site) -> None:
    page.goto(site.url("/admin/consultants/new"))
    page.get_by_label("Email address").fill(f"new{next(_emails)}@example.com")
    page.get_by_role("button", name="Make the account").click()
    expect(page.get_by_role("heading", name="Set-password link")).to_be_visible()


def choose_password(page: Page, site: Site) -> None:
    admin = site.contexts[ADMIN].new_page()
    try:
        new_account_link(admin, site)
        link = admin.locator("#password-link").inner_text()
    finally:
        admin.close()
    page.goto(link)
    expect(page.get_by_role("heading", name="Choose your password")).to_be_visible()


VISITS = [
    Visit(
        "wave settings",
        CONSULTANT,
        goto("/workspace/assessments/{w.placed_id}/edit", "Wave settings"),
    ),
    Visit("wave settings with an error", CONSULTANT, settings_with_an_error),
    Visit(
        "rename organisation",
        CONSULTANT,
        goto("/workspace/organisations/{w.organisation_id}/edit", "Rename organisation"),
    ),
    Visit(
        "confirm a new report link",
        CONSULTANT,
        goto(
            "/workspace/assessments/{w.placed_id}/rotate-report-link", "Give the report a new link?"
        ),
    ),
    Visit(
        "confirm new join codes",
        CONSULTANT,
        goto("/workspace/assessments/{w.placed_id}/join-codes/replace", "Replace the join codes?"),
    ),
    Visit(
        "add a step",
        CONSULTANT,
        goto("/workspace/assessments/{w.placed_id}/actions/new", "Add a chosen step"),
    ),
    Visit("add a step with errors", CONSULTANT, step_with_errors),
    Visit("wave page with an action plan", CONSULTANT, add_step),
    Visit("change a step", CONSULTANT, edit_step),
    Visit(
        "A4 sheet", CONSULTANT, goto("/workspace/assessments/{w.placed_id}/sheet/sales", "Sales")
    ),
    Visit("report with an action plan", CONSULTANT, report_with_plan),
    Visit("change password", CONSULTANT, goto("/account/password", "Change your password")),
    Visit("change password, wrong current one", CONSULTANT, wrong_current_password),
    Visit("admin new consultant", ADMIN, goto("/admin/consultants/new", "New consultant")),
    Visit("admin set-password link", ADMIN, new_account_link),
    Visit("choose a password", ANONYMOUS, choose_password),
    Visit(
        "set-password link refused",
        ANONYMOUS,
        goto("/password/not-a-real-link", "This link cannot be used"),
    ),
]


@pytest.mark.parametrize("visit", VISITS, ids=[visit.name for visit in VISITS])
def test_kit_page_has_no_accessibility_violations(
    visit: Visit,
    site: Site,
    page_for: Callable[[str], Page],
) -> None:
    page = page_for(visit.who)
    visit.reach(page, site)
    page.wait_for_load_state("load")
    report = axe_report(page)
    if report:
        pytest.fail(f"axe found problems on {visit.name} ({page.url}):\n{report}", pytrace=False)


def test_the_presenter_buttons_show_their_focus_on_the_dark_page(
    site: Site,
    page_for: Callable[[str], Page],
) -> None:
    page = page_for(CONSULTANT)
    page.goto(wave(site, "/live"))
    expect(page.get_by_text(ORGANISATION).first).to_be_visible()
    for selector in ("[data-action='fullscreen']", "[data-action='reveal']"):
        page.locator(selector).focus()
        ring = focus_ring(page)
        assert ring.visible, (selector, ring)
        halo = contrast(ring.halo, ring.background) if ring.halo else 1.0
        assert max(contrast(ring.ring, ring.background), halo) >= 3, (selector, ring)


def test_copying_a_link_is_announced(site: Site, page_for: Callable[[str], Page]) -> None:
    page = page_for(CONSULTANT)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.goto(wave(site))
    page.get_by_role("button", name="Copy link").first.click()
    status = page.locator("[data-copy-status]")
    expect(status).to_have_text("Copied: the survey link for Marketing.")
    assert status.get_attribute("role") == "status"
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.locator("#survey-link-marketing").inner_text()
