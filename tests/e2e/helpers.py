"""Helpers for browser tests: wait for Streamlit reruns, sign in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from components.login import COOKIE_NAME

RERUN_TIMEOUT_MS = 20_000


def wait_for_rerun(page: Page) -> None:
    """Wait until the script has finished running, the way Streamlit's own e2e suite does."""
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=RERUN_TIMEOUT_MS
    )
    # The state can read notRunning for a moment before a rerun starts; settle briefly.
    page.wait_for_timeout(150)
    page.wait_for_selector(
        "[data-testid='stApp'][data-test-script-state='notRunning']", timeout=RERUN_TIMEOUT_MS
    )


def sign_in(page: Page, base_url: str, username: str, password: str) -> None:
    """Open the app and sign in with the keyboard (Enter submits the form)."""
    page.goto(base_url)
    wait_for_rerun(page)
    # The cookie component reports once it has loaded, which reruns the script: a submit typed
    # during that rerun can be lost, so let it happen first.
    page.wait_for_selector("iframe", state="attached", timeout=RERUN_TIMEOUT_MS)
    page.wait_for_timeout(500)
    wait_for_rerun(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    wait_for_rerun(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    wait_for_sign_in_cookie(page)


def wait_for_sign_in_cookie(page: Page) -> None:
    """The browser gets the sign-in cookie a moment after the first run (from a component);
    a test that then loads another address directly needs it to stay signed in."""
    for _ in range(RERUN_TIMEOUT_MS // 100):
        if any(c["name"] == COOKIE_NAME for c in page.context.cookies()):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the sign-in cookie never arrived")
