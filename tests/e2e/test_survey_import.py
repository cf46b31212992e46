"""A manager imports a vendor-style CSV file in the browser and sees the weekly chart appear,
the special-cause weeks named, and the low score with a comment in the worklist."""

import datetime as dt

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import Concern, Department
from db.satisfaction import seed_standard_instruments
from tests.e2e.helpers import sign_in, wait_for_rerun


def vendor_file(today: dt.date) -> bytes:
    """20 weeks of CSAT answers for Medicine up to this week, the last 7 all top box, and one
    low score with a comment; `;`-separated with a BOM and CRLF, as vendors send them."""
    lines = ["Survey ID;Department;Date;CSAT;Comment"]
    monday = today - dt.timedelta(days=today.weekday())
    number = 0
    for week in range(20):
        day = monday - dt.timedelta(weeks=19 - week)
        answers = [5, 4, 3, 5, 4, 5, 3, 4] if week < 13 else [5] * 8
        for answer in answers:
            number += 1
            lines.append(f"V{number};Medicine;{day.isoformat()};{answer};NULL")
    lines.append(f'V999;Medicine;{monday.isoformat()};1;"Nobody came when\r\nI rang the bell"')
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def test_manager_imports_a_file_and_sees_the_chart(live_app, browser_page, make_staff, engine):
    with Session(engine) as s, s.begin():
        seed_standard_instruments(session=s)
        s.add(Department(name="Medicine"))
    make_staff("manager", username="mgr.import")
    page = browser_page
    sign_in(page, live_app, "mgr.import", "correct-horse-1")
    page.goto(f"{live_app}/satisfaction?survey=1")
    wait_for_rerun(page)
    expect(page.get_by_text("No answers in the trend span.")).to_be_visible()

    page.get_by_text("Import a file", exact=True).click()
    wait_for_rerun(page)
    today = dt.datetime.now(dt.UTC).date()
    page.locator("input[type=file]").set_input_files(
        {"name": "vendor.csv", "mimeType": "text/csv", "buffer": vendor_file(today)}
    )
    wait_for_rerun(page)
    expect(page.get_by_text("0 problems", exact=False)).to_be_visible(timeout=30_000)
    page.get_by_role("button", name="Import 161 responses").click()
    wait_for_rerun(page)
    expect(page.get_by_text("Imported 161 responses")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("1 service-recovery concerns opened", exact=False)).to_be_visible()

    page.goto(f"{live_app}/satisfaction?survey=1&measure=top_box&period=this_week")
    wait_for_rerun(page)
    expect(page.get_by_text("Top-box % per week")).to_be_visible()
    expect(page.get_by_text("weeks above the mean", exact=False).first).to_be_visible()

    page.goto(f"{live_app}/concerns")
    wait_for_rerun(page)
    # The worklist is a canvas grid: its cells are in the page but not "visible" to Playwright.
    expect(page.get_by_text("Service recovery: CSAT answered 1", exact=False)).to_be_attached()
    with Session(engine) as s:
        concern = s.scalar(select(Concern))
    assert concern.source_survey_response_id is not None
