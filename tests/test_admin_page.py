"""The Admin page, My account, and the forced password step, through AppTest."""

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from streamlit.testing.v1 import AppTest

from db.admin_users import reset_password
from db.models import AppUser, AuditLog, Department, PublicHoliday, SlaRule
from db.users import authenticate

ADMIN = "pages/admin.py"
APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", username="ada")


def _section(at, name):
    at.segmented_control(key="admin_section").set_value(name).run()
    assert not at.exception, at.exception
    return at


def _admin_changes(engine, entity):
    with Session(engine) as s:
        return list(
            s.scalars(
                select(AuditLog).where(AuditLog.action == "admin-change", AuditLog.entity == entity)
            )
        )


@pytest.mark.parametrize("role", ["executive", "manager", "leadership"])
def test_only_admins_open_it(page_as, make_staff, role):
    at = page_as(ADMIN, make_staff(role)).run()
    assert [e.value for e in at.error] == ["Your role does not give access to this page."]
    assert not at.dataframe


def test_add_a_person_keeps_input_on_refusal_then_shows_the_one_time_password(
    engine, page_as, admin
):
    at = page_as(ADMIN, admin).run()
    assert not at.exception
    form = [t for t in at.text_input if t.label == "Username"]
    form[0].input("Bad Name!")
    next(t for t in at.text_input if t.label == "Full name").input("Nina Park")
    at.multiselect[-1].select("executive")
    at.button(key=next(b.key for b in at.button if b.label == "Add person")).click()
    at = at.run()
    assert any("lower-case letters" in e.value for e in at.error)
    assert next(t for t in at.text_input if t.label == "Full name").value == "Nina Park"
    next(t for t in at.text_input if t.label == "Username").input("npark")
    at.button(key=next(b.key for b in at.button if b.label == "Add person")).click()
    at = at.run()
    assert not at.exception
    assert any("One-time password for **npark**" in w.value for w in at.warning)
    (code,) = at.code
    with Session(engine) as s:
        user = s.scalars(select(AppUser).where(AppUser.username == "npark")).one()
        assert user.must_change_password and user.roles == ["executive"]
    assert len(code.value) >= 12
    at = at.run()  # shown once
    assert not at.code


def test_departments_section_adds_and_refuses_duplicates(engine, page_as, admin):
    at = _section(page_as(ADMIN, admin).run(), "Departments")
    next(t for t in at.text_input if t.label == "Name").input("Radiology")
    at.button(key=next(b.key for b in at.button if b.label == "Add department")).click()
    at = at.run()
    assert not at.exception
    with Session(engine) as s:
        assert s.scalars(select(Department.name)).all() == ["Radiology"]
    name_inputs = [t for t in at.text_input if t.label == "Name"]
    name_inputs[-1].input("radiology")
    at.button(key=next(b.key for b in at.button if b.label == "Add department")).click()
    at = at.run()
    assert any("already exists" in e.value for e in at.error)
    assert [t for t in at.text_input if t.label == "Name"][-1].value == "radiology"
    at.button(key="admin_toggle_department").click()
    at = at.run()
    assert any("Keep at least one active entry" in e.value for e in at.error)
    assert len(_admin_changes(engine, "department")) == 1


def test_categories_section_shows_the_taxonomy(page_as, admin):
    at = _section(page_as(ADMIN, admin).run(), "Categories")
    names = at.dataframe[0].value["Name"].tolist()
    assert len(names) == 7 and "Safety" in names


def test_sla_section_saves_grievance_clocks_and_holidays(engine, page_as, admin):
    at = _section(page_as(ADMIN, admin).run(), "SLA targets")
    assert any("opened after you save" in i.value for i in at.info)
    assert any("keeps the written-response days of its opening" in i.value for i in at.info)
    at.number_input[0].set_value(0)
    at.button(key=next(b.key for b in at.button if b.label == "Save grievance clocks")).click()
    at = at.run()
    assert any("1 to 30 business days" in e.value for e in at.error)
    at.number_input[0].set_value(2)
    at.button(key=next(b.key for b in at.button if b.label == "Save grievance clocks")).click()
    at = at.run()
    with Session(engine) as s:
        assert s.get(SlaRule, 1).acknowledgement_business_days == 2
    at.date_input[0].set_value(dt.date(2026, 12, 25))
    next(t for t in at.text_input if t.label == "Name").input("Christmas Day")
    at.button(key=next(b.key for b in at.button if b.label == "Add holiday")).click()
    at = at.run()
    assert not at.exception
    with Session(engine) as s:
        assert s.scalars(select(PublicHoliday.name)).all() == ["Christmas Day"]


def test_audit_section_filters_and_exports(engine, page_as, admin, make_staff):
    other = make_staff("executive", username="snoop")
    with Session(engine) as s, s.begin():
        for pid in ("7", "8"):
            s.add(
                AuditLog(
                    # The app's clock (the page's default dates), not the database server's.
                    occurred_at=dt.datetime.now(dt.UTC),
                    user_id=other.id,
                    username="snoop",
                    action="view-patient",
                    entity="patient",
                    entity_id=pid,
                )
            )
    at = _section(page_as(ADMIN, admin).run(), "Audit log")
    at.selectbox(key="audit_user").set_value(other.id)
    at.selectbox(key="audit_entity").set_value("patient")
    at.text_input(key="audit_entity_id").input("7").run()
    assert not at.exception
    assert at.dataframe[0].value["Id"].tolist() == ["7"]
    at.button(key="audit_prepare_export").click().run()
    assert not at.exception
    with Session(engine) as s:
        export = s.scalars(select(AuditLog).where(AuditLog.action == "export")).one()
    assert export.detail["row_count"] == 1
    assert export.detail["filters"]["entity_id"] == "7"


def test_my_account_changes_the_password(engine, page_as, make_staff):
    staff = make_staff("leadership", username="helen")
    at = page_as("pages/account.py", staff).run()
    inputs = at.text_input
    inputs[0].input("wrong")
    inputs[1].input("new-password-1")
    inputs[2].input("new-password-1")
    at.button(key=next(b.key for b in at.button if b.label == "Change password")).click()
    at = at.run()
    assert [e.value for e in at.error] == ["That is not your current password."]
    at.text_input[0].input("correct-horse-1")
    at.button(key=next(b.key for b in at.button if b.label == "Change password")).click()
    at = at.run()
    assert not at.exception
    assert "staff" in at.session_state  # this session stays signed in
    assert at.session_state["session_started_at"] > dt.datetime.now(dt.UTC) - dt.timedelta(
        minutes=1
    )
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="helen", password="new-password-1")


def test_reset_password_forces_a_new_one_before_any_page(engine, make_staff, admin):
    person = make_staff("manager", username="dokafor")
    with Session(engine) as s, s.begin():
        one_time = reset_password(
            session=s, actor=admin, user_id=person.id, now=dt.datetime.now(dt.UTC)
        )
    at = AppTest.from_file(APP, default_timeout=30).run()
    at.text_input(key="sign_in_username").input("dokafor")
    at.text_input(key="sign_in_password").input(one_time)
    at = at.button[0].click().run()
    assert not at.exception
    assert [t.value for t in at.title] == ["Choose your password"]
    with pytest.raises(ValueError):
        at.switch_page("pages/dashboard.py").run()
    fields = at.text_input
    fields[0].input(one_time)
    fields[1].input("my-own-choice-1")
    fields[2].input("my-own-choice-1")
    at.button(key=next(b.key for b in at.button if b.label == "Change password")).click()
    at = at.run()
    assert not at.exception
    assert [t.value for t in at.toast] == [
        "Your password is changed. Your other sessions have been signed out."
    ]
    at.switch_page("pages/dashboard.py").run()
    assert not at.exception
    assert "staff" in at.session_state
    with Session(engine) as s:
        assert not s.get(AppUser, person.id).must_change_password
