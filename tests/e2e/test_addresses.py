"""Every address opens something sensible, and Back from a concern returns to the worklist."""

from playwright.sync_api import expect

from tests.e2e.helpers import count_script_runs, script_runs, sign_in, wait_for_rerun
from tests.helpers import open_concern, seed_world


def test_no_page_not_found_for_any_address(live_app, browser_page, make_staff):
    page = browser_page
    make_staff("executive", username="addr.exec")
    sign_in(page, live_app, "addr.exec", "correct-horse-1")
    for path, heading in (
        ("dashboard", "Dashboard"),
        ("log-interaction", "Log interaction"),
        ("", "Log interaction"),
    ):
        page.goto(f"{live_app}/{path}")
        wait_for_rerun(page)
        expect(page.get_by_role("heading", name=heading).first).to_be_visible()
        expect(page.get_by_text("Page not found")).to_have_count(0)
    page.goto(f"{live_app}/dashboard")
    wait_for_rerun(page)
    expect(page.get_by_text("Your role does not give access to this page.")).to_be_visible()


def test_back_from_a_concern_returns_to_the_worklist(live_app, browser_page, make_staff, engine):
    world = seed_world(engine)
    manager = make_staff("manager", username="addr.mgr")
    concern_id = open_concern(engine, world, manager, summary="Lost glasses on ward 3")
    page = browser_page
    sign_in(page, live_app, "addr.mgr", "correct-horse-1")
    page.goto(f"{live_app}/concerns?severity=medium")
    wait_for_rerun(page)
    grid = page.get_by_test_id("stDataFrame")
    expect(grid).to_be_visible()
    box = grid.bounding_box()
    count_script_runs(page)
    page.mouse.click(box["x"] + 14, box["y"] + 35 + 18)  # the first row's selector
    wait_for_rerun(page)
    expect(page.get_by_text(f"Complaint #{concern_id}")).to_be_visible()
    assert script_runs(page) == 1  # the selection opens the concern in the run it causes
    page.wait_for_function("() => history.state && history.state.prdConcernDetail")
    page.go_back()
    wait_for_rerun(page)
    expect(page.get_by_role("heading", name="Open concerns")).to_be_visible()
    assert page.url.endswith("/concerns?severity=medium")
