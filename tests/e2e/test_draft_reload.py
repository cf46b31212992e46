"""A reload mid-call (or a new browser session) brings back what was typed, from the server."""

import time

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Concern, FormDraft
from tests.e2e.helpers import RERUN_TIMEOUT_MS, sign_in, wait_for_rerun
from tests.helpers import open_concern, seed_world


def _wait_for_draft(engine, form: str, text: str) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with Session(engine) as s:
            fields = s.scalar(select(FormDraft.fields).where(FormDraft.form == form))
        if fields and text in fields.values():
            return
        time.sleep(0.2)
    raise AssertionError(f"no draft of {form} with {text!r}")


def _reload(page: Page) -> None:
    page.reload()
    wait_for_rerun(page)
    # A reload is a new browser session: the sign-in cookie is read back by a component, whose
    # report reruns the app. Follow those runs until the page is drawn signed in and settled.
    sign_out = page.get_by_role("button", name="Sign out", exact=True)
    expect(sign_out).to_be_visible(timeout=RERUN_TIMEOUT_MS)
    wait_for_rerun(page)


def test_a_reload_mid_call_brings_the_draft_back(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    make_staff("executive", username="draft.exec", home_department_id=world["ed"])
    page = browser_page
    sign_in(page, live_app, "draft.exec", "correct-horse-1")
    search = page.get_by_role("textbox", name="Search by MRN, name or phone digits")
    search.fill("MRN0000001")
    search.press("Enter")
    wait_for_rerun(page)
    summary = page.get_by_role("textbox", name="Summary")
    summary.press_sequentially("Patient asked for the discharge letter again")
    _wait_for_draft(engine, "log", "Patient asked for the discharge letter again")

    _reload(page)
    expect(page.get_by_text("is back in the form")).to_be_visible()
    expect(summary).to_have_value("Patient asked for the discharge letter again")
    expect(search).to_have_value("MRN0000001")
    summary.press("Control+Enter")
    wait_for_rerun(page)
    expect(page.get_by_text("Interaction #1 logged for Smith, John")).to_be_visible()
    with Session(engine) as s:
        assert s.scalars(select(FormDraft)).all() == []
    _reload(page)
    expect(page.get_by_role("textbox", name="Summary")).to_have_value("")


def test_a_reload_keeps_a_half_written_resolution(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    manager = make_staff("manager", username="draft.mgr")
    concern_id = open_concern(engine, world, manager)
    page = browser_page
    sign_in(page, live_app, "draft.mgr", "correct-horse-1")
    page.goto(f"{live_app}/concerns?concern={concern_id}")
    wait_for_rerun(page)
    page.get_by_role("radiogroup", name="Action").get_by_text("Resolve", exact=True).click()
    wait_for_rerun(page)
    page.get_by_role("textbox", name="Resolution").press_sequentially("Apologised; meal replaced")
    _wait_for_draft(engine, f"concern:{concern_id}:resolve", "Apologised; meal replaced")

    _reload(page)
    expect(page.get_by_role("textbox", name="Resolution")).to_have_value(
        "Apologised; meal replaced"
    )
    page.get_by_role("button", name="Resolve", exact=True).click()
    wait_for_rerun(page)
    expect(page.get_by_text("Resolved.", exact=True)).to_be_visible()
    with Session(engine) as s:
        assert s.get(Concern, concern_id).status == "resolved"
