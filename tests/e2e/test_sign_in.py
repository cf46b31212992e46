from playwright.sync_api import expect

from tests.e2e.helpers import sign_in, wait_for_rerun


def test_first_sign_in_submit_opens_the_role_menu(live_app, browser_page, make_staff):
    staff = make_staff("manager", username="mgr.browser")
    sign_in(browser_page, live_app, "mgr.browser", "correct-horse-1")
    browser_page.get_by_role("link", name="Home").click()
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_text(f"Good to see you, {staff.display_name}")).to_be_visible()
    # The sign-in cookie (sign_in waited for it) keeps the user signed in across a reload.
    browser_page.reload()
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_text(f"Good to see you, {staff.display_name}")).to_be_visible()
    browser_page.get_by_role("button", name="Sign out", exact=True).click()
    wait_for_rerun(browser_page)
    expect(browser_page.get_by_role("textbox", name="Username")).to_be_visible()


def test_wrong_password_says_so_without_revealing_the_username(live_app, browser_page, make_staff):
    make_staff("executive", username="exec.browser")
    page = browser_page
    for username in ("exec.browser", "no.such.person"):
        page.goto(live_app)
        wait_for_rerun(page)
        page.get_by_role("textbox", name="Username").fill(username)
        page.get_by_role("textbox", name="Password").fill("wrong-password")
        page.get_by_role("textbox", name="Password").press("Enter")
        wait_for_rerun(page)
        expect(page.get_by_text("Username or password is incorrect")).to_be_visible()
