"""The Dashboard page in AppTest against the fixed hospital of tests/dashboard_world.py: the
tiles show the hand-computed figures, the filters live in the URL, and in presentation mode no
patient-identifying data appears anywhere in what the page sends to the browser."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session

from db.models import AppUser, Concern, Patient
from tests.dashboard_world import (
    NOW,
    PATIENT_MRNS,
    PATIENT_NAMES,
    WEEK,
    add_interaction,
    build_world,
    local,
)
from tests.displayed import html_texts
from tests.helpers import rendered_text

PAGE = "pages/dashboard.py"
HOSTILE_NAME = '<img src="http://ext.invalid/p.png"> <b>zq</b> **bold** [x](javascript:alert(1))'
WEEK_PARAMS = {"period": "custom", "from": "2026-11-09", "to": "2026-11-15"}


@pytest.fixture
def world(engine, make_staff, clock):
    clock(NOW)
    staff = make_staff("manager", username="builder")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _open(page_as, staff, params=WEEK_PARAMS):
    at = page_as(PAGE, staff)
    for key, value in params.items():
        at.query_params[key] = value
    return at.run()


def _param(at, key):
    value = at.query_params.get(key)
    return value[0] if isinstance(value, list) else value


def _metric(at, label):
    return next(m for m in at.metric if m.label == label)


def test_manager_sees_the_hand_computed_week(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"))
    assert not at.exception
    assert _metric(at, "Interactions").value == "5"
    assert _metric(at, "Interactions").delta == "+3 (+150%)"
    assert _metric(at, "Concerns opened").value == "5"
    assert _metric(at, "First-contact resolution").value == "75.0%"
    assert _metric(at, "First-contact resolution").delta == "+25.0 pts"
    assert _metric(at, "On-time resolution").value == "66.7%"
    assert _metric(at, "Median days to resolve").value == "2.0 d"
    assert _metric(at, "Grievance response on time").value == "50.0%"
    assert _metric(at, "Net Promoter Score").value == "+33"
    assert _metric(at, "Complaints per 1,000").value == "1.43"
    captions = [c.value for c in at.caption]
    assert "of 4 calls resolved or opening a concern · previous: 50.0% of 2" in captions
    assert "of 3 resolved with a due time · previous: 50.0% of 2" in captions
    assert any(
        "9 Nov 2026 – 15 Nov 2026" in c and "2 Nov 2026 – 8 Nov 2026" in c for c in html_texts(at)
    )


def test_the_url_holds_the_filters(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), {**WEEK_PARAMS, "dept": str(world.cardiology)})
    assert not at.exception
    assert at.selectbox(key="dash_department_0").value == world.cardiology
    assert _metric(at, "Interactions").value == "3"
    at.selectbox(key="dash_department_0").select(0).run()
    assert _metric(at, "Interactions").value == "5"
    assert _param(at, "period") == "custom"
    assert _param(at, "from") == "2026-11-09"
    assert _param(at, "dept") is None
    at.selectbox(key="dash_period_0").select("last_week").run()
    assert _param(at, "period") == "last_week"
    assert _param(at, "from") is None


def test_an_empty_period_shows_dashes_not_zero_percent(page_as, make_staff, world):
    at = _open(
        page_as,
        make_staff("manager"),
        {"period": "custom", "from": "2025-01-06", "to": "2025-01-12"},
    )
    assert not at.exception
    assert _metric(at, "Interactions").value == "0"
    for label in (
        "On-time resolution",
        "Median days to resolve",
        "First-contact resolution",
        "Grievance response on time",
        "Net Promoter Score",
        "Complaints per 1,000",
    ):
        assert _metric(at, label).value == "—", label
        assert not _metric(at, label).delta


def _overdue_table(at) -> str:
    return next(e.proto.body for e in at.get("html") if "<table" in e.proto.body)


def test_managers_get_the_overdue_list_without_patients(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"))
    table = _overdue_table(at)
    links = re.findall(r'<a href="([^"]+)"[^>]*>(\d+)</a>', table)
    assert links == [
        (f"concerns?concern={world.concerns['C6']}", str(world.concerns["C6"])),
        (f"concerns?concern={world.concerns['C8']}", str(world.concerns["C8"])),
    ]
    header = re.findall(r"<th[^>]*>([^<]*)</th>", table)
    assert header == [
        "Concern",
        "Type",
        "Severity",
        "Department",
        "Owner",
        "Was due",
        "Days overdue",
    ]
    assert "patient" not in table.lower()
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS):
        assert secret not in table


def test_a_hostile_owner_name_in_the_overdue_list_is_text(page_as, make_staff, world, engine):
    owner = make_staff("manager", username="hostile.owner")
    with Session(engine) as s, s.begin():
        s.execute(update(AppUser).where(AppUser.id == owner.id).values(display_name=HOSTILE_NAME))
        s.execute(
            update(Concern).where(Concern.id == world.concerns["C6"]).values(owner_id=owner.id)
        )
    table = _overdue_table(_open(page_as, make_staff("manager")))
    assert html.escape(HOSTILE_NAME, quote=True) in table
    assert "<img" not in table and "<b>" not in table


@pytest.mark.parametrize("who", ["manager presenting", "leadership"])
def test_presentation_mode_shows_no_patient_identifying_data(page_as, make_staff, world, who):
    if who == "leadership":
        staff = make_staff("leadership")
        params = WEEK_PARAMS
    else:
        staff = make_staff("manager")
        params = {**WEEK_PARAMS, "present": "1"}
    at = _open(page_as, staff, params)
    assert not at.exception
    text = rendered_text(at)
    assert "Interactions" in text  # the walk did see the page
    for secret in (
        *PATIENT_NAMES,
        *PATIENT_MRNS,
        "555-010",
        "zq@example.org",
        "Patient unhappy about the wait",
        "Called about their stay",
        "The nurses were kind",
    ):
        assert secret not in text, secret
    # Counts only: no list of concerns.
    table = _overdue_table(at)
    assert re.findall(r"<th[^>]*>([^<]*)</th>", table) == [
        "Department",
        "Severity",
        "Overdue concerns",
    ]
    assert "<a " not in table  # no concern to open
    assert sum(int(n) for n in re.findall(r"<td[^>]*>(\d+)</td>", table)) == 2
    if who == "manager presenting":
        assert _param(at, "present") == "1"


def test_the_fixture_really_holds_the_patient_data(engine, world):
    # Guards the test above: the secrets it looks for are in the database.
    with Session(engine) as s:
        assert {p.mrn for p in s.query(Patient)} == set(PATIENT_MRNS)
        assert s.get(Concern, world.concerns["C1"]).patient_id is not None


def test_a_write_shows_on_the_next_run_without_clearing_the_cache(
    page_as, make_staff, world, engine
):
    at = _open(page_as, make_staff("manager"))
    assert _metric(at, "Interactions").value == "5"
    with Session(engine) as s, s.begin():
        add_interaction(s, world.staff_id, local(2026, 11, 13, 9), None, "information-only")
    at.run()
    assert _metric(at, "Interactions").value == "6"


def test_other_roles_cannot_open_it(page_as, make_staff, world):
    at = page_as(PAGE, make_staff("executive")).run()
    assert [e.value for e in at.error] == ["Your role does not give access to this page."]
    assert not at.metric


def test_presentation_frame_asks_for_a_rerun_only_when_its_timer_fires(page_as, make_staff, world):
    at = _open(page_as, make_staff("leadership"))
    assert not at.exception
    assert "presentation_refresh_started" in at.session_state
    assert "presentation_auto_refresh" not in at.session_state


def test_week_constant_matches_the_url():
    assert (WEEK.first_day, WEEK.last_day) == (dt.date(2026, 11, 9), dt.date(2026, 11, 15))
