"""In a real browser: the sign-in cookie works in another browser only while its server-side
session is live, and hostile text typed by staff renders as text (no image, link or bold)."""

import re

from playwright.sync_api import expect
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import AppUser
from tests.e2e.helpers import sign_in, wait_for_rerun

BEACON = "![zq beacon](http://ext.invalid/p.png) [zq click](javascript:alert(1)) **zq bold**"


def test_a_copied_cookie_stops_working_once_its_session_is_signed_out(
    live_app, browser_page, make_staff
):
    make_staff("manager", username="mgr.cookie")
    sign_in(browser_page, live_app, "mgr.cookie", "correct-horse-1")
    cookies = browser_page.context.cookies()
    other = browser_page.context.browser.new_context()
    try:
        other.add_cookies(cookies)
        second = other.new_page()
        second.goto(live_app)
        wait_for_rerun(second)
        expect(second.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
        # Signing out in the first browser ends the session on the server.
        wait_for_rerun(browser_page)
        browser_page.get_by_role("button", name="Sign out", exact=True).click()
        wait_for_rerun(browser_page)
        expect(browser_page.get_by_role("textbox", name="Username")).to_be_visible()
        third = other.new_page()
        third.goto(live_app)
        wait_for_rerun(third)
        expect(third.get_by_role("textbox", name="Username")).to_be_visible()
    finally:
        other.close()


def test_a_hostile_name_renders_as_text(live_app, browser_page, make_staff, engine):
    staff = make_staff("manager", username="mgr.hostile")
    with Session(engine) as s, s.begin():
        s.execute(update(AppUser).where(AppUser.id == staff.id).values(display_name=BEACON))
    requested = []
    browser_page.on("request", lambda r: requested.append(r.url))
    sign_in(browser_page, live_app, "mgr.hostile", "correct-horse-1")
    browser_page.get_by_role("link", name="Home").click()
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_text(f"Good to see you, {BEACON}")).to_be_visible()
    app = browser_page.locator("[data-testid='stApp']")
    assert app.locator("img[src*='ext.invalid']").count() == 0
    assert app.locator("a[href*='javascript'], a[href*='ext.invalid']").count() == 0
    # Bold only around the whole name (the sidebar's label), never from the typed **...**.
    assert app.locator("strong", has_text=re.compile(r"^\s*zq bold\s*$")).count() == 0
    assert not [u for u in requested if "ext.invalid" in u]
