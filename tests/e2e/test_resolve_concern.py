"""A manager opens a concern from the worklist and resolves it in the browser."""

from playwright.sync_api import expect
from sqlalchemy.orm import Session

from db.models import Concern
from tests.e2e.helpers import sign_in, wait_for_rerun
from tests.helpers import open_concern, seed_world


def test_manager_resolves_a_concern(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    manager = make_staff("manager", username="mgr.resolve")
    concern_id = open_concern(engine, world, manager, summary="Meal arrived cold twice")
    page = browser_page
    sign_in(page, live_app, "mgr.resolve", "correct-horse-1")
    page.goto(f"{live_app}/concerns")
    wait_for_rerun(page)
    expect(page.get_by_role("heading", name="Open concerns")).to_be_visible()
    page.goto(f"{live_app}/concerns?concern={concern_id}")
    wait_for_rerun(page)
    expect(page.get_by_text(f"Complaint #{concern_id}")).to_be_visible()
    page.get_by_role("tab", name="Resolve").click()
    page.get_by_role("tab", name="Resolve").press("Tab")
    page.get_by_label("Resolution").fill("Apologised; kitchen now plates meals for ward 4 last")
    page.get_by_role("button", name="Resolve").click()
    wait_for_rerun(page)
    expect(page.get_by_text("Resolved.", exact=True)).to_be_visible()
    with Session(engine) as s:
        concern = s.get(Concern, concern_id)
    assert concern.status == "resolved"
    assert concern.resolution.startswith("Apologised")
