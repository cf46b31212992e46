"""Helpers for browser tests: wait for Streamlit reruns, sign in."""

from __future__ import annotations

from playwright.sync_api import Page, expect

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
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    wait_for_rerun(page)
    expect(page.get_by_role("button", name="Sign out")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
