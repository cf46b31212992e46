"""Administrator changes: each writes an admin-change audit row with before/after; the guards."""

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db.account import change_own_password, password_change_required
from db.admin import NotAllowed
from db.admin_reference import (
    add_category,
    add_department,
    categories_for_admin,
    departments_for_admin,
    move,
    rename,
    set_active,
)
from db.admin_sla import add_holiday, remove_holiday, update_grievance_rule, update_sla_targets
from db.admin_users import (
    create_account,
    reset_password,
    set_account_active,
    unlock_account,
    update_account,
    user_accounts,
)
from db.intake import ConcernDraft, log_interaction
from db.models import AppUser, AuditLog, Category, Concern, Department
from db.reference import active_categories, active_departments
from db.sla import grievance_clock, sla_targets
from db.users import authenticate, staff_for_session, start_session
from db.validation import InvalidInput
from tests.helpers import NOW, NY, draft, seed_world


def _session_at(engine, user_id, at):
    """A server-side session of `user_id` issued at `at`: (its id, its issue time)."""
    with Session(engine) as s, s.begin():
        return start_session(session=s, user_id=user_id, now=at), at.replace(microsecond=0)


def _valid(engine, username, opened, now=NOW):
    session_id, issued_at = opened
    with Session(engine) as s, s.begin():
        staff = staff_for_session(
            session=s,
            session_id=session_id,
            username=username,
            issued_at=issued_at,
            idle_timeout=dt.timedelta(days=1),
            now=now,
        )
    return staff is not None


def _admin_rows(engine, entity=None):
    with Session(engine) as s:
        stmt = select(AuditLog).where(AuditLog.action == "admin-change").order_by(AuditLog.id)
        if entity:
            stmt = stmt.where(AuditLog.entity == entity)
        return [(r.username, r.entity, r.entity_id, r.detail) for r in s.scalars(stmt)]


@pytest.fixture
def admin(make_staff):
    return make_staff("admin", username="ada")


def test_create_user_with_one_time_password_must_change_it_at_first_sign_in(engine, admin):
    with Session(engine) as s, s.begin():
        user_id, one_time = create_account(
            session=s,
            actor=admin,
            username=" New.Person ",
            display_name="New Person",
            email="new@hospital.org",
            roles=["executive"],
            home_department_id=None,
        )
    assert one_time and len(one_time) >= 12
    with Session(engine) as s, s.begin():
        staff = authenticate(session=s, username="new.person", password=one_time, now=NOW)
        assert staff is not None and staff.id == user_id
        assert password_change_required(session=s, user_id=user_id)
    (row,) = _admin_rows(engine)
    assert row[:3] == ("ada", "app_user", str(user_id))
    assert row[3]["change"] == "create user" and row[3]["before"] == {}
    assert row[3]["after"]["roles"] == ["executive"]
    assert "password" not in str(row[3]["after"]) and "$2" not in str(row[3])


def test_create_user_refuses_field_by_field(engine, admin, make_staff):
    make_staff("executive", username="taken")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        create_account(
            session=s,
            actor=admin,
            username="taken",
            display_name=" ",
            email="not-an-email",
            roles=[],
            home_department_id=None,
            password="short",
        )
    assert set(refused.value.errors) == {"username", "display_name", "email", "roles", "password"}
    assert _admin_rows(engine) == []


def test_typed_password_must_meet_the_policy(engine, admin):
    with Session(engine) as s, s.begin():
        user_id, one_time = create_account(
            session=s,
            actor=admin,
            username="typed",
            display_name="Typed",
            email=None,
            roles=["manager"],
            home_department_id=None,
            password="long-enough-1",
        )
    assert one_time is None
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="typed", password="long-enough-1", now=NOW)


def test_only_admins_make_admin_changes(engine, make_staff):
    manager = make_staff("manager")
    with Session(engine) as s, pytest.raises(NotAllowed):
        add_department(session=s, actor=manager, name="Radiology")


def test_edit_user_records_only_changed_fields(engine, admin, make_staff):
    person = make_staff("executive", username="pat")
    with Session(engine) as s, s.begin():
        dept = add_department(session=s, actor=admin, name="Radiology")
    with Session(engine) as s, s.begin():
        assert update_account(
            session=s,
            actor=admin,
            user_id=person.id,
            display_name="Pat Doe",
            email="",
            roles=["executive", "manager"],
            home_department_id=dept,
        )
    detail = _admin_rows(engine, "app_user")[-1][3]
    assert detail["before"] == {
        "display_name": "Pat",
        "roles": ["executive"],
        "home_department_id": None,
    }
    assert detail["after"] == {
        "display_name": "Pat Doe",
        "roles": ["executive", "manager"],
        "home_department_id": dept,
    }


def test_admin_cannot_remove_own_admin_role_or_deactivate_self(engine, admin, make_staff):
    make_staff("admin", username="other")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        update_account(
            session=s,
            actor=admin,
            user_id=admin.id,
            display_name="Ada",
            email=None,
            roles=["manager"],
            home_department_id=None,
        )
    assert "own administrator" in refused.value.errors["roles"]
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        set_account_active(session=s, actor=admin, user_id=admin.id, active=False, now=NOW)
    assert "active" in refused.value.errors


def test_last_active_admin_is_protected(engine, admin, make_staff):
    other = make_staff("admin", username="other")
    with Session(engine) as s, s.begin():
        set_account_active(session=s, actor=other, user_id=admin.id, active=False, now=NOW)
    # `other` is now the only active admin; a third admin cannot remove them.
    with Session(engine) as s, s.begin():
        s.get(AppUser, admin.id).active = True
    with Session(engine) as s, s.begin():
        set_account_active(session=s, actor=admin, user_id=other.id, active=False, now=NOW)
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        # admin is the last active one; demoting through another (inactive) admin is refused
        update_account(
            session=s,
            actor=other,
            user_id=admin.id,
            display_name="Ada",
            email=None,
            roles=["manager"],
            home_department_id=None,
        )
    assert "last active administrator" in refused.value.errors["roles"]


def test_deactivation_ends_sessions_at_once_and_reactivation_allows_sign_in(
    engine, admin, make_staff
):
    person = make_staff("executive", username="pat")
    opened = _session_at(engine, person.id, NOW - dt.timedelta(hours=1))
    assert _valid(engine, "pat", opened)
    with Session(engine) as s, s.begin():
        set_account_active(session=s, actor=admin, user_id=person.id, active=False, now=NOW)
    assert not _valid(engine, "pat", opened)
    with Session(engine) as s, s.begin():
        set_account_active(session=s, actor=admin, user_id=person.id, active=True, now=NOW)
    # the old session stays ended; a new sign-in works
    assert not _valid(engine, "pat", opened)
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="pat", password="correct-horse-1", now=NOW)
    changes = [r[3]["change"] for r in _admin_rows(engine, "app_user")]
    assert changes == ["deactivate user", "reactivate user"]
    assert _admin_rows(engine, "app_user")[0][3]["after"] == {"active": False}


def test_reset_password_ends_sessions_unlocks_and_forces_a_new_password(engine, admin, make_staff):
    person = make_staff("executive", username="pat")
    with Session(engine) as s, s.begin():
        s.get(AppUser, person.id).locked_until = NOW + dt.timedelta(minutes=10)
    opened = _session_at(engine, person.id, NOW - dt.timedelta(minutes=1))
    with Session(engine) as s, s.begin():
        one_time = reset_password(session=s, actor=admin, user_id=person.id, now=NOW)
    assert not _valid(engine, "pat", opened)
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="pat", password="correct-horse-1", now=NOW) is None
    with Session(engine) as s, s.begin():
        staff = authenticate(session=s, username="pat", password=one_time, now=NOW)
        assert staff is not None
        assert password_change_required(session=s, user_id=person.id)
    with Session(engine) as s, s.begin():
        change_own_password(
            session=s,
            staff=staff,
            current_password=one_time,
            new_password="my-own-secret-9",
            repeat_password="my-own-secret-9",
            now=NOW + dt.timedelta(minutes=1),
        )
    with Session(engine) as s:
        assert not password_change_required(session=s, user_id=person.id)
    detail = _admin_rows(engine, "app_user")[-1][3]
    assert detail["change"] == "reset password"
    assert detail["after"]["must_change_password"] is True


def test_own_password_change_checks_current_and_policy_and_ends_other_sessions(engine, make_staff):
    person = make_staff("manager", username="pat")
    earlier = _session_at(engine, person.id, NOW - dt.timedelta(minutes=5))
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        change_own_password(
            session=s,
            staff=person,
            current_password="wrong",
            new_password="short",
            repeat_password="short",
            now=NOW,
        )
    assert set(refused.value.errors) == {"current_password", "new_password"}
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        change_own_password(
            session=s,
            staff=person,
            current_password="correct-horse-1",
            new_password="brand-new-pass",
            repeat_password="brand-new-pasS",
            now=NOW,
        )
    assert set(refused.value.errors) == {"repeat_password"}
    with Session(engine) as s, s.begin():
        change_own_password(
            session=s,
            staff=person,
            current_password="correct-horse-1",
            new_password="brand-new-pass",
            repeat_password="brand-new-pass",
            now=NOW,
        )
    assert not _valid(engine, "pat", earlier)
    # the session restarted at the change itself stays valid
    assert _valid(engine, "pat", _session_at(engine, person.id, NOW))
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="pat", password="brand-new-pass", now=NOW)
        row = s.scalars(select(AuditLog).where(AuditLog.action == "update")).one()
        assert row.detail == {"change": "own password", "required_by_reset": False}


def test_unlock(engine, admin, make_staff):
    person = make_staff("executive", username="pat")
    with Session(engine) as s, s.begin():
        s.get(AppUser, person.id).locked_until = NOW + dt.timedelta(minutes=10)
    with Session(engine) as s, s.begin():
        assert unlock_account(session=s, actor=admin, user_id=person.id)
    with Session(engine) as s, s.begin():
        assert authenticate(session=s, username="pat", password="correct-horse-1", now=NOW)
        listed = {u.username: u for u in user_accounts(session=s)}
        assert listed["pat"].locked_until is None and listed["pat"].last_login_at == NOW
    assert _admin_rows(engine)[-1][3]["after"] == {"locked_until": None}


def test_departments_add_rename_reorder_deactivate_never_delete(engine, admin):
    with Session(engine) as s, s.begin():
        a = add_department(session=s, actor=admin, name="Cardiology")
        b = add_department(session=s, actor=admin, name="Oncology")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        add_department(session=s, actor=admin, name="  cardiology ")
    assert "already exists" in refused.value.errors["name"]
    with Session(engine) as s, s.begin():
        assert move(session=s, actor=admin, model=Department, item_id=b, steps=-1)
        assert rename(session=s, actor=admin, model=Department, item_id=a, name="Cardiac Care")
    with Session(engine) as s:
        assert list(active_departments(session=s).values()) == ["Oncology", "Cardiac Care"]
    with Session(engine) as s, s.begin():
        set_active(session=s, actor=admin, model=Department, item_id=a, active=False)
    with Session(engine) as s:
        assert list(active_departments(session=s).values()) == ["Oncology"]
        # still there for history and the admin list
        assert [d.name for d in departments_for_admin(session=s)] == ["Oncology", "Cardiac Care"]
    with Session(engine) as s, pytest.raises(InvalidInput):
        set_active(session=s, actor=admin, model=Department, item_id=b, active=False)
    rename_row = [r for r in _admin_rows(engine, "department") if "rename" in r[3]["change"]][0]
    assert rename_row[3]["before"] == {"name": "Cardiology"}
    assert rename_row[3]["after"] == {"name": "Cardiac Care"}


def test_a_used_department_shows_as_used_and_deactivated_stays_on_its_records(
    engine, admin, make_staff
):
    world = seed_world(engine)
    executive = make_staff("executive")
    with Session(engine) as s, s.begin():
        log_interaction(session=s, staff=executive, draft=draft(world), tz=NY, now=NOW)
    with Session(engine) as s, s.begin():
        set_active(session=s, actor=admin, model=Department, item_id=world["ed"], active=False)
    with Session(engine) as s:
        used = {d.name: d.used for d in departments_for_admin(session=s)}
        assert used == {"Cardiology": False, "Emergency Department": True}
        assert world["ed"] not in active_departments(session=s)
        assert s.get(Department, world["ed"]) is not None


def test_categories_add_and_deactivate(engine, admin):
    with Session(engine) as s, s.begin():
        cat = add_category(
            session=s, actor=admin, domain="management", name="Parking", description="Car parks"
        )
    with Session(engine) as s:
        assert list(active_categories(session=s).values())[-1] == "Parking"
    with Session(engine) as s, s.begin():
        set_active(session=s, actor=admin, model=Category, item_id=cat, active=False)
    with Session(engine) as s:
        assert cat not in active_categories(session=s)
        assert "Parking" in [c.name for c in categories_for_admin(session=s)]
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        add_category(session=s, actor=admin, domain="nowhere", name="X y")
    assert "domain" in refused.value.errors


def test_sla_target_change_is_audited_and_applies_to_new_concerns(engine, admin, make_staff):
    world = seed_world(engine)
    executive = make_staff("executive")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        update_sla_targets(session=s, actor=admin, due_hours={("complaint", "high"): 0})
    assert "complaint/high" in refused.value.errors
    with Session(engine) as s, s.begin():
        changed = update_sla_targets(
            session=s,
            actor=admin,
            due_hours={("complaint", "high"): 48, ("complaint", "low"): 336},
        )
    assert changed == 1  # low was already 336 hours
    with Session(engine) as s:
        assert sla_targets(session=s)[("complaint", "high")] == 48
    (row,) = _admin_rows(engine, "sla_target")
    assert row[2] == "complaint/high"
    assert row[3]["before"] == {"due_hours": 72} and row[3]["after"] == {"due_hours": 48}
    d = draft(
        world,
        channel="phone",
        outcome="concern-opened",
        concern=ConcernDraft(severity="high", resolved_by_staff_present=True),
    )
    with Session(engine) as s, s.begin():
        result = log_interaction(session=s, staff=executive, draft=d, tz=NY, now=NOW)
    with Session(engine) as s:
        concern = s.get(Concern, result.concern_id)
        assert concern.type == "complaint"
        assert concern.due_at == d.occurred_at + dt.timedelta(hours=48)


def test_grievance_acknowledgement_skips_a_public_holiday(engine, admin, make_staff):
    world = seed_world(engine)
    executive = make_staff("executive")
    # NOW is Tuesday 24 Nov 2026; Wednesday 25th declared a holiday -> due Thursday 26th.
    with Session(engine) as s, s.begin():
        add_holiday(session=s, actor=admin, day=dt.date(2026, 11, 25), name="Staff day")
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        add_holiday(session=s, actor=admin, day=dt.date(2026, 11, 25), name="")
    assert set(refused.value.errors) == {"day", "name"}
    d = draft(world, outcome="concern-opened", concern=ConcernDraft(severity="high"))
    with Session(engine) as s, s.begin():
        result = log_interaction(session=s, staff=executive, draft=d, tz=NY, now=NOW)
    with Session(engine) as s:
        concern = s.get(Concern, result.concern_id)
        assert concern.type == "grievance"
        assert concern.acknowledgement_due_at == d.occurred_at + dt.timedelta(days=2)
    with Session(engine) as s, s.begin():
        remove_holiday(session=s, actor=admin, day=dt.date(2026, 11, 25))
        assert grievance_clock(session=s).holidays == frozenset()
    changes = [r[3]["change"] for r in _admin_rows(engine, "public_holiday")]
    assert changes == ["add holiday", "remove holiday"]


def test_grievance_rule_edits_the_clocks(engine, admin):
    with Session(engine) as s, pytest.raises(InvalidInput) as refused:
        update_grievance_rule(
            session=s,
            actor=admin,
            acknowledgement_business_days=0,
            written_response_days=99,
            business_weekdays=[],
        )
    assert len(refused.value.errors) == 3
    with Session(engine) as s, s.begin():
        update_grievance_rule(
            session=s,
            actor=admin,
            acknowledgement_business_days=2,
            written_response_days=5,
            business_weekdays=[1, 2, 3, 4, 5, 6],
        )
    with Session(engine) as s:
        clock = grievance_clock(session=s)
        assert clock.acknowledgement_business_days == 2 and clock.written_response_days == 5
        assert clock.business_weekdays == frozenset({1, 2, 3, 4, 5, 6})
    (row,) = _admin_rows(engine, "sla_rule")
    assert row[3]["before"]["written_response_days"] == 7
    assert row[3]["after"]["business_weekdays"] == [1, 2, 3, 4, 5, 6]
