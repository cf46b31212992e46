"""Sessions: an absolute lifetime besides the idle timeout, "Sign out everywhere" beside
"Sign out" (this browser only), and one view audit row per opening of a record, not per rerun."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.models import AuditLog, StaffSession
from db.settings import get_settings
from db.users import staff_for_session, start_session
from tests.helpers import APP, NOW, log_contact, open_concern, seed_world, sign_in

SIGNED_IN = dt.datetime(2026, 11, 24, 7, 0, tzinfo=dt.UTC)


def _check(engine, staff, session_id, now, **kw):
    with Session(engine) as s, s.begin():
        return staff_for_session(
            session=s,
            session_id=session_id,
            username=staff.username,
            issued_at=SIGNED_IN,
            idle_timeout=dt.timedelta(minutes=15),
            now=now,
            **kw,
        )


@pytest.mark.parametrize(("hours", "valid"), [(11, True), (12, True), (12.01, False), (30, False)])
def test_a_busy_session_still_ends_twelve_hours_after_sign_in(engine, make_staff, hours, valid):
    staff = make_staff("executive")
    with Session(engine) as s, s.begin():
        session_id = start_session(session=s, user_id=staff.id, now=SIGNED_IN)
    # Active every ten minutes all along: the idle timeout never ends it.
    minutes = 0
    while minutes + 10 < min(hours, 12) * 60:
        minutes += 10
        assert _check(engine, staff, session_id, SIGNED_IN + dt.timedelta(minutes=minutes))
    now = SIGNED_IN + dt.timedelta(hours=hours)
    assert (_check(engine, staff, session_id, now) is not None) == valid
    with Session(engine) as s:
        ended = s.get(StaffSession, session_id).ended_at
    assert (ended is None) == valid
    if not valid:  # ended for good: even a later, earlier-looking check is refused
        assert _check(engine, staff, session_id, SIGNED_IN + dt.timedelta(hours=1)) is None


def test_the_lifetime_is_a_setting(engine, make_staff, monkeypatch):
    monkeypatch.setenv("PRD_SESSION_LIFETIME_HOURS", "2")
    get_settings.cache_clear()
    assert get_settings().session_lifetime_hours == 2
    staff = make_staff("executive")
    with Session(engine) as s, s.begin():
        session_id = start_session(session=s, user_id=staff.id, now=SIGNED_IN)
    assert _check(engine, staff, session_id, SIGNED_IN + dt.timedelta(minutes=10))
    assert _check(engine, staff, session_id, SIGNED_IN + dt.timedelta(hours=2, minutes=1)) is None


def _logouts(engine, user_id) -> int:
    with Session(engine) as s:
        return s.scalar(
            select(func.count()).where(AuditLog.user_id == user_id, AuditLog.action == "logout")
        )


def test_sign_out_ends_this_browser_only(engine, make_staff):
    staff = make_staff("manager", username="dokafor")
    desk = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    ward = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    desk.sidebar.button(key="sign_out_button").click()
    desk.run()
    assert "staff" not in desk.session_state
    ward.switch_page("pages/weekly_summary.py").run()
    assert ward.session_state["staff"].id == staff.id  # the other browser is still signed in


def test_sign_out_everywhere_ends_every_browser(engine, make_staff):
    staff = make_staff("manager", username="dokafor")
    desk = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    ward = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    desk.sidebar.button(key="sign_out_everywhere_button").click()
    desk.run()
    assert "staff" not in desk.session_state
    assert any("every browser and device" in m.value for m in desk.info)
    ward.switch_page("pages/weekly_summary.py").run()
    assert not ward.exception
    assert "staff" not in ward.session_state  # refused on its next run
    assert _logouts(engine, staff.id) >= 1
    # Signing in again afterwards works.
    again = sign_in(AppTest.from_file(APP, default_timeout=30).run(), "dokafor", "correct-horse-1")
    assert again.session_state["staff"].id == staff.id


def _views(engine, user_id, action) -> list[str]:
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditLog.entity_id)
                .where(AuditLog.user_id == user_id, AuditLog.action == action)
                .order_by(AuditLog.id)
            )
        )


def test_a_patient_record_is_audited_once_per_opening(engine, page_as, make_staff, clock):
    clock(NOW)
    world = seed_world(engine)
    log_contact(engine, world, make_staff("executive"))
    manager = make_staff("manager")
    at = page_as("pages/patients.py", manager).run()
    at.text_input(key="patients_lookup_query").input("smith jo").run()
    assert _views(engine, manager.id, "view-patient") == [str(world["smith"])]
    at.run()
    at.run()  # reruns (a click elsewhere on the page) are not new openings
    assert _views(engine, manager.id, "view-patient") == [str(world["smith"])]
    at.text_input(key="patients_lookup_query").input("MRN0000002").run()  # another patient
    at.text_input(key="patients_lookup_query").input("smith jo").run()  # and back: opened again
    assert _views(engine, manager.id, "view-patient") == [
        str(world["smith"]),
        str(world["patel"]),
        str(world["smith"]),
    ]


def test_a_concern_is_audited_once_per_opening(engine, page_as, make_staff):
    world = seed_world(engine)
    manager = make_staff("manager")
    first = open_concern(engine, world, manager)
    second = open_concern(engine, world, manager, patient_id=world["patel"])
    at = page_as("pages/open_concerns.py", manager)
    at.query_params["concern"] = str(first)
    at.run()
    at.run()
    assert _views(engine, manager.id, "view-concern") == [str(first)]
    assert _views(engine, manager.id, "view-patient") == [str(world["smith"])]
    at.query_params["concern"] = str(second)
    at.run()
    at.query_params["concern"] = str(first)
    at.run()
    assert _views(engine, manager.id, "view-concern") == [str(first), str(second), str(first)]
