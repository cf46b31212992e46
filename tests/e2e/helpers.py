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
    """Open the app and sign in with the keyboard (Enter submits the form).

    The sign-in page is a single script run (no cookie component is drawn before there is a
    cookie to write), so the form takes input as soon as that run has finished."""
    page.goto(base_url)
    expect(page.get_by_role("textbox", name="Username")).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    wait_for_rerun(page)
    page.get_by_role("textbox", name="Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("textbox", name="Password").press("Enter")
    sign_out = page.get_by_role("button", name="Sign out", exact=True)
    expect(sign_out).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    wait_for_sign_in_cookie(page)


def wait_for_sign_in_cookie(page: Page) -> None:
    """The browser gets the sign-in cookie from a component drawn by the run after sign-in; a
    test that then loads another address directly needs it to stay signed in. Waits (polling
    in the page, no fixed sleep) until the cookie is there and no script run is going."""
    page.wait_for_function(
        """(name) => document.cookie.split("; ").some((c) => c.startsWith(name + "="))
            && document.querySelector("[data-testid='stApp']")
                ?.getAttribute("data-test-script-state") === "notRunning"
        """,
        arg=COOKIE_NAME,
        timeout=RERUN_TIMEOUT_MS,
    )


_RUN_COUNTER = """() => {
  const app = document.querySelector("[data-testid='stApp']");
  const counter = { runs: 0 };
  let last = app.getAttribute("data-test-script-state");
  new MutationObserver(() => {
    const state = app.getAttribute("data-test-script-state");
    if (state !== last && state === "running") counter.runs += 1;
    last = state;
  }).observe(app, { attributes: true, attributeFilter: ["data-test-script-state"] });
  window.__prdRunCounter = counter;
}"""


def count_script_runs(page: Page) -> None:
    """From now on, count the script runs the page goes through (read with `script_runs`)."""
    page.evaluate(_RUN_COUNTER)


def script_runs(page: Page) -> int:
    """Script runs since `count_script_runs`, once nothing more has run for a moment."""
    wait_for_rerun(page)
    page.wait_for_timeout(500)
    wait_for_rerun(page)
    return page.evaluate("() => window.__prdRunCounter.runs")
