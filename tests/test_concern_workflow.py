"""Every action writes its event and audit row; the state machine; locking; permissions."""

import datetime as dt
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import concerns as c
from db.models import STATUSES, AuditLog, Concern, ConcernEvent, ConcernIssue, Interaction
from db.validation import InvalidInput
from tests.helpers import NOW, NY, force_status, open_concern, version_of


@pytest.fixture
def concern_id(engine, world, manager):
    return open_concern(engine, world, manager)


def act(engine, action, staff, concern_id, **kwargs):
    with Session(engine) as s, s.begin():
        return action(
            session=s,
            staff=staff,
            concern_id=concern_id,
            seen_version=kwargs.pop("seen_version", version_of(engine, concern_id)),
            **kwargs,
        )


def events(engine, concern_id):
    with Session(engine) as s:
        return [
            e.kind
            for e in s.scalars(
                select(ConcernEvent)
                .where(ConcernEvent.concern_id == concern_id)
                .order_by(ConcernEvent.id)
            )
        ]


def audit_actions(engine, concern_id):
    with Session(engine) as s:
        return [
            a.detail.get("action")
            for a in s.scalars(
                select(AuditLog)
                .where(
                    AuditLog.entity == "concern",
                    AuditLog.entity_id == str(concern_id),
                    AuditLog.action == "update",
                )
                .order_by(AuditLog.id)
            )
        ]


def concern(engine, concern_id) -> Concern:
    with Session(engine) as s:
        return s.get(Concern, concern_id)


ACTIONS = [
    ("assigned", c.assign, {"owner_id": None}),
    ("escalated", c.escalate, {"department_id": "cardio", "reason": "Needs the ward manager"}),
    ("note", c.add_note, {"note": "Left a voicemail"}),
    ("status_changed", c.change_status, {"status": "awaiting_patient"}),
    (
        "follow_up",
        c.record_follow_up,
        {"channel": "phone", "direction": "outbound", "summary": "Called back", "occurred_at": NOW},
    ),
    ("acknowledged", c.record_acknowledgement, {"acknowledged_at": NOW}),
    (
        "written_response",
        c.record_written_response,
        {
            "contact_person": "J. Smith, Patient Relations",
            "steps_taken": "Reviewed the record",
            "result": "Apology and retraining",
            "completed_on": dt.date(2026, 11, 24),
            "sent_at": NOW,
        },
    ),
    (
        "still_working",
        c.record_still_working,
        {"new_date": dt.date(2026, 12, 5), "today": dt.date(2026, 11, 24)},
    ),
    (
        "issue_changed",
        c.save_issue,
        {"category_id": "Safety", "hcat_severity": 3, "harm_level": "minor"},
    ),
    ("severity_changed", c.change_severity, {"severity": "critical", "tz": NY}),
    ("resolved", c.resolve, {"resolution": "Apologised; bed moved", "resolved_at": NOW}),
]


@pytest.mark.parametrize(("kind", "action", "kwargs"), ACTIONS, ids=[a[0] for a in ACTIONS])
def test_each_action_writes_its_event_and_audit_row_and_bumps_the_version(
    engine, world, manager, concern_id, kind, action, kwargs
):
    kwargs = dict(kwargs)
    if kwargs.get("department_id") == "cardio":
        kwargs["department_id"] = world["cardio"]
    if kwargs.get("category_id") == "Safety":
        kwargs["category_id"] = world["categories"]["Safety"]
    before = version_of(engine, concern_id)
    act(engine, action, manager, concern_id, **kwargs)
    assert events(engine, concern_id)[-1] == kind
    assert audit_actions(engine, concern_id) == [kind]
    assert version_of(engine, concern_id) == before + 1


def test_close_and_reopen_write_events(engine, world, manager, concern_id):
    act(engine, c.resolve, manager, concern_id, resolution="Done", resolved_at=NOW)
    act(engine, c.close, manager, concern_id, closed_at=NOW + dt.timedelta(hours=1))
    assert concern(engine, concern_id).status == "closed"
    act(engine, c.reopen, manager, concern_id, reason="Patient called back unhappy")
    reopened = concern(engine, concern_id)
    assert (reopened.status, reopened.resolved_at, reopened.closed_at, reopened.resolution) == (
        "in_progress",
        None,
        None,
        None,
    )
    assert events(engine, concern_id)[-3:] == ["resolved", "closed", "reopened"]


ALL_MOVES = [(a, b) for a in STATUSES for b in STATUSES if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_MOVES)
def test_state_machine_allows_exactly_its_transitions(
    engine, world, manager, concern_id, start, target
):
    if start != "new":
        force_status(engine, concern_id, start)
    allowed = target in c.TRANSITIONS[start]

    def attempt():
        if target == "resolved":
            act(engine, c.resolve, manager, concern_id, resolution="Fixed", resolved_at=NOW)
        elif target == "closed":
            act(engine, c.close, manager, concern_id, closed_at=NOW + dt.timedelta(hours=2))
        elif target == "escalated":
            act(
                engine,
                c.escalate,
                manager,
                concern_id,
                department_id=world["cardio"],
                reason="Ward",
            )
        elif start in ("resolved", "closed"):
            if target != "in_progress":
                act(engine, c.change_status, manager, concern_id, status=target)
            else:
                act(engine, c.reopen, manager, concern_id, reason="Back again")
        else:
            act(engine, c.change_status, manager, concern_id, status=target)

    if allowed:
        attempt()
        assert concern(engine, concern_id).status == target
    else:
        with pytest.raises(c.TransitionRefused):
            attempt()
        assert concern(engine, concern_id).status == start


def test_written_response_is_refused_while_any_of_the_four_is_missing(engine, manager, concern_id):
    with pytest.raises(InvalidInput) as error:
        act(
            engine,
            c.record_written_response,
            manager,
            concern_id,
            contact_person=" ",
            steps_taken="Reviewed",
            result="",
            completed_on=None,
            sent_at=NOW,
        )
    assert set(error.value.errors) == {"contact_person", "result", "completed_on"}
    assert concern(engine, concern_id).written_response_at is None


@pytest.mark.parametrize(
    ("action", "kwargs", "field"),
    [
        (c.resolve, {"resolution": "  ", "resolved_at": NOW}, "resolution"),
        (c.add_note, {"note": ""}, "note"),
        (c.escalate, {"department_id": 1, "reason": ""}, "reason"),
        (
            c.record_still_working,
            {"new_date": dt.date(2026, 11, 1), "today": dt.date(2026, 11, 24)},
            "new_date",
        ),
        (
            c.save_issue,
            {"category_id": None, "hcat_severity": 4, "harm_level": None},
            "category_id",
        ),
    ],
)
def test_actions_refuse_missing_text_with_a_field_message(
    engine, manager, concern_id, action, kwargs, field
):
    with pytest.raises(InvalidInput) as error:
        act(engine, action, manager, concern_id, **kwargs)
    assert field in error.value.errors


def test_reopen_needs_a_reason(engine, manager, concern_id):
    force_status(engine, concern_id, "resolved")
    with pytest.raises(InvalidInput):
        act(engine, c.reopen, manager, concern_id, reason="")


def test_severity_change_recomputes_the_due_time_and_keeps_the_history(engine, manager, concern_id):
    opened = concern(engine, concern_id)
    act(engine, c.change_severity, manager, concern_id, severity="critical", tz=NY)
    changed = concern(engine, concern_id)
    assert changed.due_at == opened.opened_at + dt.timedelta(days=1)
    with Session(engine) as s:
        event = s.scalars(select(ConcernEvent).where(ConcernEvent.kind == "severity_changed")).one()
    assert event.data["from"]["severity"] == "medium"
    assert event.data["from"]["due_at"] == opened.due_at.isoformat()


def test_first_issue_sets_the_concern_category_and_later_issues_do_not(
    engine, world, manager, concern_id
):
    with Session(engine) as s:
        first = s.scalars(select(ConcernIssue).where(ConcernIssue.concern_id == concern_id)).one()
    act(
        engine,
        c.save_issue,
        manager,
        concern_id,
        category_id=world["categories"]["Listening"],
        hcat_severity=1,
        harm_level=None,
    )
    assert concern(engine, concern_id).category_id == first.category_id
    act(
        engine,
        c.save_issue,
        manager,
        concern_id,
        issue_id=first.id,
        category_id=world["categories"]["Safety"],
        hcat_severity=3,
        harm_level="moderate",
    )
    assert concern(engine, concern_id).category_id == world["categories"]["Safety"]


def test_follow_up_is_also_an_interaction_on_the_concern(engine, manager, concern_id):
    interaction_id = act(
        engine,
        c.record_follow_up,
        manager,
        concern_id,
        channel="phone",
        direction="outbound",
        summary="Explained next steps",
        occurred_at=NOW,
    )
    with Session(engine) as s:
        row = s.get(Interaction, interaction_id)
    assert (row.concern_id, row.outcome) == (concern_id, "added-to-concern")


def test_a_stale_version_is_refused_and_says_what_changed(engine, world, manager, concern_id):
    seen = version_of(engine, concern_id)
    with Session(engine) as s:
        before = c.concern_detail(
            session=s, staff=manager, concern_id=concern_id, shows_patient=False
        )
    act(engine, c.escalate, manager, concern_id, department_id=world["cardio"], reason="Ward")
    with pytest.raises(c.ConcernChanged) as conflict:
        act(engine, c.add_note, manager, concern_id, seen_version=seen, note="My note")
    changes = dict((f, (a, b)) for f, a, b in c.changed_fields(before, conflict.value.current))
    assert changes["status"] == ("new", "escalated")
    assert changes["department"] == ("Emergency Department", "Cardiology")
    assert "note" not in events(engine, concern_id)


def test_two_sessions_with_the_same_version_exactly_one_wins(engine, manager, concern_id):
    seen = version_of(engine, concern_id)
    barrier = threading.Barrier(2)
    outcomes = []

    def write(note):
        with Session(engine) as s:
            try:
                with s.begin():
                    barrier.wait()
                    c.add_note(
                        session=s,
                        staff=manager,
                        concern_id=concern_id,
                        seen_version=seen,
                        note=note,
                    )
                outcomes.append("saved")
            except c.ConcernChanged:
                outcomes.append("refused")

    threads = [threading.Thread(target=write, args=(f"note {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "saved"]
    assert events(engine, concern_id).count("note") == 1
    assert version_of(engine, concern_id) == seen + 1


def test_an_executive_cannot_act_on_another_executives_concern(engine, world, make_staff):
    owner = make_staff("executive")
    other = make_staff("executive")
    concern_id = open_concern(engine, world, owner, owner_id=owner.id)
    with pytest.raises(PermissionError):
        act(engine, c.add_note, other, concern_id, note="Not mine")
    with pytest.raises(PermissionError), Session(engine) as s:
        c.concern_detail(session=s, staff=other, concern_id=concern_id, shows_patient=True)
    act(engine, c.add_note, owner, concern_id, note="Mine")


def test_an_executive_can_take_an_unassigned_concern_but_not_assign_others(
    engine, world, make_staff
):
    executive = make_staff("executive")
    colleague = make_staff("executive")
    concern_id = open_concern(engine, world, executive)
    with pytest.raises(PermissionError):
        act(engine, c.assign, executive, concern_id, owner_id=colleague.id)
    act(engine, c.assign, executive, concern_id, owner_id=executive.id)
    assert concern(engine, concern_id).owner_id == executive.id


def test_leadership_cannot_act(engine, world, manager, make_staff, concern_id):
    with pytest.raises(PermissionError):
        act(engine, c.add_note, make_staff("leadership"), concern_id, note="Hello")


@pytest.mark.parametrize(
    ("action", "kwargs"),
    [
        (c.assign, {"owner_id": "manager"}),
        (c.record_acknowledgement, {"acknowledged_at": NOW}),
        (
            c.record_follow_up,
            {"channel": "phone", "direction": "outbound", "summary": "Called", "occurred_at": NOW},
        ),
        (
            c.record_written_response,
            {
                "contact_person": "Dana",
                "steps_taken": "Reviewed",
                "result": "Apology",
                "completed_on": NOW.date(),
                "sent_at": NOW,
            },
        ),
    ],
)
def test_work_on_a_new_concern_puts_it_in_progress(engine, manager, concern_id, action, kwargs):
    if kwargs.get("owner_id") == "manager":
        kwargs = {"owner_id": manager.id}
    assert concern(engine, concern_id).status == "new"
    act(engine, action, manager, concern_id, **kwargs)
    assert concern(engine, concern_id).status == "in_progress"
    with Session(engine) as s:
        last = s.scalars(
            select(ConcernEvent)
            .where(ConcernEvent.concern_id == concern_id)
            .order_by(ConcernEvent.id.desc())
        ).first()
    assert (last.data["status_from"], last.data["status_to"]) == ("new", "in_progress")


def test_a_note_or_unassigning_leaves_a_new_concern_new(engine, manager, concern_id):
    act(engine, c.add_note, manager, concern_id, note="Left a message")
    act(engine, c.assign, manager, concern_id, owner_id=None)
    assert concern(engine, concern_id).status == "new"


@pytest.mark.parametrize("status", STATUSES)
def test_the_actions_offered_follow_the_state_machine(status):
    offered = c.actions_allowed(status)
    targets = c.TRANSITIONS[status]
    assert ("resolve" in offered) == ("resolved" in targets)
    assert ("reopen" in offered) == (status in c.CLOSED_STATUSES)
    assert ("close" in offered) == ("closed" in targets)
    assert ("escalate" in offered) == ("escalated" in targets or status == "escalated")
    assert ("status" in offered) == bool(c.working_statuses_from(status))
    assert "note" in offered
    assert set(c.working_statuses_from(status)) <= set(targets)
