"""An executive logs a call with the keyboard alone: type, Tab, Enter."""

from playwright.sync_api import Page, expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Interaction
from tests.e2e.helpers import sign_in, wait_for_rerun
from tests.helpers import seed_world


def _tab_to(page: Page, predicate_js: str, limit: int = 40) -> None:
    """Press Tab until the focused element matches `predicate_js` (a JS expression on `el`)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate(
            f"(() => {{ const el = document.activeElement; return {predicate_js}; }})()"
        ):
            return
    raise AssertionError(f"never reached {predicate_js}")


def test_log_a_call_with_the_keyboard_alone(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    make_staff("executive", username="kb.exec", home_department_id=world["ed"])
    page = browser_page
    sign_in(page, live_app, "kb.exec", "correct-horse-1")
    expect(page.get_by_role("heading", name="Log interaction")).to_be_visible()

    search = page.get_by_role("textbox", name="Search by MRN, name or phone digits")
    search.focus()  # where the cursor starts for a call; everything after is keys
    page.keyboard.type("smith, john")
    page.keyboard.press("Enter")
    wait_for_rerun(page)
    expect(page.get_by_role("combobox", name="Matching patients")).to_have_value(
        "Smith, John · MRN0000001 · born 1950-03-02"
    )

    _tab_to(page, "el.tagName === 'TEXTAREA'")
    page.keyboard.type("Asked how to get a copy of the discharge letter")
    page.keyboard.press("Control+Enter")  # submits the form from the summary box
    wait_for_rerun(page)

    expect(page.get_by_text("Interaction #1 logged for Smith, John")).to_be_visible()
    with Session(engine) as s:
        row = s.scalars(select(Interaction)).one()
    assert row.patient_id == world["smith"]
    assert row.channel == "phone" and row.department_id == world["ed"]
    assert row.summary == "Asked how to get a copy of the discharge letter"
    # The form is ready for the next call.
    # (The previous form's box may linger for a moment while the rerun replaces it.)
    expect(page.locator("textarea")).to_have_count(1)
    expect(page.locator("textarea")).to_have_value("")
