"""The Weekly summary page in AppTest against the fixed hospital of tests/dashboard_world.py: the
week is in the URL (default the last complete week), the preview shows the brief's own cells,
nothing identifies a patient, other roles are refused, and a download is audited."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from components import weekly_view
from db.models import AuditLog
from db.settings import get_settings
from tests.dashboard_world import NOW, PATIENT_MRNS, PATIENT_NAMES, WEEK, build_world
from tests.helpers import rendered_text

PAGE = "pages/weekly_summary.py"


@pytest.fixture
def world(engine, make_staff, clock):
    clock(NOW)
    staff = make_staff("manager", username="builder")
    with Session(engine) as s, s.begin():
        return build_world(s, staff.id)


def _open(page_as, staff, week: str | None = None):
    at = page_as(PAGE, staff, timeout=60)
    if week is not None:
        at.query_params["week"] = week
    return at.run()


def test_the_last_complete_week_by_default(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"))
    assert not at.exception
    # NOW is Friday of W47: the last complete week is W46.
    assert at.query_params["week"] == ["2026-W46"] or at.query_params["week"] == "2026-W46"
    table = at.dataframe[0].value
    assert list(table.columns) == [
        "Measure", "This week", "Previous week", "4 weeks before", "Change", "Variation",
    ]  # fmt: skip
    rows = dict(zip(table["Measure"], table["This week"], strict=True))
    assert rows["Interactions"] == "5"
    assert rows["On-time resolution"] == "66.7% (n=3)"
    assert rows["First-contact resolution"] == "75.0% (n=4)"


def test_the_week_in_the_url_is_shown(page_as, make_staff, world):
    at = _open(page_as, make_staff("leadership"), "2026-W45")
    assert not at.exception
    text = rendered_text(at)
    assert "2026-W45" in text and "2 Nov 2026" in text


def test_a_bad_week_says_so_and_shows_the_default(page_as, make_staff, world):
    at = _open(page_as, make_staff("manager"), "2026-W99")
    assert not at.exception
    assert "2026 has no ISO week 99" in at.error[0].value
    assert "2026-W46" in rendered_text(at)


@pytest.mark.parametrize("role", ["manager", "leadership"])
def test_no_patient_identifying_data_on_the_page(page_as, make_staff, world, role):
    at = _open(page_as, make_staff(role), "2026-W46")
    text = rendered_text(at)
    assert "Interactions" in text
    for secret in (*PATIENT_NAMES, *PATIENT_MRNS, "555-010", "zq@example.org"):
        assert secret not in text, secret


def test_only_managers_may_identify_rows(page_as, make_staff, world):
    manager = _open(page_as, make_staff("manager"), "2026-W46")
    assert [c.key for c in manager.checkbox if c.key == "weekly_identified"]
    leader = _open(page_as, make_staff("leadership"), "2026-W46")
    assert not [c.key for c in leader.checkbox if c.key == "weekly_identified"]


@pytest.mark.parametrize("role", ["executive", "admin"])
def test_other_roles_cannot_open_it(page_as, make_staff, world, role):
    at = _open(page_as, make_staff(role), "2026-W46")
    assert "does not give access" in at.error[0].value
    assert not at.dataframe


def test_a_download_is_audited_with_its_hash(engine, make_staff, world):
    staff = make_staff("manager")
    brief = weekly_view.load_brief(WEEK)
    data = weekly_view.file_maker(brief, "xlsx", staff)()
    identified = weekly_view.file_maker(brief, "interactions", staff, identified=True)()
    assert PATIENT_MRNS[0].encode() in identified
    with Session(engine) as s:
        audits = list(s.scalars(select(AuditLog).order_by(AuditLog.id)))
    export, unmask = audits[-2:]
    assert (export.action, export.username, export.entity_id) == (
        "export",
        staff.username,
        "2026-W46",
    )
    assert export.detail["sha256"] == hashlib.sha256(data).hexdigest()
    assert export.detail["rows"] == 10  # 5 interactions + 5 concerns
    assert (unmask.action, unmask.detail["identified"], unmask.detail["rows"]) == (
        "unmask",
        True,
        5,
    )
    assert unmask.detail["sha256"] == hashlib.sha256(identified).hexdigest()
    assert get_settings().facility_name in brief.header[0]
