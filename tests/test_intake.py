import datetime as dt
import threading
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db.intake import (
    AlreadySaved,
    ConcernDraft,
    InvalidInput,
    log_interaction,
    my_recent_interactions,
)
from db.models import AuditLog, Concern, ConcernEvent, ConcernIssue, Interaction, Patient
from db.patients import NewPatient
from tests.helpers import NOW, NY, draft


@pytest.fixture
def executive(make_staff):
    return make_staff("executive")


def _log(engine, staff, d):
    with Session(engine) as s, s.begin():
        return log_interaction(session=s, staff=staff, draft=d, tz=NY, now=NOW)


def _count(engine, model, *where):
    with Session(engine) as s:
        return s.scalar(select(func.count()).select_from(model).where(*where))


def test_resolved_at_first_contact_writes_the_interaction_and_an_audit_row(
    engine, world, executive
):
    result = _log(engine, executive, draft(world))
    assert result.concern_id is None and not result.already_saved
    with Session(engine) as s:
        interaction = s.get(Interaction, result.interaction_id)
        assert interaction.outcome == "resolved-first-contact"
        assert interaction.logged_by == executive.id
        audit = s.scalars(select(AuditLog)).one()
        assert (audit.action, audit.entity, audit.entity_id) == (
            "create",
            "interaction",
            str(result.interaction_id),
        )
    assert _count(engine, Concern) == 0


def test_opening_a_concern_writes_concern_issue_event_and_due_time(
    engine, world, executive, make_staff
):
    owner = make_staff("manager")
    d = draft(
        world, outcome="concern-opened", concern=ConcernDraft(severity="high", owner_id=owner.id)
    )
    result = _log(engine, executive, d)
    assert result.concern_type == "grievance"  # not resolved at the time: a grievance
    with Session(engine) as s:
        concern = s.get(Concern, result.concern_id)
        assert concern.opened_by_interaction_id == result.interaction_id
        assert concern.owner_id == owner.id and concern.status == "new"
        assert concern.due_at == d.occurred_at + dt.timedelta(days=3)
        # Tuesday 09:57 New York -> acknowledge by Wednesday 09:57
        assert concern.acknowledgement_due_at == d.occurred_at + dt.timedelta(days=1)
        assert concern.grievance_rule == "not resolved at the time by staff present"
        assert concern.category_id == world["categories"]["Institutional processes"]
        issue = s.scalars(select(ConcernIssue)).one()
        assert (issue.position, issue.category_id) == (1, concern.category_id)
        kinds = sorted(e.kind for e in s.scalars(select(ConcernEvent)))
        assert kinds == ["assigned", "created"]
        assert s.get(Interaction, result.interaction_id).concern_id == concern.id


@pytest.mark.parametrize(
    ("concern", "channel", "expected_type", "expected_severity"),
    [
        (ConcernDraft(resolved_by_staff_present=True), "phone", "complaint", "medium"),
        (ConcernDraft(resolved_by_staff_present=True), "letter", "grievance", "medium"),
        (ConcernDraft(abuse_or_neglect=True, severity="low"), "phone", "grievance", "critical"),
        (ConcernDraft(type="compliment"), "phone", "compliment", "medium"),
        (
            ConcernDraft(type="complaint", override_reason="Resolved by the charge nurse"),
            "phone",
            "complaint",
            "medium",
        ),
    ],
)
def test_concern_type_follows_the_cms_rules_unless_overridden(
    engine, world, executive, concern, channel, expected_type, expected_severity
):
    result = _log(
        engine, executive, draft(world, outcome="concern-opened", channel=channel, concern=concern)
    )
    with Session(engine) as s:
        saved = s.get(Concern, result.concern_id)
        assert (saved.type, saved.severity) == (expected_type, expected_severity)
        assert (saved.due_at is None) == (expected_type == "compliment")
        assert saved.abuse_neglect_flag == concern.abuse_or_neglect


def test_overriding_the_rules_needs_a_reason(engine, world, executive):
    with pytest.raises(InvalidInput) as error:
        _log(
            engine,
            executive,
            draft(world, outcome="concern-opened", concern=ConcernDraft(type="complaint")),
        )
    assert "give a reason" in error.value.errors["concern.override_reason"]
    assert _count(engine, Interaction) == 0


def test_medicare_quality_of_care_concern_carries_the_qio_flag(engine, world, executive):
    d = draft(world, outcome="concern-opened", category_id=world["categories"]["Quality of care"])
    result = _log(engine, executive, d)
    with Session(engine) as s:
        assert s.get(Concern, result.concern_id).qio_referral_flag


def test_adding_to_an_open_concern_writes_a_follow_up_event(engine, world, executive):
    opened = _log(engine, executive, draft(world, outcome="concern-opened"))
    added = _log(
        engine,
        executive,
        draft(
            world,
            outcome="added-to-concern",
            add_to_concern_id=opened.concern_id,
            summary="Called again, still waiting",
        ),
    )
    assert added.concern_id == opened.concern_id
    with Session(engine) as s:
        follow_up = s.scalars(select(ConcernEvent).where(ConcernEvent.kind == "follow_up")).one()
        assert follow_up.detail == "Called again, still waiting"
        assert follow_up.data["interaction_id"] == added.interaction_id


def test_cannot_add_to_another_patients_concern(engine, world, executive):
    opened = _log(engine, executive, draft(world, outcome="concern-opened"))
    with pytest.raises(InvalidInput) as error:
        _log(
            engine,
            executive,
            draft(
                world,
                outcome="added-to-concern",
                patient_id=world["patel"],
                add_to_concern_id=opened.concern_id,
            ),
        )
    assert "another patient" in error.value.errors["add_to_concern_id"]


def test_new_patient_inline_and_anonymous(engine, world, executive):
    new = NewPatient(mrn="mrn7777777", given_name="Rosa", family_name="Diaz", phone="555 123 4567")
    result = _log(engine, executive, draft(world, patient_id=None, new_patient=new))
    anonymous = _log(engine, executive, draft(world, patient_id=None))
    with Session(engine) as s:
        assert s.get(Patient, result.patient_id).mrn == "MRN7777777"
        assert s.get(Interaction, anonymous.interaction_id).patient_id is None


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        ({"summary": "  "}, {"summary"}),
        ({"summary": "x" * 4001}, {"summary"}),
        ({"duration_minutes": -5}, {"duration_minutes"}),
        ({"occurred_at": NOW + dt.timedelta(hours=2)}, {"occurred_at"}),
        ({"channel": "pigeon"}, {"channel"}),
        (
            {"outcome": "concern-opened", "department_id": None, "category_id": None},
            {"department_id", "category_id"},
        ),
        ({"outcome": "added-to-concern"}, {"add_to_concern_id"}),
        (
            {
                "patient_id": None,
                "new_patient": NewPatient(mrn="?", given_name="", family_name="D"),
            },
            {"new_patient.mrn", "new_patient.given_name"},
        ),
    ],
)
def test_bad_input_gets_field_level_messages_and_saves_nothing(
    engine, world, executive, overrides, fields
):
    with pytest.raises(InvalidInput) as error:
        _log(engine, executive, draft(world, **overrides))
    assert set(error.value.errors) == fields
    assert _count(engine, Interaction) == 0


def test_a_resubmit_saves_once(engine, world, executive):
    d = draft(world, outcome="concern-opened")
    first = _log(engine, executive, d)
    again = _log(engine, executive, d)
    assert again.already_saved
    assert (again.interaction_id, again.concern_id) == (first.interaction_id, first.concern_id)
    assert _count(engine, Interaction) == 1 and _count(engine, Concern) == 1


def test_a_concurrent_double_submit_saves_once(engine, world, executive):
    d = draft(
        world,
        outcome="concern-opened",
        new_patient=NewPatient(mrn="MRN5550001", given_name="Dee", family_name="Twice"),
        patient_id=None,
    )
    barrier = threading.Barrier(2)
    outcomes = []

    def submit():
        with Session(engine) as s:
            try:
                with s.begin():
                    barrier.wait()
                    outcomes.append(
                        log_interaction(session=s, staff=executive, draft=d, tz=NY, now=NOW)
                    )
            except (AlreadySaved, InvalidInput) as error:
                outcomes.append(error)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _count(engine, Interaction) == 1
    assert _count(engine, Patient, Patient.mrn == "MRN5550001") == 1
    assert len(outcomes) == 2
    assert sum(isinstance(o, AlreadySaved) for o in outcomes) == 1


def test_only_executives_and_managers_log(engine, world, make_staff):
    with pytest.raises(PermissionError):
        _log(engine, make_staff("leadership"), draft(world))


def test_my_recent_interactions_newest_first(engine, world, executive, make_staff):
    other = make_staff("executive")
    first = _log(engine, executive, draft(world, summary="first"))
    second = _log(engine, executive, draft(world, summary="second", patient_id=None))
    _log(engine, other, draft(world, summary="someone else's"))
    with Session(engine) as s:
        mine = my_recent_interactions(
            session=s, staff_id=executive.id, since=NOW - dt.timedelta(hours=1)
        )
    assert [m.id for m in mine] == [second.interaction_id, first.interaction_id]
    assert mine[0].patient == "Anonymous" and mine[1].patient == "Smith, John"


def test_submission_ids_are_unique_per_contact(engine, world, executive):
    _log(engine, executive, draft(world, client_submission_id=uuid.uuid4()))
    _log(engine, executive, draft(world, client_submission_id=uuid.uuid4()))
    assert _count(engine, Interaction) == 2
