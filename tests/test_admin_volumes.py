"""Encounter volumes: the grid's save and the all-or-nothing CSV import, each audited."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.admin_volumes import (
    VolumeCell,
    encounter_volumes,
    parse_encounter_csv,
    save_encounter_volumes,
)
from db.models import AuditLog, Department
from db.validation import InvalidInput

JAN, FEB = dt.date(2026, 1, 1), dt.date(2026, 2, 1)


@pytest.fixture
def depts(engine):
    with Session(engine) as s, s.begin():
        cardio, ed = Department(name="Cardiology"), Department(name="Emergency Department")
        s.add_all([cardio, ed])
        s.flush()
        return {"cardio": cardio.id, "ed": ed.id}


def test_grid_save_writes_changes_and_one_audit_row(engine, depts, make_staff):
    admin = make_staff("admin")
    with Session(engine) as s, s.begin():
        assert (
            save_encounter_volumes(
                session=s,
                actor=admin,
                cells=[VolumeCell(depts["cardio"], JAN, 1200), VolumeCell(depts["ed"], JAN, 3400)],
            )
            == 2
        )
    with Session(engine) as s, s.begin():
        changed = save_encounter_volumes(
            session=s,
            actor=admin,
            cells=[VolumeCell(depts["cardio"], JAN, 1250), VolumeCell(depts["ed"], JAN, None)],
        )
    assert changed == 2
    with Session(engine) as s:
        assert encounter_volumes(session=s, year=2026) == {(depts["cardio"], JAN): 1250}
        rows = s.scalars(select(AuditLog).where(AuditLog.entity == "encounter_volume")).all()
    assert len(rows) == 2
    assert rows[1].detail["before"] == {
        "Cardiology 2026-01": 1200,
        "Emergency Department 2026-01": 3400,
    }
    assert rows[1].detail["after"] == {
        "Cardiology 2026-01": 1250,
        "Emergency Department 2026-01": None,
    }


def test_grid_refuses_negative_figures(engine, depts, make_staff):
    admin = make_staff("admin")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        save_encounter_volumes(session=s, actor=admin, cells=[VolumeCell(depts["ed"], FEB, -1)])
    assert list(refused.value.errors) == ["Emergency Department 2026-02"]


def test_csv_import_is_all_or_nothing_with_a_reason_per_row(engine, depts, make_staff):
    bad = (
        b"department,month,encounters\n"
        b"Cardiology,2026-01,1200\n"
        b"Radiology,2026-01,10\n"
        b"cardiology,2026-13,5\n"
        b"Emergency Department,2026-01,many\n"
        b"CARDIOLOGY,2026-01,1300\n"
    )
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        parse_encounter_csv(session=s, data=bad)
    assert refused.value.errors == {
        "row 3": "unknown department 'Radiology'",
        "row 4": "month must look like 2026-01",
        "row 5": "encounters must be a whole number from 0 to 10,000,000",
        "row 6": "same department and month as row 2",
    }
    good = (
        '\ufeffDepartment,Month,Encounters\nCardiology,2026-01,"1,200"\n'
        "emergency department,2026-02,0\n"
    )
    admin = make_staff("admin")
    with Session(engine) as s, s.begin():
        cells = parse_encounter_csv(session=s, data=good.encode())
        assert save_encounter_volumes(session=s, actor=admin, cells=cells, change="import") == 2
    with Session(engine) as s:
        assert encounter_volumes(session=s, year=2026) == {
            (depts["cardio"], JAN): 1200,
            (depts["ed"], FEB): 0,
        }


def test_csv_with_the_wrong_header_is_refused(engine, depts):
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        parse_encounter_csv(session=s, data=b"dept;month;n\n")
    assert "first line" in refused.value.errors["file"]


def test_volumes_section_shows_the_grid_and_its_save_button(engine, depts, page_as, make_staff):
    admin = make_staff("admin")
    at = page_as("pages/admin.py", admin).run()
    at.segmented_control(key="admin_section").set_value("Encounter volumes").run()
    assert not at.exception
    assert [b.label for b in at.button if b.key == "admin_save_volumes"] == ["Save volumes"]
    assert not at.error
