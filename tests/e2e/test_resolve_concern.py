"""A manager works a concern in the browser: a refusal is visible where they are looking, with
their text kept, and the concern is resolved."""

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from db.models import Concern
from tests.e2e.helpers import count_script_runs, script_runs, sign_in, wait_for_rerun
from tests.helpers import open_concern, seed_world


def _choose(page: Page, action: str) -> None:
    page.get_by_role("radiogroup", name="Action").get_by_text(action, exact=True).click()
    wait_for_rerun(page)


def test_manager_resolves_a_concern(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    manager = make_staff("manager", username="mgr.resolve")
    concern_id = open_concern(engine, world, manager, summary="Meal arrived cold twice")
    page = browser_page
    sign_in(page, live_app, "mgr.resolve", "correct-horse-1")
    page.goto(f"{live_app}/concerns?concern={concern_id}")
    wait_for_rerun(page)
    expect(page.get_by_text(f"Complaint #{concern_id}")).to_be_visible()

    page.get_by_role("textbox", name="Note").fill("Called the ward")
    count_script_runs(page)
    page.get_by_role("button", name="Add note").click()
    wait_for_rerun(page)
    expect(page.get_by_text("Note added.", exact=True)).to_be_visible()
    assert script_runs(page) == 1  # the note is saved in the button's callback, then drawn

    # After a success, a refused written response stays on screen with what was typed.
    _choose(page, "Written response")
    page.get_by_role("textbox", name="Contact person").fill("Dana Reyes")
    page.get_by_role("button", name="Record written response sent").click()
    wait_for_rerun(page)
    refusal = page.get_by_text("Written response: not saved.")
    expect(refusal).to_be_visible()
    expect(refusal).to_be_in_viewport()
    expect(page.get_by_text("Enter the result.")).to_be_visible()
    expect(page.get_by_role("textbox", name="Contact person")).to_have_value("Dana Reyes")

    _choose(page, "Resolve")
    page.get_by_role("button", name="Resolve", exact=True).click()  # no text: refused, visibly
    wait_for_rerun(page)
    expect(page.get_by_text("Resolve: not saved.")).to_be_in_viewport()
    page.get_by_role("textbox", name="Resolution").fill(
        "Apologised; kitchen now plates meals for ward 4 last"
    )
    page.get_by_role("button", name="Resolve", exact=True).click()
    wait_for_rerun(page)
    expect(page.get_by_text("Resolved.", exact=True)).to_be_visible()
    with Session(engine) as s:
        concern = s.get(Concern, concern_id)
    assert concern.status == "resolved"
    assert concern.resolution.startswith("Apologised")
    # A resolved concern offers only what may follow a resolution.
    # (Retrying assertions: the chooser is redrawn by the run that shows "Resolved.".)
    actions = page.get_by_role("radiogroup", name="Action")
    expect(actions).to_contain_text("Reopen")
    expect(actions).not_to_contain_text("Resolve")
