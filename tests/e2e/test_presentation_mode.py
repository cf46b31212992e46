"""Presentation mode holds on every page a manager can open, following the sidebar as a person
would, and no page shows a patient identifier or narrative while it is on."""

import re

from playwright.sync_api import Page, expect

from tests.e2e.helpers import sign_in, wait_for_rerun
from tests.helpers import open_concern, seed_world

SUMMARY = "Meal arrived cold twice on ward four"
# Smith, John, MRN0000001, phone (555) 010-2000: none of it, nor initials or the MRN's end.
IDENTIFIERS = ("Smith", "John", "MRN0000001", "0001", "010-2000", "J. S.", SUMMARY)


def _main_text(page: Page) -> str:
    return page.locator("[data-testid='stMain']").inner_text()


def _assert_nothing_identifying(page: Page, where: str) -> None:
    text = _main_text(page)
    shown = [i for i in IDENTIFIERS if i in text]
    assert not shown, f"{where} shows {shown} in presentation mode"


def _toggle(page: Page):
    return page.get_by_role("switch", name="Presentation mode")


def test_presentation_mode_sticks_across_every_page(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    manager = make_staff("manager", username="mgr.present")
    concern_id = open_concern(engine, world, manager, summary=SUMMARY)
    page = browser_page
    sign_in(page, live_app, "mgr.present", "correct-horse-1")
    page.goto(f"{live_app}/?present=1")
    wait_for_rerun(page)
    menu = page.locator("[data-testid='stSidebarNav']").get_by_role("link")
    titles = [link.inner_text().strip().splitlines()[-1] for link in menu.all()]
    assert {"Dashboard", "Log interaction", "Open concerns", "Patients", "Home"} <= set(titles)
    for _ in range(2):  # every page in the menu twice: there and back again
        for title in titles:
            menu.filter(has_text=title).first.click()
            wait_for_rerun(page)
            expect(page.get_by_role("heading").first).to_be_visible()
            expect(_toggle(page)).to_be_checked()
            assert re.search(r"[?&]present=1\b", page.url), page.url
            _assert_nothing_identifying(page, title)
    # The concern's detail, opened by its address while presenting: no patient, no narrative.
    page.goto(f"{live_app}/concerns?concern={concern_id}&present=1")
    wait_for_rerun(page)
    expect(page.get_by_text(f"Complaint #{concern_id}")).to_be_visible()
    _assert_nothing_identifying(page, "the concern's detail")

    # Turned off from the sidebar, it stays off on the next page too.
    _toggle(page).click(force=True)
    wait_for_rerun(page)
    assert "present=" not in page.url
    page.locator("[data-testid='stSidebarNav']").get_by_role("link", name="Open concerns").click()
    wait_for_rerun(page)
    expect(_toggle(page)).not_to_be_checked()
    expect(page.get_by_text("Smith", exact=False).first).to_be_visible()
