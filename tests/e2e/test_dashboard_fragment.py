"""In a real browser: the Dashboard's filters rerun only the dashboard's fragment (AppTest runs
whole scripts only), and that rerun still checks the session, keeps the URL and the view in step."""

import re

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from db.users import end_all_sessions
from tests.e2e.helpers import sign_in, wait_for_rerun


def _choose_period(page, label: str) -> None:
    page.locator("[data-testid='stSelectbox']").first.click()
    page.get_by_role("option", name=label, exact=True).click()
    wait_for_rerun(page)


def test_a_period_change_follows_in_the_url_and_the_link_reproduces_it(
    live_app, browser_page, make_staff
):
    make_staff("manager", username="mgr.fragment")
    sign_in(browser_page, live_app, "mgr.fragment", "correct-horse-1")
    browser_page.goto(f"{live_app}/dashboard")
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_role("heading", name="Dashboard")).to_be_visible()
    _choose_period(browser_page, "This quarter")
    expect(browser_page).to_have_url(re.compile(r"[?&]period=this_quarter"))
    # The sidebar drawn by the full run is still there after the fragment's rerun.
    expect(browser_page.get_by_role("button", name="Sign out", exact=True)).to_be_visible()
    link = browser_page.url
    browser_page.goto(link)
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_role("combobox", name="Period")).to_have_value("This quarter")


def test_a_filter_change_after_signing_out_elsewhere_shows_the_sign_in_page(
    live_app, browser_page, make_staff, engine
):
    staff = make_staff("manager", username="mgr.fragment.out")
    sign_in(browser_page, live_app, "mgr.fragment.out", "correct-horse-1")
    browser_page.goto(f"{live_app}/dashboard")
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_role("heading", name="Dashboard")).to_be_visible()
    # "Sign out everywhere" from another device: only the database knows.
    with Session(engine) as s, s.begin():
        end_all_sessions(session=s, user_id=staff.id, username=staff.username)
    _choose_period(browser_page, "This quarter")
    expect(browser_page.get_by_role("textbox", name="Username")).to_be_visible()
    expect(
        browser_page.get_by_text("Your session has ended. Please sign in again.")
    ).to_be_visible()
    expect(browser_page.get_by_role("heading", name="Dashboard")).to_have_count(0)
    expect(browser_page.locator("[data-testid='stMetric']")).to_have_count(0)
