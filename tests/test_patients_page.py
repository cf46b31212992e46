import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.models import AuditLog
from tests.displayed import html_texts
from tests.helpers import NOW, log_contact, seed_world

PAGE = "pages/patients.py"


@pytest.fixture
def world(engine, make_staff, clock):
    clock(NOW)
    world = seed_world(engine)
    staff = make_staff("executive")
    for days in (1, 3, 5):
        log_contact(
            engine,
            world,
            staff,
            occurred_at=NOW - dt.timedelta(days=days),
            summary=f"Contact {days} days ago",
        )
    return world


def test_search_then_open_shows_history_repeat_marker_and_audits(
    page_as, make_staff, world, engine
):
    manager = make_staff("manager")
    at = page_as(PAGE, manager).run()
    at.text_input(key="patients_lookup_query").input("smith jo").run()
    assert not at.exception
    assert "Smith, John" in html_texts(at)
    assert any("MRN0000001" in m for m in html_texts(at))
    assert any("Repeat contact" in w.value for w in at.warning)
    history = "\n".join(html_texts(at))
    assert "Contact 1 days ago" in history and "Contact 5 days ago" in history
    with Session(engine) as s:
        audit = [
            (a.action, a.entity_id)
            for a in s.scalars(
                select(AuditLog).where(AuditLog.user_id == manager.id).order_by(AuditLog.id)
            )
        ]
    assert audit == [("search-patient", None), ("view-patient", str(world["smith"]))]


def test_presentation_mode_hides_patients(page_as, make_staff, world):
    at = page_as(PAGE, make_staff("manager"))
    at.query_params["present"] = "1"
    at.run()
    assert "hidden in presentation mode" in at.info[0].value
    assert not at.text_input


def test_leadership_cannot_open_patients(page_as, make_staff, world):
    at = page_as(PAGE, make_staff("leadership")).run()
    assert "does not give access" in at.error[0].value
